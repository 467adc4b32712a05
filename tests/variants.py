"""Documented variants: the reference emulator made to follow the other source where two disagree.

Each is a behaviour some source documents, which the suite must accept (errata E-130 on): run
against the checks the ruling relaxed, every one passes or is not applicable, and each check named
in ``reports`` says in its summary detail which source the target followed. The faults in
tests/faulty.py prove the converse: what no source allows still fails.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance_emulator import Behaviour, EmulatorSettings, build_app
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallStateError
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from tests.faulty import (
    E164,
    NOT_IN_ENUM,
    OUT_OF_RANGE,
    ASGIApp,
    Scope,
    _dial_timeout,
    _is_command,
    _refusal,
    answering_before_the_emulator,
)

SEED_003_CODECS = ("PCMA", "PCMU", "default")


def dial_rings_at_most_120(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Seed 001's range: a Dial ringing more than 120 s is refused with the range code."""
    timeout = _dial_timeout(scope, body)
    return (422, _refusal(*OUT_OF_RANGE, "/timeout_secs")) if isinstance(timeout, int) and timeout > 120 else None


def answer_streams_seed_003_codecs(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Seed 003's codecs: Answer's stream_codec is PCMA, PCMU or default; any other word is refused 10032."""
    codec = body.get("stream_codec") if isinstance(body, dict) else None
    refused = _is_command(scope, "answer") and isinstance(codec, str) and codec not in SEED_003_CODECS
    return (422, _refusal(*NOT_IN_ENUM, "/stream_codec")) if refused else None


def _for_incoming_calls_only(call: CallDriver, body: dict[str, Any]) -> None:
    raise CallStateError("not_answered", "Answer and Reject are for an incoming call; this leg was dialled")


def answer_and_reject_incoming_only() -> Behaviour:
    """Seed 003 and upstream: Answer and Reject are for an incoming call. Every leg here is dialled, so a valid
    Answer or Reject to a live leg is refused with a documented call-state code (not answered yet); the call goes
    on. An ended leg still gets 90018, a body that breaks a rule its rule's code, as for any command."""
    refuse = {"answer": _for_incoming_calls_only, "reject": _for_incoming_calls_only}
    return Behaviour(callcontrol=CallControlBehaviour(commands=refuse))


def dial_numbers_and_sip_uris_only(scope: Scope, body: Any) -> tuple[int, Any] | None:
    """Seed 001 and upstream's 10016: a Dial whose to is neither a +E.164 number nor a SIP URI, or whose from is
    not a +E.164 number, is refused with 10016 at that member."""
    if not scope["path"].endswith("/calls") or not isinstance(body, dict):
        return None
    destinations = body.get("to") if isinstance(body.get("to"), list) else [body.get("to")]
    wrong_to = any(
        isinstance(to, str) and not (E164.fullmatch(to) or to.startswith(("sip:", "sips:"))) for to in destinations
    )
    wrong_from = isinstance(body.get("from"), str) and not E164.fullmatch(body["from"])
    pointer = "/to" if wrong_to else "/from" if wrong_from else None
    return (422, _refusal("10016", "Phone number must be in +E164 format", pointer)) if pointer else None


@dataclass(frozen=True)
class Variant:
    name: str
    reports: dict[str, str]  # check id -> the source its summary detail must name
    checks: tuple[str, ...] = ()  # more checks that must pass (or be not applicable) against it
    # How the emulator is changed: a wrapper of its ASGI app, or the Behaviour it is built with.
    wrap: Callable[[ASGIApp, str], ASGIApp] | None = None
    behaviour: Callable[[], Behaviour] | None = None

    def app(self, api_key: str) -> ASGIApp:
        app = build_app(EmulatorSettings(api_key=api_key), self.behaviour() if self.behaviour else None)
        return self.wrap(app, api_key) if self.wrap else app


SEED_001 = "seed 001 (Dial rings 5 to 120 seconds)"
SEED_003 = "seed 003 (Answer streams PCMA, PCMU or the call's codec)"
INCOMING_ONLY = "seed 003 and upstream (Answer and Reject are for an incoming call"

VARIANTS = (
    Variant(
        "Dial rings at most 120 s (seed 001)",
        {
            "rest/DialCall/timeout_secs=121->accepted-or-10033": SEED_001,
            "rest/DialCall/timeout_secs=600->accepted-or-10033": SEED_001,
        },
        (
            "rest/DialCall/timeout_secs=120->accepted",
            "rest/DialCall/timeout_secs=601->10033",
            "rest/DialCall/timeout_secs=4->10033",
            "fuzz/positive/DialCall",
        ),
        wrap=answering_before_the_emulator(dial_rings_at_most_120),
    ),
    Variant(
        "Answer streams PCMA, PCMU or default only (seed 003)",
        {
            "rest/AnswerCall/stream_codec='G722'->accepted-or-10032": SEED_003,
            "rest/AnswerCall/stream_codec='L16'->accepted-or-10032": SEED_003,
        },
        (
            "rest/AnswerCall/stream_codec='PCMA'->accepted",
            "rest/AnswerCall/stream_codec='not-a-documented-value'->10032",
            "fuzz/positive/AnswerCall",
        ),
        wrap=answering_before_the_emulator(answer_streams_seed_003_codecs),
    ),
    Variant(
        "Dial to numbers and SIP URIs only (seed 001, upstream 10016)",
        {
            "rest/DialCall/to='not-a-number'->accepted-or-10016": "seed 001 and upstream (to is a number",
            "rest/DialCall/from='not-a-number'->accepted-or-10016": "seed 001 and upstream (from should be",
        },
        ("rest/DialCall/timeout_secs=5->accepted", "fuzz/positive/DialCall"),
        wrap=answering_before_the_emulator(dial_numbers_and_sip_uris_only),
    ),
    Variant(
        "Answer and Reject for incoming calls only (seed 003, upstream)",
        {
            "callcontrol/reject/answered-call-rejected": INCOMING_ONLY,
            "callcontrol/reject/user-busy": INCOMING_ONLY,
            "rest/AnswerCall/record_max_length=0->accepted": "not applicable",
            "rest/AnswerCall/stream_codec='G722'->accepted-or-10032": "not applicable",
        },
        (
            "rest/RejectCall/cause=(absent)->10004",
            "rest/AnswerCall/record_max_length=-1->10033",
            "rest/AnswerCall/call=ended->90018",
            "fuzz/positive/AnswerCall",
            "fuzz/positive/RejectCall",
        ),
        behaviour=answer_and_reject_incoming_only,
    ),
)
