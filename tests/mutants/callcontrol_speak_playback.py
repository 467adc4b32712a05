"""Call Control speak and playback: loops, languages, the queue and stop, the webhooks they send, media cut short
by the end of the call; and the alternatives of audio and speech of other timing (scenarios
call-control/speak/, call-control/playback_start/, call-control/playback_stop/; errata E-030, E-153, E-154)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.texml.fixtures import default_dir
from conformance_emulator import Behaviour
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallControlController
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from conformance_emulator.controllers.callcontrol.media import Playback, Speak
from conformance_specs.apis import api
from tests.mutants.builders import (
    Alternative,
    Body,
    Mutant,
    command_changed,
    defaulted,
    member_replaced,
    shifted,
    webhook_dropped,
    webhooks_changed,
    without,
)

# -- Call Control audio of other timing (errata E-030, E-153: no source fixes it) ------------------------


GAP_SECONDS = 0.5


@dataclass
class _PlaybackAfterGaps(Playback):
    """Each repetition of the audio (a loop's, or a gather's prompt played again after a timeout) starts 0.5 s
    after the one before ends; audio it cannot read lasts 5 s (the emulator: no gap, 3 s)."""

    _gap: bool = False
    _started: bool = False

    async def prepare(self, driver: CallDriver) -> None:
        await Playback.prepare(self, driver)
        self.seconds = self.seconds or 5.0

    def start(self, driver: CallDriver) -> None:
        if not self._started:
            self._started = True
            Playback.start(self, driver)
            return
        self._left, self._gap = 0, True  # the gather's next try: its prompt plays after a gap
        self.deadline = driver.leg.clock.elapsed + GAP_SECONDS

    def due(self, driver: CallDriver) -> bool:
        if self._gap:
            self._gap = False
            if self._left <= 0:
                Playback.start(self, driver)
            else:
                self._once(driver)
            return False
        if self._left > 1:
            self._left -= 1
            self._gap = True
            self.deadline = driver.leg.clock.elapsed + GAP_SECONDS
            return False
        return Playback.due(self, driver)


def _media_recast(actions: tuple[str, ...], kind: type, recast: type) -> Behaviour:
    """The emulator's own handlers for ``actions``, with every ``kind`` they queue (a prompt too) run as ``recast``."""
    controller = CallControlController(None, None)  # type: ignore[arg-type]

    def recasting(action: str) -> Callable[[CallDriver, Body], Any]:
        real = getattr(controller, "_" + action)

        def handler(call: CallDriver, body: Body) -> Any:
            before = len(call.media)
            result = real(call, body)
            for queued in list(call.media)[before:]:
                for media in (queued, getattr(queued, "prompt", None), getattr(queued, "invalid_prompt", None)):
                    if type(media) is kind:
                        media.__class__ = recast
            return result

        return handler

    return Behaviour(callcontrol=CallControlBehaviour(commands={action: recasting(action) for action in actions}))


def _scenarios_sending(*commands: str) -> tuple[str, ...]:
    """The Call Control scenarios whose reactions send one of ``commands``."""
    return tuple(
        fixture.id
        for fixture in callcontrol_fixtures.load_all(default_dir(), api("callcontrol"))
        if any(reaction.send in commands for reaction in fixture.reactions)
    )


def _playbacks_after_gaps() -> Behaviour:
    """playback_start and gather_using_audio as the emulator runs them, their audio played by _PlaybackAfterGaps."""
    return _media_recast(("playback_start", "gather_using_audio"), Playback, _PlaybackAfterGaps)


# Every Call Control scenario that plays audio (playback_start, gather_using_audio): none may depend on gaps
# between repetitions of it, nor on how long audio the harness does not serve lasts (errata E-030, E-153).
CALL_CONTROL_AUDIO_SCENARIOS = _scenarios_sending("playback_start", "gather_using_audio")


# -- Call Control speech of another length (errata E-030, E-154: no source states it) -------------------


SLOW_SECONDS_PER_WORD = 1.1


