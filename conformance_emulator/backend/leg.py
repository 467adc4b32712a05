"""One call leg: its status and status callbacks, and the media plane (what the timeline records).

A leg does not know what drives it: a controller (the TeXML interpreter, for one) gives
it a Driver, which acts on the leg through answer, spend, record and notify.
"""

import asyncio
import itertools
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.notifier import Channel
from conformance_emulator.backend.outbound import FORM
from conformance_emulator.backend.parties import Party
from conformance_emulator.backend.recording import CallRecordingSetup, Recording, Sound

if TYPE_CHECKING:
    from conformance_emulator.backend.tree import CallTree

MAX_TIMELINE_EVENTS = 5000
STATUS_EVENTS = {"initiated": "initiated", "ringing": "ringing", "in-progress": "answered"}
TERMINAL = frozenset({"completed", "busy", "no-answer", "failed", "canceled"})


def sip_credentials(username: str | None, password: str | None) -> tuple[str, str] | None:
    """What a call answers a far end's challenge with; None: it has no credentials to give."""
    return None if username is None else (username, password or "")


@dataclass(frozen=True)
class Offer:
    """What the INVITE of an outbound call offers the far end (InitiateCall's SIP members)."""

    # No defaults here: the controller reads them from the contract (specs/), their one source.
    caller_name: str
    headers: tuple[tuple[str, str], ...]
    codecs: tuple[str, ...]
    media_encryption: str
    sip_region: str

    def as_fields(self) -> dict[str, Any]:
        """The offer as the far end sees it."""
        return {
            "caller_name": self.caller_name,
            "headers": [{"name": name, "value": value} for name, value in self.headers],
            "codecs": list(self.codecs),
            "media_encryption": self.media_encryption,
            "sip_region": self.sip_region,
        }


@dataclass(frozen=True)
class LegSetup:
    """Who calls whom, and how the leg reports its progress."""

    account_sid: str
    sid: str
    from_: str
    to: str
    direction: str  # "outbound-api" or "inbound"
    status_callback: str | None = None
    status_callback_method: str = "POST"
    status_callback_events: frozenset[str] = frozenset({"completed"})
    timeout: int = 30
    time_limit: int = 14400
    parent_sid: str | None = None
    offer: Offer | None = None  # None: a leg whose INVITE the simulation does not describe (Call Control)
    # (username, password) answering the far end's challenge: checked, never shown on the timeline.
    credentials: tuple[str, str] | None = None
    recording: CallRecordingSetup | None = None  # record the whole call once answered


class CallEnded(Exception):
    def __init__(self, cause: str, source: str, status: str = "completed") -> None:
        super().__init__(cause)
        self.cause, self.source, self.status = cause, source, status


class Driver(Protocol):
    """What a controller gives a leg to run once it is connected."""

    async def drive(self) -> None: ...


