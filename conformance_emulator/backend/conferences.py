"""Conferences: named rooms of legs, on one time from the first join to the end.

A conference starts with its first participant and ends when the last one leaves (or when it
is ended, which makes everyone leave); a participant whose leg ends leaves. It has a clock of
its own (seconds since it started, and their epoch) that joins its Meeting with every
participant's tree, so the conference and all its participants share one time domain: each
participant keeps its own timeline, the conference keeps one consistent time, and advancing
any participant's clock advances them all. A leg leaving parts from the others (meeting.py).

Events: the conference's own, on its clock (start, join, update, leave, end, with the
call_sid concerned), and each participant's on its leg's timeline (conference-joined,
conference-updated with the participant's muted and hold, conference-left). A participant's
state is whether it is muted (heard by nobody) and on hold (hearing nobody).
"""

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.meeting import Meeting
from conformance_emulator.backend.membership import leave_when_ended, require_live

# Conferences by name, the oldest forgotten past this many.
MAX_CONFERENCES = 5000


@dataclass
class Participant:
    """A leg taking part, and its state."""

    leg: Leg
    muted: bool = False
    hold: bool = False


class Conference:
    """One conference: its participants, its clock, its status (in-progress, completed) and its events."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.clock = VirtualClock(time.time())
        self.status = "in-progress"
        self.participants: dict[str, Participant] = {}  # by the leg's sid, in the order they joined
        self.events: list[dict[str, Any]] = []
        self._meeting = Meeting(self.clock)
        self._unwatch: dict[str, Callable[[], None]] = {}
        self._record("start")

    @property
    def ended(self) -> bool:
        return self.status == "completed"

    def join(self, leg: Leg, muted: bool = False, hold: bool = False) -> Participant:
        """``leg`` takes part (in the state given); its tree shares the conference's time from now on."""
        require_live(leg)
        if self.ended or leg.sid in self.participants:
            raise ValueError(f"{leg.sid} cannot join {self.name} ({self.status})")
        participant = self.participants[leg.sid] = Participant(leg, muted, hold)
        self._meeting.join(leg.clock)
        self._unwatch[leg.sid] = leave_when_ended(leg, lambda: self.leave(leg))
        self._record("join", leg)
        leg.record("conference-joined", conference=self.name, muted=muted, hold=hold)
        return participant

    def update(self, leg: Leg, muted: bool | None = None, hold: bool | None = None) -> Participant:
        """Mute or unmute, hold or resume the participant on ``leg`` (None: as it is); a change is an event."""
        participant = self.participants[leg.sid]
        state = (participant.muted, participant.hold)
        participant.muted = participant.muted if muted is None else muted
        participant.hold = participant.hold if hold is None else hold
        if (participant.muted, participant.hold) != state:
            self._record("update", leg, muted=participant.muted, hold=participant.hold)
            leg.record("conference-updated", conference=self.name, muted=participant.muted, hold=participant.hold)
        return participant

    def leave(self, leg: Leg) -> None:
        """The participant on ``leg`` leaves (if it takes part); the conference ends when it was the last."""
        if self.participants.pop(leg.sid, None) is None:
            return
        self._unwatch.pop(leg.sid)()
        self._record("leave", leg)
        leg.record("conference-left", conference=self.name)
        self._meeting.leave(leg.clock)  # after the events: once parted, the leg's time may run on at once
        if not self.participants:
            self.end()

    def end(self) -> None:
        """Every participant leaves, and the conference is over."""
        if self.ended:
            return
        self.status = "completed"  # first: the last participant's leave must not end it again
        for participant in list(self.participants.values()):
            self.leave(participant.leg)
        self._record("end")
        self._meeting.end()

    def _record(self, event: str, leg: Leg | None = None, **fields: Any) -> None:
        call = {} if leg is None else {"call_sid": leg.sid}
        self.events.append({"at": round(self.clock.elapsed, 3), "event": event, **call, **fields})


class Conferences:
    """The conferences of one API, by name: the running one, or the last to end."""

    def __init__(self) -> None:
        self._conferences: OrderedDict[str, Conference] = OrderedDict()

    def join(self, name: str, leg: Leg, muted: bool = False, hold: bool = False) -> Conference:
        """``leg`` joins the running conference ``name``, or starts it (a new one when the last of that name ended)."""
        conference = self._conferences.get(name)
        if conference is None or conference.ended:
            conference = self._conferences[name] = Conference(name)
            self._conferences.move_to_end(name)
            while len(self._conferences) > MAX_CONFERENCES:
                self._conferences.popitem(last=False)
        conference.join(leg, muted, hold)
        return conference

    def conference(self, name: str) -> Conference | None:
        return self._conferences.get(name)
