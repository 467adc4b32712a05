"""Recording a whole call leg (InitiateCall's Record and its Recording* members).

The recording starts when the call is answered and holds the tracks it was asked for:
outbound (what the call plays to the far end) and inbound (what the far end says, as its
party script has it talk). It stops when the call ends or, with a silence timeout, once that
many seconds passed without sound after something was heard (errata E-102).
"""

import math
import secrets
from dataclasses import dataclass

RECORDINGS = "https://recordings.emulator.invalid"
CHANNEL_COUNTS = {"mono": "1", "dual": "2"}
TRACKS = {
    "inbound": frozenset({"inbound"}),
    "outbound": frozenset({"outbound"}),
    "both": frozenset({"inbound", "outbound"}),
}


@dataclass(frozen=True)
class CallRecordingSetup:
    """How the call is recorded; a leg without one is not recorded."""

    # No defaults here: the controller reads them from the contract (specs/), their one source.
    channels: str
    track: str
    trim: str
    silence_timeout: float  # 0: silence never stops the recording
    callback: str | None
    callback_method: str
    callback_events: frozenset[str]
    send_url: bool

    @property
    def tracks(self) -> frozenset[str]:
        return TRACKS[self.track]


@dataclass
class Sound:
    """Audio on one track of the call, from ``start`` to ``end`` (virtual seconds)."""

    start: float
    end: float
    track: str  # "outbound" (played by the call) or "inbound" (said by the far end)


@dataclass
class Recording:
    """A recording in progress: its id and when it started."""

    setup: CallRecordingSetup
    sid: str
    started_at: float

    @classmethod
    def begin(cls, setup: CallRecordingSetup, now: float) -> "Recording":
        return cls(setup, secrets.token_hex(16), now)

    @property
    def url(self) -> str:
        return f"{RECORDINGS}/{self.sid}.wav"

    def heard(self, sounds: list[Sound], until: float) -> list[tuple[float, float]]:
        """The sounds on the recorded tracks since the recording started, clipped, merged and in order."""
        spans = sorted(
            (max(s.start, self.started_at), min(s.end, until))
            for s in sounds
            if s.track in self.setup.tracks and s.end > self.started_at and s.start < until
        )
        merged: list[tuple[float, float]] = []
        for start, end in spans:
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def silence_stop(self, sounds: list[Sound]) -> float:
        """When the silence timeout stops the recording, given the sounds known so far (inf: not yet known)."""
        timeout = self.setup.silence_timeout
        if not timeout:
            return math.inf
        last_end: float | None = None
        for start, end in self.heard(sounds, math.inf):
            if last_end is not None and start - last_end >= timeout:
                return last_end + timeout
            last_end = end
        # The timer starts only once something was heard.
        return math.inf if last_end is None else last_end + timeout

    def length(self, sounds: list[Sound], now: float) -> float | None:
        """Seconds of recording kept at ``now``: trimmed of leading and trailing silence unless told
        not to; None when nothing was heard on its tracks (the recording is absent)."""
        heard = self.heard(sounds, now)
        if not heard:
            return None
        if self.setup.trim == "do-not-trim":
            return now - self.started_at
        return heard[-1][1] - heard[0][0]

    def callback_params(self, status: str, duration: float | None) -> dict[str, str]:
        """The recording status callback's recording fields for ``status``: like seed 004's examples, the
        in-progress one names no recording yet; an absent recording has no URL to give."""
        params = {
            "RecordingStatus": status,
            "RecordingChannels": CHANNEL_COUNTS[self.setup.channels],
            "RecordingSource": "OutboundAPI",
        }
        if status == "in-progress":
            return params
        params.update(RecordingSid=self.sid, RecordingDuration=str(int(duration or 0)))
        if self.setup.send_url and status == "completed":
            params["RecordingUrl"] = self.url
        return params
