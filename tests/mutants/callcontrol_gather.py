"""Call Control gather, gather_using_audio, gather_using_speak and gather_stop, the DTMF webhook, and send_dtmf
(scenarios call-control/gather*/, call-control/dtmf/, call-control/send_dtmf/)."""

from collections.abc import Callable
from dataclasses import dataclass

from conformance_emulator import Behaviour
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallControlController
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from conformance_emulator.controllers.callcontrol.media import Action, Gather
from tests.mutants.builders import (
    Alternative,
    Body,
    Mutant,
    command_changed,
    command_ignored,
    defaulted,
    member_changed,
    shifted,
    webhook_dropped,
    without,
)


@dataclass
class _GatherTimingFromThePrompt(Gather):
    """Counts timeout_millis from the start of the prompt, where upstream counts it from the prompt's end."""

    _prompt_at: float = 0.0

    def _attempt(self, driver: CallDriver, prompt: Action | None) -> None:
        self._prompt_at = driver.leg.clock.elapsed
        Gather._attempt(self, driver, prompt)

    def _listen(self, driver: CallDriver) -> None:
        Gather._listen(self, driver)
        self._ends_at = self._prompt_at + self.overall
        self.deadline = min(self._prompt_at + self.first, self._ends_at)


def _gather_timing_from_the_prompt(action: str) -> Callable[[], Behaviour]:
    """gather_using_audio or gather_using_speak counting timeout_millis from the start of each prompt."""

    def build() -> Behaviour:
        real = getattr(CallControlController(None, None), "_" + action)  # type: ignore[arg-type]

        def handler(call: CallDriver, body: Body) -> None:
            real(call, body)
            call.media[-1].__class__ = _GatherTimingFromThePrompt

        return Behaviour(callcontrol=CallControlBehaviour(commands={action: handler}))

    return build


MUTANTS: list[Mutant] = [
    # gather
    Mutant(
        "gather digits keep the terminating digit",
        ("call-control/gather/terminating-digit-not-in-digits",),
        member_changed("call.gather.ended", "digits", lambda digits: digits + "#"),
    ),
    Mutant(
        "gather terminating_digit ignored",
        ("call-control/gather/terminating-digit-custom",),
        command_changed("gather", without("terminating_digit")),
    ),
    Mutant(
        "gather maximum_digits one more",
        ("call-control/gather/maximum-digits-ends-the-gather",),
        command_changed("gather", shifted("maximum_digits", 1)),
    ),
    Mutant(
        "gather minimum_digits one less",
        ("call-control/gather/minimum-digits-not-reached",),
        command_changed("gather", shifted("minimum_digits", -1)),
    ),
    Mutant(
        "gather minimum_digits one more",
        ("call-control/gather/minimum-digits-met",),
        command_changed("gather", shifted("minimum_digits", 1)),
    ),
    Mutant(
        "gather valid_digits ignored",
        ("call-control/gather/valid-digits-refuses-others",),
        command_changed("gather", without("valid_digits")),
    ),
    Mutant(
        "gather valid_digits default without *",
        ("call-control/gather/valid-digits-default-star",),
        command_changed("gather", defaulted(valid_digits="0123456789#")),
    ),
    Mutant(
        "gather initial timeout default 6 s",
        ("call-control/gather/initial-timeout-default",),
        command_changed("gather", defaulted(initial_timeout_millis=6000)),
    ),
    Mutant(
        "gather initial_timeout_millis ignored",
        ("call-control/gather/initial-timeout",),
        command_changed("gather", without("initial_timeout_millis")),
    ),
    Mutant(
        "gather inter_digit_timeout_millis ignored",
        ("call-control/gather/inter-digit-timeout",),
        command_changed("gather", without("inter_digit_timeout_millis")),
    ),
    Mutant(
        "gather inter-digit timeout default 4 s",
        ("call-control/gather/inter-digit-timeout-default",),
        command_changed("gather", defaulted(inter_digit_timeout_millis=4000)),
    ),
    Mutant(
        "gather timeout_millis ignored",
        ("call-control/gather/timeout-millis-bounds-the-whole-gather",),
        command_changed("gather", without("timeout_millis")),
    ),
    Mutant("gather_stop ignored", ("call-control/gather_stop/cancels-the-gather",), command_ignored("gather_stop")),
    Mutant(
        "gather_using_speak language ignored",
        ("call-control/gather_using_speak/prompt-then-digits",),
        command_changed("gather_using_speak", without("language")),
    ),
    Mutant(
        "gather_using_speak maximum_tries default 2",
        ("call-control/gather_using_speak/maximum-tries-default-3",),
        command_changed("gather_using_speak", defaulted(maximum_tries=2)),
    ),
    Mutant(
        "gather_using_speak invalid_payload ignored",
        ("call-control/gather_using_speak/invalid-payload-on-retry",),
        command_changed("gather_using_speak", without("invalid_payload")),
    ),
    Mutant(
        "gather_using_audio timeout_millis counted from the prompt's start",
        ("call-control/gather_using_audio/maximum-tries",),
        _gather_timing_from_the_prompt("gather_using_audio"),
    ),
    Mutant(
        "gather_using_speak timeout_millis counted from the prompt's start",
        ("call-control/gather_using_speak/timeout-counts-from-the-prompts-end",),
        _gather_timing_from_the_prompt("gather_using_speak"),
    ),
    Mutant(
        "gather_using_audio maximum_tries ignored",
        ("call-control/gather_using_audio/maximum-tries",),
        command_changed("gather_using_audio", without("maximum_tries")),
    ),
    Mutant(
        "call.dtmf.received dropped",
        ("call-control/dtmf/each-key-reported", "call-control/gather/terminating-digit-not-in-digits"),
        webhook_dropped("call.dtmf.received"),
    ),
    # send_dtmf
    Mutant(
        "send_dtmf duration default 200 ms",
        ("call-control/send_dtmf/duration-default-250",),
        command_changed("send_dtmf", defaulted(duration_millis=200)),
    ),
    Mutant(
        "send_dtmf duration clamped to 400 ms",
        ("call-control/send_dtmf/duration-maximum",),
        command_changed(
            "send_dtmf", lambda body: {**body, "duration_millis": min(body.get("duration_millis", 250), 400)}
        ),
    ),
]


ALTERNATIVES: list[Alternative] = []
