"""One Call Control leg: its state (ids, client_state, webhook URL) and the loop that runs its media.

The leg connects as any leg does (ringing, then the party answers or not); from then on the
driver waits for commands, which the controller applies to it and which wake it up. Media
that take time (speak, playback, gather) run as Actions on the virtual clock; recordings,
forks and streams are state with, at most, a deadline. Bridges and queues are the backend's
resources (backend/bridges.py, backend/queues.py): the driver puts its leg in them and sends
the webhooks that say so; a queue's maximum wait is a deadline of the driver's loop. A stream to a WebSocket the
emulator may contact (loopback) really connects there and sends upstream's connected, start and
stop frames, no media (errata E-155); to any other it is simulated as connected.
"""

import asyncio
import math
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance_emulator.backend.callcontrol import CallControlBackend
from conformance_emulator.backend.leg import TERMINAL, CallEnded, Leg
from conformance_emulator.backend.notifier import StreamFrame
from conformance_emulator.backend.queues import Member
from conformance_emulator.backend.signing import Signer
from conformance_emulator.controllers.callcontrol import webhooks
from conformance_emulator.controllers.callcontrol.media import Action

RECORDINGS = "https://recordings.emulator.invalid"


@dataclass
class Recording:
    id: str
    format: str
    channels: str
    started_at: float
    deadline: float
    paused: bool = False


