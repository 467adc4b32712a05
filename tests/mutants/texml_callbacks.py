"""TeXML status callbacks: which are sent, where and how, their fields (SequenceNumber, CallDuration,
HangupSource...), and the far end answering, refusing or hanging up (scenarios texml/callbacks/; errata
E-056, E-122, E-124, E-161)."""

import dataclasses
from collections.abc import Callable, Mapping
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.leg import CallEnded, Leg
from conformance_emulator.backend.outbound import FORM, JSON
from conformance_emulator.controllers.texml.interpreter import Interpreter
from tests.mutants.builders import (
    Alternative,
    Mutant,
    _first_word_only,
    _initiate_body_changed,
    _leg_setup_changed,
    _status_params_without,
    interpreter_class,
    leg_class,
)


def _inbound_status_callback_ignored(self: Leg, setup: Any, *args: Any) -> None:
    if setup.direction == "inbound":
        setup = dataclasses.replace(setup, status_callback=None)
    Leg.__init__(self, setup, *args)


def _status_params_reversed(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    params = Leg.status_params(self, status, hangup_source)
    params["SequenceNumber"] = str(10 - int(params["SequenceNumber"]))
    return params


def _duration_in_milliseconds(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Gives CallDuration in milliseconds, where every source says seconds."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params:
        params["CallDuration"] = str(int(params["CallDuration"]) * 1000)
    return params


def _call_sid_legacy_of_another_call(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    params = Leg.status_params(self, status, hangup_source)
    params["CallSidLegacy"] = params["CallSid"] + "-other"
    return params


def _party_changed(**changes: Any) -> Callable[[], Behaviour]:
    def __init__(self: Leg, setup: Any, party: Any, *args: Any) -> None:
        Leg.__init__(self, setup, dataclasses.replace(party, **changes), *args)

    return leg_class(__init__=__init__)


async def _busy_answers(self: Leg) -> None:
    self.party = dataclasses.replace(self.party, outcome="answer")
    await Leg.connect(self)


def _failed_as_busy(self: Leg) -> Any:
    if self.party.outcome == "failed":
        self.party = dataclasses.replace(self.party, outcome="busy")
    return Leg.connect(self)


def _api_hangup_always_completed(self: Interpreter, reason: Any) -> bool:
    """Ends a call through the API as completed, even one that never connected."""
    if isinstance(reason, CallEnded):
        reason = CallEnded(reason.cause, reason.source, status="completed")
    return Interpreter.interrupt(self, reason)


def _unanswered_as_completed(self: Leg, end: CallEnded) -> None:
    """Reports a call that rang out unanswered as completed, as if it had connected (errata E-122)."""
    if end.status == "no-answer":
        end = CallEnded(end.cause, end.source, status="completed")
    Leg.finish(self, end)


def _unanswered_duration_rounded_up(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Gives a call that never connected a CallDuration of 1 s (errata E-056)."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params and self.answered_at is None:
        params["CallDuration"] = "1"
    return params


def _notify_as_json(self: Leg, url: str, method: str, params: Mapping[str, str], encoding: str = FORM) -> None:
    Leg.notify(self, url, method, params, JSON)


# -- documented alternatives ------------------------------------------------------------------------


def _unanswered_as_canceled(self: Leg, end: CallEnded) -> None:
    """Reports a call that rang out unanswered as canceled, in the Timeout member's words (errata E-122)."""
    if end.status == "no-answer":
        end = CallEnded(end.cause, end.source, status="canceled")
    Leg.finish(self, end)


async def _busy_or_failed_without_ringing(self: Leg) -> None:
    """A busy or failed far end ends the call straight after initiated, with no ringing callback (errata E-124)."""
    if self.setup.direction != "inbound" and self.party.outcome in ("busy", "failed"):
        self.set_status("initiated")
        raise CallEnded(self.party.outcome, "callee", status=self.party.outcome)
    await Leg.connect(self)


def _set_status_noting_initiation(self: Leg, status: str, hangup_source: str | None = None) -> None:
    if status == "initiated":
        self.initiated_at = self.clock.elapsed  # type: ignore[attr-defined]
    Leg.set_status(self, status, hangup_source)


def _duration_from_initiation(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Counts an answered call's CallDuration from its start (initiated), ringing included (errata E-161)."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params and self.answered_at is not None:
        started = getattr(self, "initiated_at", self.answered_at)
        params["CallDuration"] = str(int(self.clock.elapsed - started))
    return params


def _no_duration_before_answer(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Leaves CallDuration out for a call that never connected (upstream: only with a start and end time)."""
    params = Leg.status_params(self, status, hangup_source)
    return {k: v for k, v in params.items() if k != "CallDuration" or self.answered_at is not None}


MUTANTS: list[Mutant] = [
    # Which status callbacks are sent, where and how
    Mutant("StatusCallback ignored", ("texml/callbacks/fields",), _leg_setup_changed(status_callback=None)),
    Mutant(
        "StatusCallbackMethod default GET",
        ("texml/callbacks/fields",),
        _initiate_body_changed(lambda body: {"StatusCallbackMethod": "GET", **body}),
    ),
    Mutant(
        "StatusCallbackEvent keeps only its first event",
        ("texml/callbacks/method-get", "texml/callbacks/fields"),
        _initiate_body_changed(_first_word_only("StatusCallbackEvent")),
    ),
    Mutant(
        "status callbacks for events StatusCallbackEvent does not list",
        ("texml/callbacks/method-get",),
        _leg_setup_changed(status_callback_events=frozenset({"initiated", "ringing", "answered", "completed"})),
    ),
    Mutant(
        "Timeout default 60 s",
        ("texml/callbacks/no-answer-default-timeout",),
        _initiate_body_changed(lambda body: {"Timeout": 60, **body}),
    ),
    Mutant(
        "status callbacks for every event by default",
        ("texml/callbacks/default-event-is-completed",),
        _leg_setup_changed(status_callback_events=frozenset({"initiated", "ringing", "answered", "completed"})),
    ),
    # Their fields and method
    Mutant(
        "SequenceNumber counts down",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_reversed),
    ),
    Mutant(
        "callback without CallbackSource",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("CallbackSource")),
    ),
    Mutant(
        "callback without Timestamp",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("Timestamp")),
    ),
    Mutant(
        "completed callback without CallDuration",
        ("texml/callbacks/fields", "texml/callbacks/far-end-hangs-up"),
        leg_class(status_params=_status_params_without("CallDuration")),
    ),
    Mutant(
        "CallDuration in milliseconds",
        (
            "texml/callbacks/fields",
            "texml/callbacks/far-end-hangs-up",
            "texml/hangup/far-end-hangup-source",
            "texml/pause/default-length",
            "texml/pause/length-maximum",
        ),
        leg_class(status_params=_duration_in_milliseconds),
    ),
    Mutant(
        "status callbacks without CallSidLegacy",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("CallSidLegacy")),
    ),
    Mutant(
        "status callbacks' CallSidLegacy names another call",
        ("texml/callbacks/fields",),
        leg_class(status_params=_call_sid_legacy_of_another_call),
    ),
    Mutant(
        "status callback method ignored",
        ("texml/callbacks/method-get",),
        _leg_setup_changed(status_callback_method="POST"),
    ),
    # The far end answering, refusing or hanging up; how the call ends
    Mutant("busy callee answers", ("texml/callbacks/busy",), leg_class(connect=_busy_answers)),
    Mutant("no-answer rings 30 s", ("texml/callbacks/no-answer",), _leg_setup_changed(timeout=30)),
    Mutant(
        "failed reported as busy",
        ("texml/callbacks/failed", "call-control/dial/failed-callee"),
        leg_class(connect=_failed_as_busy),
    ),
    Mutant("answers at once", ("texml/callbacks/answer-after-ringing",), _party_changed(answer_after=0.0)),
    Mutant(
        "far end never hangs up",
        (
            "texml/callbacks/far-end-hangs-up",
            "texml/say/loop-zero-is-infinite",
            "texml/play/loop-zero-is-infinite",
            "call-control/hangup/far-end-hangs-up",
        ),
        _party_changed(hangup_at=None),
    ),
    Mutant(
        "a call hung up while ringing reported completed",
        ("texml/callbacks/canceled-while-ringing",),
        interpreter_class(interrupt=_api_hangup_always_completed),
    ),
    Mutant(
        "unanswered call reported completed",
        ("texml/callbacks/no-answer", "texml/callbacks/no-answer-default-timeout"),
        leg_class(finish=_unanswered_as_completed),
    ),
    Mutant(
        "a call that never connected lasts 1 s",
        ("texml/callbacks/canceled-while-ringing",),
        leg_class(status_params=_unanswered_duration_rounded_up),
    ),
    # Encoding, and inbound calls
    Mutant("status callbacks sent as JSON", ("texml/callbacks/fields",), leg_class(notify=_notify_as_json)),
    Mutant(
        "inbound calls ignore the application's status callback",
        ("texml/callbacks/inbound-status-callback-from-application",),
        leg_class(__init__=_inbound_status_callback_ignored),
    ),
]


# Documented alternatives (errata E-056, E-122, E-124, E-161).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "an unanswered call ends canceled",
        ("texml/callbacks/no-answer", "texml/callbacks/no-answer-default-timeout"),
        leg_class(finish=_unanswered_as_canceled),
    ),
    Alternative(
        "busy and failed calls never ring",
        ("texml/callbacks/busy", "texml/callbacks/failed"),
        leg_class(connect=_busy_or_failed_without_ringing),
    ),
    Alternative(
        "CallDuration counted from the call's start",
        (
            "texml/callbacks/far-end-hangs-up",
            "texml/callbacks/fields",
            "texml/hangup/far-end-hangup-source",
            "texml/pause/default-length",
            "texml/pause/length-maximum",
            "texml/say/loop-zero-is-infinite",
            "texml/call/time-limit-ends-call",
            "texml/call/time-limit-default-four-hours",
            "texml/call/update-completed-ends-call",
            "texml/callbacks/canceled-while-ringing",
        ),
        leg_class(set_status=_set_status_noting_initiation, status_params=_duration_from_initiation),
    ),
    Alternative(
        "a call that never connected has no CallDuration",
        ("texml/callbacks/canceled-while-ringing", "texml/callbacks/busy", "texml/callbacks/no-answer"),
        leg_class(status_params=_no_duration_before_answer),
    ),
]
