"""Call Control Dial: the ring timeout and time limit, SIP credentials, how the call ends, client_state, and
what Dial asks for once the call is answered (machine detection, recording, digits, streaming) (scenarios
call-control/dial/)."""

import dataclasses
from collections.abc import Callable
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.leg import Leg
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from tests.mutants.builders import (
    Alternative,
    Body,
    Mutant,
    Payload,
    _leg_setup_changed,
    defaulted,
    driver,
    leg_class,
    member_changed,
    member_replaced,
    webhook_dropped,
    webhooks_changed,
    without,
)


def _leg_setup_shifted(**deltas: int) -> Callable[[], Behaviour]:
    """A leg whose numeric settings (timeout, time_limit) are one off, whether given or defaulted."""

    def __init__(self: Leg, setup: Any, *args: Any) -> None:
        changes = {name: getattr(setup, name) + delta for name, delta in deltas.items()}
        Leg.__init__(self, dataclasses.replace(setup, **changes), *args)

    return leg_class(__init__=__init__)


class _DialClientStateIgnored(CallDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_state = None


def _from_and_to_swapped(event: str, payload: Payload) -> Payload:
    if "from" in payload and "to" in payload:
        return {**payload, "from": payload["to"], "to": payload["from"]}
    return payload


def answer_settings_changed(change: Callable[[Body], Body]) -> Callable[[], Behaviour]:
    """A leg that misreads what Dial asked to happen once the call is answered."""

    class Misread(CallDriver):
        def answered_now(self) -> None:
            self.answer_settings = change(dict(self.answer_settings))
            super().answered_now()

    return driver(Misread)


MUTANTS: list[Mutant] = [
    Mutant(
        "ring timeout one second short",
        (
            "call-control/dial/ring-timeout-ends-unanswered-call",
            "call-control/dial/ring-timeout-default-30",
            "call-control/dial/ring-timeout-minimum",
            "call-control/dial/answered-before-timeout",
        ),
        _leg_setup_shifted(timeout=-1),
    ),
    Mutant(
        "time limit one second long",
        ("call-control/dial/time-limit-ends-call", "call-control/dial/time-limit-default-4-hours"),
        _leg_setup_shifted(time_limit=1),
    ),
    Mutant(
        "time limit counted from the dial, not the answer",
        ("call-control/dial/time-limit-counts-from-answer",),
        leg_class(_limit_time=lambda self: self.setup.time_limit),
    ),
    Mutant(
        "Dial's SIP credentials ignored",
        ("call-control/dial/sip-auth-answers-the-challenge",),
        _leg_setup_changed(credentials=None),
    ),
    Mutant(
        "busy reported as normal_clearing",
        ("call-control/dial/busy-callee", "call-control/reject/user-busy"),
        member_replaced("call.hangup", "hangup_cause", "user_busy", "normal_clearing"),
    ),
    Mutant("dial client_state ignored", ("call-control/dial/client-state-from-dial",), driver(_DialClientStateIgnored)),
    Mutant(
        "webhook from and to swapped", ("call-control/dial/from-and-to-echoed",), webhooks_changed(_from_and_to_swapped)
    ),
    Mutant(
        "machine detection result inverted",
        (
            "call-control/dial/machine-detection-machine",
            "call-control/dial/machine-detection-human",
            "call-control/dial/machine-detection-greeting-end",
        ),
        member_changed("call.machine.detection.ended", "result", lambda r: "human" if r == "machine" else "machine"),
    ),
    Mutant(
        "premium machine detection read as the standard one",
        ("call-control/dial/machine-detection-premium-machine", "call-control/dial/machine-detection-premium-human"),
        answer_settings_changed(
            lambda body: (
                {**body, "answering_machine_detection": "detect"}
                if body.get("answering_machine_detection") == "premium"
                else body
            )
        ),
    ),
    Mutant(
        "premium machine detection reports a person as plain human",
        ("call-control/dial/machine-detection-premium-human",),
        member_changed("call.machine.premium.detection.ended", "result", lambda r: "human" if r != "machine" else r),
    ),
    Mutant(
        "machine detection on by default",
        ("call-control/dial/machine-detection-disabled-by-default",),
        answer_settings_changed(defaulted(answering_machine_detection="detect")),
    ),
    Mutant(
        "record-from-answer ignored",
        ("call-control/dial/record-from-answer",),
        answer_settings_changed(without("record")),
    ),
    Mutant(
        "send_digits_on_answer ignored",
        ("call-control/dial/send-digits-on-answer",),
        answer_settings_changed(without("send_digits_on_answer")),
    ),
    Mutant(
        "streaming.stopped dropped",
        (
            "call-control/dial/stream-url-streams-from-answer",
            "call-control/streaming_start/streams-to-the-url",
            "call-control/streaming_stop/stops-the-stream",
        ),
        webhook_dropped("streaming.stopped"),
    ),
]


ALTERNATIVES: list[Alternative] = []
