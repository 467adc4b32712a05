"""What plays on a Call Control leg and what listens to it: speech, audio, digit collection.

Actions run one at a time, in the order the commands came (a ``stop`` member of a new
speak or playback clears what plays first). Each is a small state machine the leg's
driver steps: ``start`` once, ``due`` when its deadline (virtual seconds) is reached,
``key`` for each key the far end presses, ``stop`` when it is cut short. ``due`` and
``key`` return True once the action is over. Before an action starts, the driver awaits its
``prepare`` (a playback fetches its audio to learn how long it lasts, as a TeXML Play does),
holding the clock while it fetches.
"""

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from conformance_emulator.backend.audio import UNREADABLE_SECONDS, audio_seconds
from conformance_emulator.controllers.callcontrol import webhooks

if TYPE_CHECKING:
    from conformance_emulator.controllers.callcontrol.driver import CallDriver

# The media plane's durations, as in the TeXML interpreter: a spoken word, one play of an audio file it
# cannot fetch or read (a WAV file it fetches lasts as long as its frames say). No source states either
# (errata E-030, E-153).
SPEAK_SECONDS_PER_WORD = 0.4
PLAY_SECONDS = UNREADABLE_SECONDS


def repetitions(loop: Any) -> float:
    return math.inf if loop == "infinity" else float(loop)


class Action:
    deadline: float = math.inf
    prepared: bool = False  # set by the driver, which prepares each queued action once

    async def prepare(self, driver: "CallDriver") -> None:
        """Fetch what the action needs before it can start (the driver awaits it, holding the clock)."""

    def start(self, driver: "CallDriver") -> None: ...

    def due(self, driver: "CallDriver") -> bool:
        return True

    def key(self, driver: "CallDriver", key: str) -> bool:
        return False

    def stop(self, driver: "CallDriver", status: str) -> None: ...


@dataclass
class Speak(Action):
    """Text to speech: a ``say`` timeline event per repetition; call.speak.started / ended."""

    payload: str
    voice: str
    language: str | None
    loop: Any = 1
    announce: bool = True  # send call.speak.* (not for the prompts of gather_using_speak)
    deadline: float = math.inf
    _left: float = 0

    def start(self, driver: "CallDriver") -> None:
        self._left = repetitions(self.loop)
        if self.announce:
            webhooks.send(driver, "call.speak.started")
        self._once(driver)

    def _once(self, driver: "CallDriver") -> None:
        driver.leg.record("say", text=self.payload, voice=self.voice, language=self.language)
        seconds = max(1.0, math.ceil(len(self.payload.split()) * SPEAK_SECONDS_PER_WORD))
        self.deadline = driver.leg.clock.elapsed + seconds

    def due(self, driver: "CallDriver") -> bool:
        self._left -= 1
        if self._left > 0:
            self._once(driver)
            return False
        if self.announce:
            webhooks.send(driver, "call.speak.ended", status="completed")
        return True

    def stop(self, driver: "CallDriver", status: str) -> None:
        # call.speak.ended knows no "cancelled": a stopped speech ends without a status.
        if self.announce:
            fields = {"status": status} if status == "call_hangup" else {}
            webhooks.send(driver, "call.speak.ended", **fields)


