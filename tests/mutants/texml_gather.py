"""TeXML <Gather>: timeouts, digit counts and keys, the nested prompts, input modes, and the requests to action
and invalidDigitsAction (scenarios texml/gather/; errata E-160)."""

import copy
import dataclasses
import re
from collections.abc import Callable
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.leg import Leg
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.interpreter import Interpreter, Redirected
from tests.mutants.builders import (
    Alternative,
    Attrs,
    Mutant,
    attrs_changed,
    catalogue_fact,
    verb,
)


def _gather_action_changed(change: Callable[[dict[str, str]], dict[str, str]]) -> Callable[[], Behaviour]:
    """The real Gather, whose request to action (or invalidDigitsAction) carries parameters ``change`` rewrote."""

    async def handler(texml: Interpreter, node: Any, attrs: Attrs) -> None:
        try:
            await verbs.gather(texml, node, attrs)
        except Redirected as moved:
            raise Redirected(dataclasses.replace(moved.fetch, extra=change(dict(moved.fetch.extra)))) from None

    return verb("Gather", handler)


async def _gather_timeout_from_start(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Counts the timeout from the start of the gather instead of from the last digit."""
    texml.leg.answer()
    deadline, digits = texml.leg.clock.elapsed + attrs["timeout"], ""
    while (left := deadline - texml.leg.clock.elapsed) > 0:
        keys = await texml.leg.spend(left, listen=True)
        if keys is None:
            break
        digits += keys
    if digits and attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits=digits)


async def _gather_without_prompts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    for child in list(node):
        node.remove(child)
    await verbs.gather(texml, node, attrs)


async def _gather_action_posts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.setup = dataclasses.replace(texml.setup, url_method="POST")
    await verbs.gather(texml, node, attrs)


async def _gather_empty_digits_to_action(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Requests action with empty Digits when nothing was pressed, instead of going on with the document."""
    await verbs.gather(texml, node, attrs)
    if attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits="")


async def _gather_invalid_digits_action_posts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Requests invalidDigitsAction with POST whatever the application's method."""
    try:
        await verbs.gather(texml, node, attrs)
    except Redirected as moved:
        invalid = attrs["invalidDigitsAction"]
        if invalid and moved.fetch.url == texml.resolve(invalid):
            raise Redirected(dataclasses.replace(moved.fetch, method="POST")) from None
        raise


class _PromptTimedOut(Exception):
    pass


class _LegUntil:
    """A leg whose time stops at ``deadline``: spending beyond it raises _PromptTimedOut."""

    def __init__(self, leg: Leg, deadline: float) -> None:
        self._leg, self._deadline = leg, deadline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._leg, name)

    async def spend(self, seconds: float, listen: bool = False) -> str | None:
        left = self._deadline - self._leg.clock.elapsed
        if left <= 0:
            raise _PromptTimedOut
        keys = await self._leg.spend(min(seconds, left), listen)
        if keys is None and seconds > left:
            raise _PromptTimedOut
        return keys

    async def play_sound(self, seconds: float, listen: bool = False) -> str | None:
        # The leg's own play_sound, spending through this wrapper so the deadline holds for prompts too.
        return await Leg.play_sound(self, seconds, listen)  # type: ignore[arg-type]


async def _gather_timeout_during_prompts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Starts the timeout with the nested prompts: once it passes without a key, the prompts are cut and the gather
    ends with no input."""
    deadline = texml.leg.clock.elapsed + attrs["timeout"]

    def cut(handler: Callable[..., Any]) -> Callable[..., Any]:
        async def prompt(interpreter: Interpreter, child: Any, child_attrs: Attrs, listen: bool = False) -> Any:
            timed = copy.copy(interpreter)
            timed.leg = _LegUntil(interpreter.leg, deadline)  # type: ignore[assignment]
            return await handler(timed, child, child_attrs, listen=listen)

        return prompt

    timed = copy.copy(texml)
    timed.verbs = {**texml.verbs, "Say": cut(texml.verbs["Say"]), "Play": cut(texml.verbs["Play"])}
    try:
        await verbs.gather(timed, node, attrs)
    except _PromptTimedOut:
        return


# -- documented alternative ------------------------------------------------------------------------


async def _gather_digits_keep_finish_key(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Ends at the finish key as the real Gather does, but sends it in Digits with the keys before it (E-160)."""
    finish = attrs["finishOnKey"] or ""
    attrs = {**attrs, "finishOnKey": None, "numDigits": None}
    keys = await texml.leg.spend(attrs["timeout"], listen=True)
    digits = ""
    while keys:
        digits += keys
        if any(key in finish for key in keys):
            break
        keys = await texml.leg.spend(attrs["timeout"], listen=True)
    if digits and attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits=digits, CallSidLegacy=texml.leg.setup.sid)