class Leg:
    """A call leg. Subclasses (mutants in the project's tests) may override any step."""

    def __init__(
        self,
        setup: LegSetup,
        party: Party,
        tree: "CallTree",
        callbacks: Channel,
        on_status: Callable[[str], None],
    ) -> None:
        self.setup = setup
        self.party = party
        self.tree = tree
        self.callbacks = callbacks
        self.timeline: list[dict[str, Any]] = []
        self.truncated = False
        self.statuses = ["queued"]
        self.answered_at: float | None = None
        self.driver: Driver | None = None
        # Observers of status changes (a controller that reports them, e.g. as webhooks).
        self.listeners: list[Callable[[Leg, str], None]] = []
        # How the leg ended, once it did.
        self.end: CallEnded | None = None
        self.ended = asyncio.Event()
        self._on_status = on_status
        self._sequence = itertools.count()
        self._presses = list(party.digits)
        # What the call played (outbound track); the far end's speech joins it once answered.
        self.sounds: list[Sound] = []
        self.recording: Recording | None = None
        self._ending: CallEnded | None = None
        self._task: asyncio.Task[Any] | None = None

    @property
    def sid(self) -> str:
        return self.setup.sid

    @property
    def clock(self) -> VirtualClock:
        return self.tree.clock

    @property
    def status(self) -> str:
        return self.statuses[-1]

    # -- life cycle -------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, then let the driver act until it (or the far end, or a hang-up) ends the leg."""
        assert self.driver is not None, "a leg runs once a controller drives it"
        self._task = asyncio.current_task()
        with self.clock.participant():
            try:
                await self._connect_and_drive(self.driver)
            except CallEnded as end:
                self.finish(end)
            finally:
                self.callbacks.close()
                self.ended.set()

    async def _connect_and_drive(self, driver: Driver) -> None:
        try:
            await self.connect()
            await driver.drive()
        except asyncio.CancelledError:
            if self._ending is None:
                raise
            raise self._ending from None

    async def connect(self) -> None:
        """Reach the far end (outbound): ring, then answer or end as the party's script says."""
        if self.setup.direction == "inbound":
            self.set_status("ringing")
            return
        self.set_status("initiated")
        if not self.authenticated():
            # The far end refuses the INVITE at its challenge, before anything rings.
            raise CallEnded("forbidden", "callee", status="failed")
        self.set_status("ringing")
        self.record("ringing", **self.offered())
        outcome = self.party.outcome
        if outcome in ("busy", "failed"):
            raise CallEnded(outcome, "callee", status=outcome)
        if outcome == "no-answer" or self.party.answer_after >= self.setup.timeout:
            await self.clock.sleep(self.setup.timeout)
            raise CallEnded("no-answer", "callee", status="no-answer")
        await self.clock.sleep(self.party.answer_after)
        self.answer()

    def authenticated(self) -> bool:
        """Whether the call passes the far end's challenge: none, or the credentials it expects."""
        challenge = self.party.auth_challenge
        return challenge is None or self.setup.credentials == challenge

    def offered(self) -> dict[str, Any]:
        """What the far end is offered, for the ringing event (nothing for a leg without an offer)."""
        offer = self.setup.offer
        return {} if offer is None else {"caller_number": self.setup.from_, **offer.as_fields()}

    def hang_up(self, end: CallEnded) -> bool:
        """End the leg from outside (an API request); False when it is not running."""
        if self.status in TERMINAL or self._task is None or self._task.done():
            return False
        self._ending = end
        self._task.cancel()
        return True

    def finish(self, end: CallEnded) -> None:
        self.end = end
        self.stop_recording("hangup")
        self.record("hangup", cause=end.cause, source=end.source)
        self.set_status(end.status if self.answered_at is None else "completed", hangup_source=end.source)

    @property
    def settled(self) -> bool:
        """Ended, and no callback it queued still pending (each delivered or given up)."""
        return self.ended.is_set() and self.callbacks.drained.is_set()

    async def reached(self, point: str) -> None:
        """Return once the leg has ``point``: "ended", or "settled"."""
        await self.ended.wait()
        if point == "settled":
            await self.callbacks.drained.wait()

    # -- the media plane --------------------------------------------------------------------

    def now(self) -> float:
        return round(self.clock.elapsed, 3)

    def record(self, event: str, **fields: Any) -> None:
        if len(self.timeline) >= MAX_TIMELINE_EVENTS:
            self.truncated = True
            return
        self.timeline.append({"at": self.now(), "event": event, **fields})

    def answer(self, answered_by: str = "human") -> None:
        if self.answered_at is not None:
            return
        self.answered_at = self.clock.elapsed
        self.record("answered", answered_by=answered_by)
        self.set_status("in-progress")
        self.sounds += [
            Sound(self.answered_at + t.at, self.answered_at + t.at + t.length, "inbound") for t in self.party.speech
        ]
        if self.setup.recording is not None:
            self.start_recording(self.setup.recording)

    async def spend(self, seconds: float, listen: bool = False) -> str | None:
        """Let ``seconds`` of call time pass (math.inf: until something happens).

        Returns the keys of a press that arrives meanwhile when ``listen``; raises CallEnded
        when the far end hangs up or the time limit is reached first.
        """
        deadline = self.clock.elapsed + seconds
        while True:
            hangup, limit = self._hangup_time(), self._limit_time()
            press_at = self._next_press_time()
            silence = self.recording.silence_stop(self.sounds) if self.recording else math.inf
            stop = min(deadline, hangup, limit, press_at, silence)
            if stop == math.inf:
                raise CallEnded("nothing-can-happen", "caller")
            await self.clock.sleep_until(stop)
            if stop == hangup:
                raise CallEnded("hangup", "callee")
            if stop == limit:
                raise CallEnded("time-limit", "caller")
            if stop == silence:
                self.stop_recording("silence")
                continue
            if stop == press_at:
                keys = self._presses.pop(0).keys
                self.record("digits", keys=keys)
                if listen:
                    return keys
                continue
            return None

    async def play_sound(self, seconds: float, listen: bool = False) -> str | None:
        """Play audio to the far end for ``seconds`` (the outbound track), as spend does; a key press that
        stops it early (``listen``) cuts the sound short."""
        sound = Sound(self.clock.elapsed, self.clock.elapsed + seconds, "outbound")
        self.sounds.append(sound)
        try:
            return await self.spend(seconds, listen)
        finally:
            sound.end = min(sound.end, self.clock.elapsed)

    # -- recording the whole call -----------------------------------------------------------

    def start_recording(self, setup: CallRecordingSetup) -> None:
        self.recording = Recording.begin(setup, self.clock.elapsed)
        self.record("record-start", channels=setup.channels, track=setup.track)
        self._recording_callback(self.recording, "in-progress", None)

    def stop_recording(self, reason: str) -> None:
        """End the call's recording (if one runs): the timeline, then the callback for how it ended."""
        recording, self.recording = self.recording, None
        if recording is None:
            return
        length = recording.length(self.sounds, self.clock.elapsed)
        self.record("record-stop", duration=int(length or 0), reason=reason)
        self._recording_callback(recording, "absent" if length is None else "completed", length)

    def _recording_callback(self, recording: Recording, status: str, length: float | None) -> None:
        setup = recording.setup
        if not setup.callback or status not in setup.callback_events:
            return
        params = {
            "AccountSid": self.setup.account_sid,
            "CallSid": self.setup.sid,
            "From": self.setup.from_,
            "To": self.setup.to,
        }
        self.notify(setup.callback, setup.callback_method, {**params, **recording.callback_params(status, length)})

    def _anchor(self) -> float:
        return math.inf if self.answered_at is None else self.answered_at

    def _hangup_time(self) -> float:
        return math.inf if self.party.hangup_at is None else self._anchor() + self.party.hangup_at

    def _limit_time(self) -> float:
        return self._anchor() + self.setup.time_limit

    def _next_press_time(self) -> float:
        return self._anchor() + self._presses[0].at if self._presses else math.inf

    # -- callbacks --------------------------------------------------------------------------

    def notify(self, url: str, method: str, params: Mapping[str, str], encoding: str = FORM) -> None:
        """Queue a callback to the application, after the leg's earlier ones."""
        self.callbacks.put(url, method, params, encoding)

    def set_status(self, status: str, hangup_source: str | None = None) -> None:
        self.statuses.append(status)
        self._on_status(status)
        for listener in list(self.listeners):  # a listener may remove itself (a member leaving as its leg ends)
            listener(self, status)
        event = "completed" if status in TERMINAL else STATUS_EVENTS.get(status)
        if event is None or event not in self.setup.status_callback_events or not self.setup.status_callback:
            return
        self.notify(
            self.setup.status_callback, self.setup.status_callback_method, self.status_params(status, hangup_source)
        )

    def status_params(self, status: str, hangup_source: str | None) -> dict[str, str]:
        params = {
            "AccountSid": self.setup.account_sid,
            "CallSid": self.setup.sid,
            "CallSidLegacy": self.setup.sid,
            "CallStatus": status,
            "CallbackSource": "call-progress-events",
            "From": self.setup.from_,
            "To": self.setup.to,
            "Direction": self.setup.direction,
            "SequenceNumber": str(next(self._sequence)),
            "Timestamp": self.timestamp(),
        }
        if self.setup.parent_sid:
            params["ParentCallSid"] = params["ParentCallSidLegacy"] = self.setup.parent_sid
        if status in TERMINAL:
            answered = self.answered_at if self.answered_at is not None else self.clock.elapsed
            params["CallDuration"] = str(int(self.clock.elapsed - answered))
            params["HangupSource"] = hangup_source or ""
        return params

    def timestamp(self) -> str:
        moment = datetime.fromtimestamp(self.clock.epoch(), UTC)
        return moment.strftime("%Y-%m-%d %H:%M:%S.%fZ")

    def as_timeline(self) -> dict[str, Any]:
        return {
            "call_sid": self.setup.sid,
            "parent_call_sid": self.setup.parent_sid,
            "child_call_sids": self.tree.children_of(self.setup.sid),
            "status": self.status,
            "truncated": self.truncated,
            "settled": self.settled,
            "events": list(self.timeline),
        }
