"""TeXML documents: the root and verbs a document may hold, and the parameters of every document request
(scenarios texml/document/; errata E-120)."""

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

from lxml import etree

from conformance_emulator.backend.leg import Leg
from conformance_emulator.controllers.texml.interpreter import XML_PARSER, Interpreter
from conformance_emulator.controllers.texml.mustache import TemplateError
from tests.mutants.builders import (
    Alternative,
    Mutant,
    interpreter_class,
    template_rewritten,
)


def _render_bottom_up(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Runs a document's verbs from the last to the first."""
    root = etree.fromstring(Interpreter.render(self, template, params).encode(), XML_PARSER)
    root[:] = list(reversed(root))
    return etree.tostring(root, encoding="unicode")


def _render_refusing_declarations(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Reads only documents without an XML declaration (the call ends as on an invalid document)."""
    if template.lstrip().startswith("<?xml"):
        raise TemplateError("declaration")
    return Interpreter.render(self, template, params)


def _render_any_letter_case(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Reads element names without regard to letter case (<say> as <Say>)."""
    names = {name.lower(): name for name in self.verbs}

    def canonical(match: re.Match[str]) -> str:
        return match.group(1) + names.get(match.group(2).lower(), match.group(2))

    return Interpreter.render(self, re.sub(r"(</?)(\w+)", canonical, template), params)


def _inbound_without_url(self: Interpreter, leg: Leg, setup: Any, *args: Any) -> None:
    """An incoming call that never asks its application for a document."""
    if leg.setup.direction == "inbound":
        setup = dataclasses.replace(setup, url=None)
    Interpreter.__init__(self, leg, setup, *args)


def _first_fetch_only(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Sends From and To with the first document request only."""
    params = Interpreter.request_params(self, extra)
    if self.document is not None:
        params = {k: v for k, v in params.items() if k not in ("From", "To")}
    return params


def _numbers_without_plus(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    params = Interpreter.request_params(self, extra)
    return {k: v.lstrip("+") if k in ("From", "To") else v for k, v in params.items()}


def _request_param_changed(name: str, change: Callable[[Interpreter, str], str]) -> Callable[..., dict[str, str]]:
    """Document and action requests whose ``name`` (when sent) is rewritten by ``change``."""

    def request_params(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
        params = Interpreter.request_params(self, extra)
        return {k: change(self, v) if k == name else v for k, v in params.items()}

    return request_params


def _opposite_direction(texml: Interpreter, direction: str) -> str:
    return "outbound-api" if direction == "inbound" else "inbound"


def _seed_request_parameters_only(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Fetches carry CallSid, From and To (seed 004's table); only Gather's action adds AccountSid (errata E-120)."""
    dropped = {"CallStatus", "Direction"} | (set() if "Digits" in extra else {"AccountSid"})
    return {k: v for k, v in Interpreter.request_params(self, extra).items() if k not in dropped}


MUTANTS: list[Mutant] = [
    # The document: its root, its verbs, its requests
    Mutant("verbs run bottom up", ("texml/document/verbs-run-in-order",), interpreter_class(render=_render_bottom_up)),
    Mutant(
        "XML declaration refused",
        ("texml/document/declaration-and-comments",),
        interpreter_class(render=_render_refusing_declarations),
    ),
    Mutant(
        "any root element runs",
        ("texml/document/root-must-be-response",),
        template_rewritten(r"^\s*<Document>(.*)</Document>\s*$", r"<Response>\1</Response>"),
    ),
    Mutant(
        "verb names in any letter case",
        ("texml/document/verbs-case-sensitive",),
        interpreter_class(render=_render_any_letter_case),
    ),
    Mutant(
        "inbound call ignores the application's URL",
        ("texml/reject/first-verb-never-answers",),
        interpreter_class(__init__=_inbound_without_url),
    ),
    Mutant(
        "From and To on the first fetch only",
        ("texml/document/request-parameters",),
        interpreter_class(request_params=_first_fetch_only),
    ),
    Mutant(
        "numbers sent without the plus",
        ("texml/document/request-parameters",),
        interpreter_class(request_params=_numbers_without_plus),
    ),
    # Parameters no source requires on a document fetch, wrong when sent (errata E-120)
    Mutant(
        "fetches send a CallStatus that is no call status",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/call/application-voice-url",
            "texml/callbacks/answer-after-ringing",
            "texml/redirect/relative-url-default-post",
            "texml/reject/first-verb-never-answers",
        ),
        interpreter_class(request_params=_request_param_changed("CallStatus", lambda texml, status: "answered")),
    ),
    Mutant(
        "fetches send the opposite Direction",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/gather/action-uses-application-method",
            "texml/gather/invalid-digits-action-uses-application-method",
            "texml/reject/first-verb-never-answers",
        ),
        interpreter_class(request_params=_request_param_changed("Direction", _opposite_direction)),
    ),
    Mutant(
        "fetches name another account",
        ("texml/call/url-method-get", "texml/pause/default-length", "texml/gather/digits-sent-to-action"),
        interpreter_class(request_params=_request_param_changed("AccountSid", lambda texml, sid: sid + "-other")),
    ),
]


# Documented alternatives (errata E-120).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "fetches carry only the parameters seed 004 lists",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/call/application-voice-url",
            "texml/callbacks/answer-after-ringing",
            "texml/gather/action-uses-application-method",
            "texml/gather/invalid-digits-action-uses-application-method",
            "texml/redirect/relative-url-default-post",
            "texml/reject/first-verb-never-answers",
            "texml/gather/digits-sent-to-action",
            "texml/document/request-parameters",
        ),
        interpreter_class(request_params=_seed_request_parameters_only),
    ),
    Alternative(
        "an API call's Direction is outbound, as upstream's call resource says",
        ("texml/call/url-method-get", "texml/pause/default-length"),
        interpreter_class(
            request_params=_request_param_changed(
                "Direction", lambda texml, d: "outbound" if d == "outbound-api" else d
            )
        ),
    ),
]