@dataclass
class _SlowerSpeech(Speak):
    """Speech of 1.1 s a word, not rounded (the emulator: 0.4 s a word rounded up to whole seconds, at least 1 s)."""

    def _once(self, driver: CallDriver) -> None:
        driver.leg.record("say", text=self.payload, voice=self.voice, language=self.language)
        self.deadline = driver.leg.clock.elapsed + SLOW_SECONDS_PER_WORD * len(self.payload.split())


def _slower_speech() -> Behaviour:
    """speak and gather_using_speak as the emulator runs them, their speech (and prompts) said by _SlowerSpeech."""
    return _media_recast(("speak", "gather_using_speak"), Speak, _SlowerSpeech)


# Every Call Control scenario that speaks (speak, gather_using_speak): none may depend on how long its speech
# lasts (errata E-030, E-154).
CALL_CONTROL_SPEECH_SCENARIOS = _scenarios_sending("speak", "gather_using_speak")

MUTANTS: list[Mutant] = [
    # Media cut short by the end of the call
    Mutant(
        "media cut by hangup reported completed",
        (
            "call-control/speak/far-end-hangs-up-mid-speech",
            "call-control/playback_start/far-end-hangs-up-mid-playback",
            "call-control/playback_stop/stop-current-plays-the-next",
            "call-control/gather/far-end-hangs-up-mid-gather",
        ),
        member_replaced(r"call\.(speak|playback|gather)\.ended", "status", "call_hangup", "completed"),
    ),
    # speak
    Mutant(
        "speak loop one short",
        ("call-control/speak/loop-repeats-the-speech",),
        command_changed("speak", shifted("loop", -1)),
    ),
    Mutant(
        "speak loop default 2", ("call-control/speak/loop-default-once",), command_changed("speak", defaulted(loop=2))
    ),
    Mutant(
        "speak language defaults to en-US",
        ("call-control/speak/language-not-defaulted",),
        command_changed("speak", defaulted(language="en-US")),
    ),
    Mutant(
        "speak cuts what plays",
        ("call-control/speak/queued-in-order",),
        command_changed("speak", lambda body: {**body, "stop": "current"}),
    ),
    Mutant(
        "speak stop ignored",
        ("call-control/speak/stop-current-cuts-the-speech",),
        command_changed("speak", without("stop")),
    ),
    # playback
    Mutant(
        "call.playback.started dropped",
        ("call-control/playback_start/plays-the-audio-url", "call-control/gather_using_audio/prompt-then-digits"),
        webhook_dropped("call.playback.started"),
    ),
    Mutant(
        "playback loop ignored",
        ("call-control/playback_start/loop-plays-again",),
        command_changed("playback_start", without("loop")),
    ),
    Mutant(
        "playback webhooks without media_name",
        ("call-control/playback_start/media-name",),
        webhooks_changed(lambda event, payload: {k: v for k, v in payload.items() if k != "media_name"}),
    ),
    Mutant(
        "playback overlay ignored",
        ("call-control/playback_start/overlay-echoed",),
        command_changed("playback_start", without("overlay")),
    ),
    Mutant(
        "stopped playback reported completed",
        (
            "call-control/playback_stop/cancels-the-playback",
            "call-control/playback_stop/stop-default-all-empties-the-queue",
            "call-control/gather_using_audio/key-during-prompt-stops-it",
        ),
        member_replaced("call.playback.ended", "status", "cancelled", "completed"),
    ),
    Mutant(
        "playback_stop default current",
        ("call-control/playback_stop/stop-default-all-empties-the-queue",),
        command_changed("playback_stop", defaulted(stop="current")),
    ),
    Mutant(
        "playback_stop current empties the queue",
        ("call-control/playback_stop/stop-current-plays-the-next",),
        command_changed("playback_stop", lambda body: {**body, "stop": "all"}),
    ),
]


# Documented alternatives (errata E-030, E-153, E-154).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "Call Control audio repeats after gaps, and audio it cannot read lasts 5 s (errata E-030, E-153)",
        CALL_CONTROL_AUDIO_SCENARIOS,
        _playbacks_after_gaps,
    ),
    Alternative(
        "Call Control speech lasts 1.1 s a word (errata E-030, E-154)",
        CALL_CONTROL_SPEECH_SCENARIOS,
        _slower_speech,
    ),
]