class CallDriver:
    """Drives one leg by commands. Subclasses (mutants in the project's tests) may override any step."""

    def __init__(
        self,
        leg: Leg,
        backend: "CallControlBackend[CallDriver]",
        signer: Signer,
        connection_id: str,
        webhook_url: str | None,
        client_state: str | None = None,
        call_session_id: str | None = None,
        on_answer: Callable[["CallDriver"], None] | None = None,
    ) -> None:
        self.leg = leg
        self.outbound = backend.core.outbound  # how a playback fetches its audio, a stream reaches its WebSocket
        self.bridges = backend.core.bridges
        self.queues = backend.queues
        self.signer = signer
        self.connection_id = connection_id
        self.webhook_url = webhook_url
        self.client_state = client_state
        self.call_leg_id = str(uuid.uuid4())
        self.call_session_id = call_session_id or str(uuid.uuid4())
        self.command_ids: set[str] = set()
        self.ending = False  # a hangup or reject was accepted: later commands find the call ended
        self.media: deque[Action] = deque()
        self.current: Action | None = None
        self.recording: Recording | None = None
        self.fork: str | None = None
        self.stream: str | None = None
        self.stream_id = ""
        self.stream_frames = 0  # frames of the running stream so far (their sequence_number)
        self.answer_settings: dict[str, Any] = {}
        self._on_answer = on_answer
        self._wake = asyncio.Event()
        leg.listeners.append(self._status_changed)

    # -- state -----------------------------------------------------------------------------

    @property
    def ended(self) -> bool:
        return self.ending or self.leg.ended.is_set() or self.leg.status in TERMINAL

    @property
    def answered(self) -> bool:
        return self.leg.answered_at is not None

    @property
    def queued(self) -> Member | None:
        """Where the call waits, when it waits in a queue."""
        return self.queues.member(self.leg)

    def wake(self) -> None:
        self._wake.set()

    # -- the loop --------------------------------------------------------------------------

    async def drive(self) -> None:
        while True:
            await self._prepare()
            self._start_next()
            keys = await self._wait(self._next_deadline())
            await self._prepare()  # what commands queued while it waited, before any of it starts
            for key in keys or "":
                self._heard(key)
            self._due()

    async def _prepare(self) -> None:
        """Prepare every queued action (fetch the audio it plays), so each one starts ready; the leg stays
        awake meanwhile, which holds the clock. Returns at once when nothing needs it."""
        while waiting := [action for action in self.media if not action.prepared]:
            for action in waiting:
                action.prepared = True
                await action.prepare(self)

    def _start_next(self) -> None:
        while self.current is None and self.media:
            self.current = self.media.popleft()
            self.current.start(self)

    def _next_deadline(self) -> float:
        deadlines = [math.inf]
        if self.current is not None:
            deadlines.append(self.current.deadline)
        if self.recording is not None and not self.recording.paused:
            deadlines.append(self.recording.deadline)
        if (queued := self.queued) is not None:
            deadlines.append(queued.deadline)
        return min(deadlines)

    async def _wait(self, deadline: float) -> str | None:
        """Until ``deadline``, a key press (returned) or a command (wake); CallEnded when the leg ends first."""
        self._wake.clear()
        spend = asyncio.ensure_future(self.leg.spend(max(deadline - self.leg.clock.elapsed, 0.0), listen=True))
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            done, _ = await asyncio.wait({spend, woken}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in (spend, woken):
                if not task.done():
                    task.cancel()
        return spend.result() if spend in done else None

    def _heard(self, key: str) -> None:
        webhooks.send(self, "call.dtmf.received", digit=key)
        if self.current is not None and self.current.key(self, key):
            self.current = None
            self._start_next()

    def _due(self) -> None:
        now = self.leg.clock.elapsed
        while self.current is not None and self.current.deadline <= now:
            if self.current.due(self):
                self.current = None
                self._start_next()
        if self.recording is not None and not self.recording.paused and self.recording.deadline <= now:
            self.stop_recording("max-length")
        if (queued := self.queued) is not None and queued.deadline <= now:
            self.leave_queue("timeout")

    # -- status changes --------------------------------------------------------------------

    def _status_changed(self, leg: Leg, status: str) -> None:
        if status == "initiated":
            webhooks.send(self, "call.initiated", state="bridging")
        elif status == "in-progress":
            webhooks.send(self, "call.answered", state="answered")
            self.answered_now()
        elif status in TERMINAL:
            self._close()

    def answered_now(self) -> None:
        """What the dial (or answer) asked to happen once the call is answered."""
        settings = self.answer_settings
        amd = settings.get("answering_machine_detection", "disabled")
        if amd != "disabled":
            machine = self.leg.party.outcome == "machine"
            if amd == "premium":
                # Premium tells homes from businesses; a party script cannot, so a person is a residence (E-057).
                webhooks.send(
                    self, "call.machine.premium.detection.ended", result="machine" if machine else "human_residence"
                )
            else:
                webhooks.send(self, "call.machine.detection.ended", result="machine" if machine else "human")
        if settings.get("record") == "record-from-answer" and self.recording is None:
            self.start_recording(settings.get("recording_id") or str(uuid.uuid4()), settings, "record_")
        if settings.get("stream_url"):
            self.start_stream(settings["stream_url"])
        if settings.get("send_digits_on_answer"):
            self.leg.record("dtmf-sent", digits=settings["send_digits_on_answer"])
        if self._on_answer is not None:
            self._on_answer(self)

    def _close(self) -> None:
        """The leg ended: whatever runs on it ends first (in its own webhooks), then call.hangup.

        A bridge needs no word here: the backend ends it when either leg ends."""
        if self.current is not None:
            self.current.stop(self, "call_hangup")
            self.current = None
        self.media.clear()
        if self.recording is not None:
            self.stop_recording("hangup")
        self.leave_queue("hangup")
        if self.fork is not None:
            self.stop_fork()
        if self.stream is not None:
            self.stop_stream()
        end = self.leg.end or CallEnded("unspecified", "unknown")
        source = end.source if end.source in webhooks.HANGUP_SOURCES else "unknown"
        webhooks.send(self, "call.hangup", state="hangup", hangup_cause=webhooks.hangup_cause(end.cause),
                      hangup_source=source)  # fmt: skip

    # -- commands (the controller has checked the call's state) -----------------------------

    def play(self, action: Action, stop: str | None) -> None:
        """Queue ``action``; ``stop`` current/all cuts the current one (and, with all, the queued ones) first."""
        if stop in ("current", "all"):
            self.stop_media(stop)
        self.media.append(action)
        self.wake()

    def stop_media(self, stop: str = "all", kind: type[Action] | tuple[type[Action], ...] = Action) -> bool:
        if stop == "all":
            self.media = deque(action for action in self.media if not isinstance(action, kind))
        if self.current is not None and isinstance(self.current, kind):
            self.current.stop(self, "cancelled")
            self.current = None
            self.wake()
            return True
        return False

    def hang_up(self, end: CallEnded) -> None:
        self.ending = True
        if not self.leg.hang_up(end):
            # The leg's task has not started yet: end it as soon as it runs.
            asyncio.get_running_loop().call_soon(self.leg.hang_up, end)

    def start_recording(self, recording_id: str, body: dict[str, Any], prefix: str = "") -> None:
        now = self.leg.clock.elapsed
        limits = [body.get(prefix + "max_length", 0), body.get(prefix + "timeout_secs", 0)]
        # The far end never speaks in this emulator: a silence timeout ends the recording as a length limit does.
        deadline = min([now + limit for limit in limits if limit] or [math.inf])
        fmt, channels = body.get(prefix + "format", "mp3"), body.get(prefix + "channels", "dual")
        if body.get("play_beep"):
            self.leg.record("beep")
        self.leg.record("record-start", format=fmt, channels=channels)
        self.recording = Recording(recording_id, fmt, channels, now, deadline)
        self.wake()

    def stop_recording(self, reason: str) -> None:
        recording, self.recording = self.recording, None
        if recording is None:
            return
        now = self.leg.clock.elapsed
        self.leg.record("record-stop", duration=int(now - recording.started_at), reason=reason)
        failure = self.leg.party.recording_error
        if failure is not None:
            # The media was recorded; storing it failed, so there is nothing to link to.
            webhooks.send(self, "call.recording.error", reason=failure)
            return
        url = f"{RECORDINGS}/{recording.id}.{recording.format}"
        urls = {"mp3": url if recording.format == "mp3" else None, "wav": url if recording.format == "wav" else None}
        webhooks.send(
            self,
            "call.recording.saved",
            channels=recording.channels,
            recording_urls=urls,
            public_recording_urls=urls,
            recording_started_at=webhooks.iso(self.leg.clock.start_epoch + recording.started_at),
            recording_ended_at=webhooks.iso(self.leg.clock.epoch()),
        )

    def pause_recording(self, paused: bool) -> None:
        if self.recording is None or self.recording.paused == paused:
            return
        self.recording.paused = paused
        self.leg.record("record-pause" if paused else "record-resume")
        self.wake()

    def enqueue(self, name: str, max_wait: int | None) -> None:
        """Wait in the queue ``name`` (``max_wait`` seconds at most, when given); a call that waits stays put."""
        if self.queued is not None:
            return
        member = self.queues.enqueue(name, self.leg, max_wait)
        webhooks.send(self, "call.enqueued", queue=name, current_position=member.position, queue_avg_wait_time_secs=0)
        self.wake()

    def leave_queue(self, reason: str) -> None:
        """Leave the queue the call waits in (if any) for ``reason``, and say so in call.dequeued."""
        member = self.queues.leave(self.leg, reason)
        if member is None:
            return
        webhooks.send(self, "call.dequeued", queue=member.queue, queue_position=member.position, reason=reason,
                      wait_time_secs=int(member.waited))  # fmt: skip

    def bridge(self, other: "CallDriver") -> None:
        """Bridge with ``other``: each leaves its queue, then the backend bridges the legs (each leaving any other
        bridge), so their trees share one time domain while it lasts; both calls hear call.bridged."""
        for one in (self, other):
            one.leave_queue("bridged")
        self.bridges.bridge(self.leg, other.leg)
        for one in (self, other):
            webhooks.send(one, "call.bridged")

    def start_fork(self, body: dict[str, Any]) -> None:
        self.fork = body.get("stream_type", "decrypted")
        self.leg.record("fork-started", rx=body.get("rx"), tx=body.get("tx"))
        webhooks.send(self, "call.fork.started", stream_type="decrypted")

    def stop_fork(self) -> None:
        if self.fork is None:
            return
        self.fork = None
        self.leg.record("fork-stopped")
        webhooks.send(self, "call.fork.stopped", stream_type="decrypted")

    def start_stream(self, stream_url: str | None) -> None:
        if not stream_url:
            webhooks.send(self, "streaming.failed", failure_reason="no stream_url given", stream_type="websocket")
            return
        # The stream counts as connected at once: no media flows, and a WebSocket it cannot reach is not reported.
        self.stream, self.stream_id, self.stream_frames = stream_url, str(uuid.uuid4()), 0
        self.leg.record("streaming-started", url=stream_url)
        self._stream_frame({"event": "connected", "version": "1.0.0"})
        media_format = {"encoding": "PCMU", "sample_rate": 8000, "channels": 1}
        call = {"call_control_id": self.leg.sid, "call_session_id": self.call_session_id,
                "from": self.leg.setup.from_, "to": self.leg.setup.to}  # fmt: skip
        call |= {"client_state": self.client_state} if self.client_state else {}
        self._stream_frame({"event": "start", "start": call | {"media_format": media_format}})
        webhooks.send(self, "streaming.started", stream_url=stream_url)

    def stop_stream(self) -> None:
        stream = self.stream
        if stream is None:
            return
        self._stream_frame({"event": "stop", "stop": {"call_control_id": self.leg.sid}})
        self._stream_frame(None)
        self.stream = None
        self.leg.record("streaming-stopped", url=stream)
        webhooks.send(self, "streaming.stopped", stream_url=stream)

    def _stream_frame(self, frame: dict[str, Any] | None) -> None:
        """Send ``frame`` (None: close) on the running stream's WebSocket, where the emulator may contact it."""
        if self.stream is None or not self.outbound.permits_stream(self.stream):
            return
        if frame is not None and frame["event"] != "connected":
            self.stream_frames += 1
            frame = {**frame, "sequence_number": str(self.stream_frames), "stream_id": self.stream_id}
        self.leg.callbacks.put_frame(StreamFrame(self.stream, self.stream_id, frame))

    def refer(self, sip_address: str) -> None:
        self.leg.record("refer", sip_address=sip_address)
        webhooks.send(self, "call.refer.started", sip_notify_response=100)
        party = self.leg.party
        # A refused REFER leaves the call where it was: only the application hears of it.
        outcome = "call.refer.failed" if party.refuses_refer else "call.refer.completed"
        webhooks.send(self, outcome, sip_notify_response=party.refer_response)

    def send_dtmf(self, digits: str, duration_millis: int) -> None:
        self.leg.record("dtmf-sent", digits=digits, duration_millis=duration_millis)