MUTANTS: list[Mutant] = [
    Mutant(
        "gather timeout default 6 s",
        ("texml/gather/timeout-default-no-input-falls-through", "texml/gather/digits-sent-to-action"),
        catalogue_fact("Gather", "timeout", default=6),
    ),
    Mutant(
        "gather timeout max clamped to 119",
        ("texml/gather/timeout-maximum",),
        catalogue_fact("Gather", "timeout", max=119),
    ),
    Mutant(
        "gather timeout min clamped to 2", ("texml/gather/timeout-minimum",), catalogue_fact("Gather", "timeout", min=2)
    ),
    Mutant(
        "gather timeout counted from the start",
        ("texml/gather/timeout-between-digits",),
        verb("Gather", _gather_timeout_from_start),
    ),
    Mutant(
        "gather Digits lose their first key",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        _gather_action_changed(lambda extra: {**extra, "Digits": extra["Digits"][1:]}),
    ),
    Mutant(
        "gather finishOnKey ignored",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": None}),
    ),
    Mutant(
        "gather action without CallSidLegacy",
        ("texml/gather/digits-sent-to-action",),
        _gather_action_changed(lambda extra: {k: v for k, v in extra.items() if k != "CallSidLegacy"}),
    ),
    Mutant(
        "gather action's CallSidLegacy names another call",
        ("texml/gather/digits-sent-to-action",),
        _gather_action_changed(lambda extra: {**extra, "CallSidLegacy": extra["CallSidLegacy"] + "-other"}),
    ),
    Mutant(
        "gather numDigits ignored",
        ("texml/gather/num-digits",),
        attrs_changed("Gather", lambda a: {**a, "numDigits": None}),
    ),
    Mutant(
        "gather maxDigits one more",
        ("texml/gather/max-digits", "texml/gather/max-digits-default"),
        attrs_changed("Gather", lambda a: {**a, "maxDigits": a["maxDigits"] + 1}),
    ),
    Mutant(
        "gather minDigits default 2",
        ("texml/gather/min-digits-default",),
        catalogue_fact("Gather", "minDigits", default=2),
    ),
    Mutant(
        "gather minDigits one more",
        ("texml/gather/min-digits-met",),
        attrs_changed("Gather", lambda a: {**a, "minDigits": a["minDigits"] + 1}),
    ),
    Mutant(
        "gather validDigits ignored",
        ("texml/gather/valid-digits",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": None}),
    ),
    Mutant(
        "gather every digit invalid",
        ("texml/gather/valid-digits-accepted",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": "x" if a["validDigits"] else None}),
    ),
    Mutant(
        "gather invalidDigitsAction without default",
        ("texml/gather/invalid-digits-action-defaults-to-action",),
        attrs_changed("Gather", lambda a: {**a, "action": a["action"] if a["invalidDigitsAction"] else None}),
    ),
    Mutant(
        "gather skips nested verbs",
        ("texml/gather/nested-verbs-then-timeout",),
        verb("Gather", _gather_without_prompts),
    ),
    Mutant(
        "gather input default speech",
        ("texml/gather/input-default-dtmf",),
        catalogue_fact("Gather", "input", default="speech"),
    ),
    Mutant(
        "gather input ignored",
        ("texml/gather/input-speech-ignores-keys",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf"}),
    ),
    Mutant(
        "gather input 'dtmf speech' refused",
        ("texml/gather/input-dtmf-speech",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf" if a["input"] == "dtmf" else "speech"}),
    ),
    Mutant(
        "gather action always POST",
        ("texml/gather/action-uses-application-method", "texml/gather/invalid-digits-action-uses-application-method"),
        verb("Gather", _gather_action_posts),
    ),
    Mutant(
        "gather finishOnKey digits ignored",
        ("texml/gather/finish-on-key-digit",),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": re.sub("[0-9]", "", a["finishOnKey"] or "")}),
    ),
    Mutant(
        "gather maxDigits min clamped to 2",
        ("texml/gather/max-digits-minimum",),
        catalogue_fact("Gather", "maxDigits", min=2),
    ),
    Mutant(
        "gather finishOnKey reads only its first key",
        ("texml/gather/finish-on-key-set",),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": (a["finishOnKey"] or "")[:1] or None}),
    ),
    Mutant(
        "gather timeout runs during the nested prompts",
        ("texml/gather/timeout-starts-after-prompts",),
        verb("Gather", _gather_timeout_during_prompts),
    ),
    Mutant(
        "gather invalidDigitsAction always POST",
        ("texml/gather/invalid-digits-action-uses-application-method",),
        verb("Gather", _gather_invalid_digits_action_posts),
    ),
    Mutant(
        "gather without input requests action",
        ("texml/gather/timeout-default-no-input-falls-through",),
        verb("Gather", _gather_empty_digits_to_action),
    ),
]


# Documented alternative (errata E-160).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "gather Digits keep the finish key",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        verb("Gather", _gather_digits_keep_finish_key),
    ),
]
