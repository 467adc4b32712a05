"""Meetings: why call trees share a time domain (clock.py) beyond their own legs.

A meeting links the clocks of legs that can affect each other: a bridge's two legs, a
queue's waiting legs, a conference's participants (bridges.py, queues.py, conferences.py).
``join`` merges the member's domain into the meeting's (TimeDomain.merge, the one way domains
merge). Parting regroups the domain (TimeDomain.regroup): trees that no other meeting links
part, each keeping its own time. A clock leaves when the last of its joins does (``leave``:
two legs of one tree may wait in the same queue), and every clock when the meeting ends.
"""

from collections import Counter

from conformance_emulator.backend.clock import VirtualClock


class Meeting:
    def __init__(self, *clocks: VirtualClock) -> None:
        self.clocks: set[VirtualClock] = set()
        self._joins: Counter[VirtualClock] = Counter()
        for clock in clocks:
            self.join(clock)

    def join(self, clock: VirtualClock) -> None:
        """The legs on ``clock`` and the members' share one domain from now on."""
        first = next(iter(self.clocks), clock)
        self._joins[clock] += 1
        self.clocks.add(clock)
        first.domain.merge(clock.domain).meetings.add(self)

    def leave(self, clock: VirtualClock) -> None:
        """One join of ``clock`` ends; after its last, the clock's tree need no longer share the members' time."""
        self._joins[clock] -= 1
        if self._joins[clock] <= 0:
            del self._joins[clock]
            self._part({clock})

    def end(self) -> None:
        """The members need no longer share time: the domain regroups along the meetings that remain."""
        self._joins.clear()
        self._part(set(self.clocks))

    def _part(self, clocks: set[VirtualClock]) -> None:
        if not clocks:
            return
        domain = next(iter(clocks)).domain
        self.clocks -= clocks
        if not self.clocks:
            domain.meetings.discard(self)
        domain.regroup()