@dataclass
class Playback(Action):
    """Audio: a ``play`` timeline event per repetition; call.playback.started / ended."""

    audio_url: str | None
    media_name: str | None
    loop: Any = 1
    overlay: bool = False
    deadline: float = math.inf
    seconds: float | None = None  # how long one play lasts: the audio's own length, when it could be read
    _left: float = 0

    async def prepare(self, driver: "CallDriver") -> None:
        if self.audio_url:
            self.seconds = await audio_seconds(driver.outbound, self.audio_url)

    def _media(self) -> dict[str, Any]:
        media: dict[str, Any] = {"overlay": self.overlay}
        if self.audio_url:
            media["media_url"] = self.audio_url
        if self.media_name:
            media["media_name"] = self.media_name
        return media

    def start(self, driver: "CallDriver") -> None:
        if not (self.audio_url or self.media_name):
            webhooks.send(driver, "call.playback.ended", **self._media(), status="file_not_found",
                          status_detail="no audio_url, media_name or playback_content to play")  # fmt: skip
            self.deadline = driver.leg.clock.elapsed
            self._left = 0
            return
        self._left = repetitions(self.loop)
        webhooks.send(driver, "call.playback.started", **self._media())
        self._once(driver)

    def _once(self, driver: "CallDriver") -> None:
        driver.leg.record("play", url=self.audio_url or self.media_name or "", media_storage=bool(self.media_name))
        self.deadline = driver.leg.clock.elapsed + (self.seconds or PLAY_SECONDS)

    def due(self, driver: "CallDriver") -> bool:
        if self._left <= 0:
            return True  # nothing was played
        self._left -= 1
        if self._left > 0:
            self._once(driver)
            return False
        webhooks.send(driver, "call.playback.ended", **self._media(), status="completed")
        return True

    def stop(self, driver: "CallDriver", status: str) -> None:
        if self._left > 0:
            webhooks.send(driver, "call.playback.ended", **self._media(), status=status)


@dataclass
class Gather(Action):
    """Collect digits (after an optional prompt, repeated up to ``tries`` times); call.gather.ended.

    Timeouts in seconds: ``first`` for the first digit, ``between`` digits, ``overall`` for the
    whole collection. The terminating digit ends it and is not part of ``digits``; reaching
    ``maximum`` ends it too. The result is valid when ``minimum`` <= len <= ``maximum`` and every
    digit is in ``valid``, timeout when no digit came, invalid otherwise.
    """

    minimum: int
    maximum: int
    terminating: str
    valid: str
    first: float
    between: float
    overall: float
    prompt: Action | None = None
    invalid_prompt: Action | None = None
    tries: int = 1
    deadline: float = math.inf
    digits: str = ""
    _playing: Action | None = None
    _ends_at: float = math.inf
    _tried: int = 0
    _keys: list[str] = field(default_factory=list)

    async def prepare(self, driver: "CallDriver") -> None:
        for prompt in (self.prompt, self.invalid_prompt):
            if prompt is not None:
                await prompt.prepare(driver)

    def start(self, driver: "CallDriver") -> None:
        self._attempt(driver, self.prompt)

    def _attempt(self, driver: "CallDriver", prompt: Action | None) -> None:
        self._tried += 1
        self.digits = ""
        self._playing = prompt
        if prompt is not None:
            prompt.start(driver)
            self.deadline = prompt.deadline
        else:
            self._listen(driver)

    def _listen(self, driver: "CallDriver") -> None:
        now = driver.leg.clock.elapsed
        self._playing = None
        self._ends_at = now + self.overall
        self.deadline = min(now + self.first, self._ends_at)

    def due(self, driver: "CallDriver") -> bool:
        if self._playing is not None:
            if self._playing.due(driver):
                self._listen(driver)
            else:
                self.deadline = self._playing.deadline
            return False
        return self._finish(driver, "timeout" if not self.digits else None)

    def key(self, driver: "CallDriver", key: str) -> bool:
        if self._playing is not None:  # barge-in: a key stops the prompt
            self._playing.stop(driver, "cancelled")
            self._listen(driver)
        if key in self.terminating:
            return self._finish(driver, None)
        self.digits += key
        if len(self.digits) >= self.maximum:
            return self._finish(driver, None)
        self.deadline = min(driver.leg.clock.elapsed + self.between, self._ends_at)
        return False

    def _finish(self, driver: "CallDriver", status: str | None) -> bool:
        if status is None:
            ok = self.minimum <= len(self.digits) <= self.maximum and all(d in self.valid for d in self.digits)
            status = "valid" if ok else "invalid"
        if status != "valid" and self._tried < self.tries:
            self._attempt(driver, self.invalid_prompt or self.prompt)
            return False
        self._ended(driver, status)
        return True

    def _ended(self, driver: "CallDriver", status: str) -> None:
        driver.leg.record("gather", digits=self.digits, status=status)
        webhooks.send(driver, "call.gather.ended", digits=self.digits, status=status)

    def stop(self, driver: "CallDriver", status: str) -> None:
        if self._playing is not None:
            self._playing.stop(driver, status)
        self._ended(driver, status)
