"""Mustache in TeXML documents: where values come from (URL query, request parameters) and the sections and
conditions (scenarios texml/mustache/)."""

from collections.abc import Callable
from typing import Any

from conformance_emulator.controllers.texml.interpreter import Fetch, Interpreter
from tests.mutants.builders import (
    Alternative,
    Mutant,
    interpreter_class,
    template_rewritten,
)


def _query_only(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
    sent = Interpreter.request_params(self)
    return {k: v for k, v in Interpreter.template_params(self, fetch).items() if k not in sent}


def _list_keeps_last_item(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
    params = Interpreter.template_params(self, fetch)
    return {k: v[-1:] if isinstance(v, list) else v for k, v in params.items()}


def _template_without(name: str) -> Callable[..., dict[str, Any]]:
    def template_params(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
        return {k: v for k, v in Interpreter.template_params(self, fetch).items() if k != name}

    return template_params


MUTANTS: list[Mutant] = [
    Mutant(
        "mustache ignores URL query",
        ("texml/mustache/value-from-url-query", "texml/mustache/list-section"),
        interpreter_class(template_params=lambda self, fetch: Interpreter.request_params(self)),
    ),
    Mutant(
        "mustache ignores request parameters",
        ("texml/mustache/value-from-request-parameters", "texml/mustache/if-on-request-parameter"),
        interpreter_class(template_params=_query_only),
    ),
    Mutant("mustache == never holds", ("texml/mustache/if-equals",), template_rewritten(r" == ", " == never-")),
    Mutant(
        "mustache elseif ignored",
        ("texml/mustache/if-elseif",),
        template_rewritten(r"\{\{#elseif[^}]*\}\}.*?(?=\{\{#else\}\})", ""),
    ),
    Mutant(
        "mustache else ignored", ("texml/mustache/if-else",), template_rewritten(r"\{\{#else\}\}.*?(?=\{\{/if\}\})", "")
    ),
    Mutant("mustache != read as ==", ("texml/mustache/if-not-equals",), template_rewritten(r" != ", " == ")),
    Mutant(
        "mustache list keeps its last item",
        ("texml/mustache/list-section",),
        interpreter_class(template_params=_list_keeps_last_item),
    ),
    Mutant(
        "mustache without CallSid",
        ("texml/mustache/value-from-request-parameters",),
        interpreter_class(template_params=_template_without("CallSid")),
    ),
    Mutant(
        "mustache presence always false",
        ("texml/mustache/if-present",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 == never}}"),
    ),
    Mutant(
        "mustache presence always true",
        ("texml/mustache/if-absent",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 != never}}"),
    ),
]


ALTERNATIVES: list[Alternative] = []
