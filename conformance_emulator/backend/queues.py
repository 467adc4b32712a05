"""Queues: named lines of legs waiting, whose time is one while they wait.

A leg waits in one queue at a time. Joining says ``enqueued`` (queue, position) on its
timeline and leaving says ``dequeued`` (queue, reason); a member that ends leaves with reason
hangup. Positions count from 1, the next to leave, and move up as members ahead leave. Every
member's tree joins the queue's Meeting, so waiting legs share one time domain, and parts
from it when it leaves (meeting.py). A queue exists while someone waits in it.

A member may have a deadline (a maximum wait, on its own clock); the queue does not run
timers: whoever drives the member's leg makes it leave when the deadline comes.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field

from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.meeting import Meeting
from conformance_emulator.backend.membership import leave_when_ended, require_live


@dataclass
class Member:
    """A leg waiting in a queue (or that waited there, once it left)."""

    leg: Leg
    queue: str  # the queue's name
    position: int  # 1: the next to leave
    since: float  # its clock's reading when it joined
    deadline: float = math.inf  # on its clock: when its wait is over
    waited: float = 0.0  # seconds it waited, once it left
    unwatch: Callable[[], None] = field(default=lambda: None, repr=False)


class Queue:
    """One named line: its members in order, and the Meeting that gives them one time."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.members: list[Member] = []
        self._meeting = Meeting()

    def join(self, leg: Leg, deadline: float) -> Member:
        member = Member(leg, self.name, len(self.members) + 1, leg.clock.elapsed, deadline)
        self.members.append(member)
        self._meeting.join(leg.clock)
        leg.record("enqueued", queue=self.name, position=member.position)
        return member

    def leave(self, member: Member, reason: str) -> None:
        self.members.remove(member)
        for position, other in enumerate(self.members, start=1):
            other.position = position
        member.unwatch()
        member.waited = member.leg.clock.elapsed - member.since
        member.leg.record("dequeued", queue=self.name, reason=reason)
        self._meeting.leave(member.leg.clock)  # last: once parted, its time may run on at once


class Queues:
    """The queues of one API, by name, and where each waiting leg waits."""

    def __init__(self) -> None:
        self._queues: dict[str, Queue] = {}
        self._members: dict[str, Member] = {}  # by leg sid

    def enqueue(self, name: str, leg: Leg, max_wait: float | None = None) -> Member:
        """``leg`` waits at the end of the queue ``name`` (``max_wait`` seconds at most, when given)."""
        require_live(leg)
        if leg.sid in self._members:
            raise ValueError(f"{leg.sid} already waits in {self._members[leg.sid].queue}")
        queue = self._queues.get(name) or self._queues.setdefault(name, Queue(name))
        member = queue.join(leg, leg.clock.elapsed + max_wait if max_wait else math.inf)
        member.unwatch = leave_when_ended(leg, lambda: self.leave(leg, "hangup"))
        self._members[leg.sid] = member
        return member

    def member(self, leg: Leg) -> Member | None:
        """Where ``leg`` waits, if it does."""
        return self._members.get(leg.sid)

    def queue(self, name: str) -> Queue | None:
        return self._queues.get(name)

    def leave(self, leg: Leg, reason: str) -> Member | None:
        """``leg`` leaves its queue (if it waits in one); the member it was, at the position it left from."""
        member = self._members.pop(leg.sid, None)
        if member is None:
            return None
        queue = self._queues[member.queue]
        queue.leave(member, reason)
        if not queue.members:
            del self._queues[queue.name]
        return member

    def dequeue(self, name: str, reason: str) -> Member | None:
        """The member at the front of the queue ``name`` leaves it (for ``reason``); None when nobody waits."""
        queue = self._queues.get(name)
        return None if queue is None else self.leave(queue.members[0].leg, reason)
