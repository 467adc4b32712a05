"""Meetings: why call trees share a time domain (clock.py) beyond their own legs.

A meeting links the clocks of legs that can affect each other: two bridged legs today; a
conference's participants or a queue's callers can join one the same way. ``join`` merges the
member's domain into the meeting's (TimeDomain.merge, the one way domains merge); when the
meeting ends, its domain regroups (TimeDomain.regroup): trees that no other meeting links
part, each keeping its own time.
"""

from conformance_emulator.backend.clock import VirtualClock


class Meeting:
    def __init__(self, *clocks: VirtualClock) -> None:
        self.clocks: set[VirtualClock] = set()
        for clock in clocks:
            self.join(clock)

    def join(self, clock: VirtualClock) -> None:
        """The legs on ``clock`` and the members' share one domain from now on."""
        first = next(iter(self.clocks), clock)
        self.clocks.add(clock)
        first.domain.merge(clock.domain).meetings.add(self)

    def end(self) -> None:
        """The members need no longer share time: the domain regroups along the meetings that remain."""
        domain = next(iter(self.clocks)).domain
        self.clocks = set()
        domain.meetings.discard(self)
        domain.regroup()
