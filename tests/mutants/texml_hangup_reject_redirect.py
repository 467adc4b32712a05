"""TeXML <Hangup>, <Reject> and <Redirect>: ending the call (and who is said to have ended it), refusing it
unanswered, moving to another document (scenarios texml/hangup/, texml/reject/, texml/redirect/)."""

from typing import Any

from conformance_emulator.backend.leg import CallEnded, Leg
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.interpreter import Interpreter, Redirected
from tests.mutants.builders import (
    Alternative,
    Attrs,
    Mutant,
    _status_params_without,
    attrs_changed,
    catalogue_fact,
    leg_class,
    verb,
)


async def _ignored(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> None:
    return None


def _every_end_by_caller(self: Leg, end: CallEnded) -> None:
    Leg.finish(self, CallEnded(end.cause, "caller", end.status))


async def _reject_after_answering(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.answer()
    await verbs.reject(texml, node, attrs)


async def _reject_continues(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.record("rejected", reason=attrs["reason"])


async def _redirect_as_subroutine(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Runs the linked document, then comes back to the rest of the current one."""
    try:
        await verbs.redirect(texml, node, attrs)
    except Redirected as moved:
        current = texml.document
        await texml.run_document(moved.fetch, first=False)
        texml.document = current


MUTANTS: list[Mutant] = [
    # Hangup
    Mutant("hangup ignored", ("texml/hangup/ends-the-call",), verb("Hangup", _ignored)),
    Mutant(
        "completed callback without HangupSource",
        ("texml/hangup/far-end-hangup-source",),
        leg_class(status_params=_status_params_without("HangupSource")),
    ),
    Mutant(
        "every hangup blamed on the caller",
        ("texml/hangup/far-end-hangup-source",),
        leg_class(finish=_every_end_by_caller),
    ),
    # Reject
    Mutant(
        "reject answers first",
        ("texml/reject/first-verb-never-answers", "texml/reject/reason-busy"),
        verb("Reject", _reject_after_answering),
    ),
    Mutant(
        "reject reason ignored",
        ("texml/reject/reason-busy",),
        attrs_changed("Reject", lambda a: {**a, "reason": "rejected"}),
    ),
    Mutant("reject does not end the call", ("texml/reject/after-answer-hangs-up",), verb("Reject", _reject_continues)),
    # Redirect
    Mutant(
        "redirect default GET",
        ("texml/redirect/relative-url-default-post",),
        catalogue_fact("Redirect", "method", default="GET"),
    ),
    Mutant(
        "redirect method ignored",
        ("texml/redirect/absolute-url-get",),
        attrs_changed("Redirect", lambda a: {**a, "method": "POST"}),
    ),
    Mutant(
        "redirect returns to the document",
        ("texml/redirect/relative-url-default-post",),
        verb("Redirect", _redirect_as_subroutine),
    ),
]


ALTERNATIVES: list[Alternative] = []
