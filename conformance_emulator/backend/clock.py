"""Virtual time: a time domain shared by every call tree whose legs can affect each other.

Calls wait on media (a pause, a prompt, a gather timeout) by sleeping on their tree's clock.
A clock is a call tree's reading of its domain: the domain holds the timers and the one
``now`` of its trees; each clock adds its own zero (``elapsed`` counts from when its tree was
created) and its own ``start_epoch`` (the wall time of that zero, for timestamps).

When every participant of a domain is asleep, nobody can act before the earliest deadline,
so the domain jumps straight to it: a 180 s pause costs microseconds. A participant doing real
I/O (fetching a document, a webhook in flight) holds the whole domain still.

In manual mode the domain never jumps past its horizon; ``advance`` on any of its clocks moves
the horizon, so advancing one call runs the time of every call it shares a domain with.

Merging (``TimeDomain.merge``, when legs of different trees meet: see meeting.py). Each clock
keeps its own ``elapsed``: nobody's time jumps and every pending timer keeps the time it had
left, so a hang-up scripted 30 s after answer still comes 30 s after answer. From then on one
``now`` runs for all of them, and their participants and timers count together. The merged
domain is manual when either was, with the nearer horizon: what one side was promised (time
stands still until advanced) holds for the other side too.

Parting (``TimeDomain.regroup``, when a meeting ends). The domain splits into the groups of
clocks still linked by some meeting; each part keeps the same ``now`` and horizon and takes
its own clocks' timers and participants. So legs that parted run on independently again,
from where they were.
"""

import asyncio
import heapq
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from conformance_emulator.backend.meeting import Meeting

_ORDER = itertools.count()  # ties between timers of one domain, unique across domains so merged heaps never tie

# A timer: when it is due (domain time), a tie-break, who waits, and the clock and deadline it asked for.
Sleeper = tuple[float, int, asyncio.Future[None], "VirtualClock", float]


class TimeDomain:
    """The timers, participants and ``now`` shared by the clocks of legs that can affect each other."""

    def __init__(self, manual: bool = False) -> None:
        self.now = 0.0
        self.horizon = 0.0 if manual else math.inf
        self.clocks: set[VirtualClock] = set()
        self.meetings: set[Meeting] = set()
        self._sleepers: list[Sleeper] = []
        self._awake = 0

    @property
    def manual(self) -> bool:
        return self.horizon != math.inf

    def hold(self, clock: "VirtualClock") -> None:
        clock.held += 1
        self._awake += 1

    def release(self, clock: "VirtualClock") -> None:
        clock.held -= 1
        self._awake -= 1
        self.jump_if_idle()

    def add_sleeper(self, clock: "VirtualClock", deadline: float, waiter: asyncio.Future[None]) -> None:
        heapq.heappush(self._sleepers, (clock.origin + deadline, next(_ORDER), waiter, clock, deadline))
        self.jump_if_idle()

    def advance(self, seconds: float) -> None:
        """Manual mode: let virtual time run up to ``seconds`` further, as timers come due.

        Time does not move by itself when nothing sleeps (a call may be fetching a
        document), so a timer set after this call still runs within the new horizon.
        """
        self.horizon = max(self.horizon, self.now) + seconds
        self.jump_if_idle()

    def merge(self, other: "TimeDomain") -> "TimeDomain":
        """One domain for the clocks of both (the larger one absorbs the other); the domain they now share."""
        if other is self:
            return self
        if len(other.clocks) > len(self.clocks):
            return other.merge(self)
        shift = self.now - other.now
        for clock in other.clocks:
            clock.floor = clock.elapsed
            clock.origin += shift
            clock.domain = self
        self.clocks |= other.clocks
        self.meetings |= other.meetings
        for at, order, waiter, clock, deadline in other._pending():
            if not waiter.done():
                heapq.heappush(self._sleepers, (at + shift, order, waiter, clock, deadline))
        self._awake += other._awake
        self.horizon = min(self.horizon, other.horizon + shift)
        other.clocks, other.meetings, other._sleepers, other._awake = set(), set(), [], 0
        return self

    def regroup(self) -> None:
        """Part: every group of clocks no meeting links to the rest gets a domain of its own."""
        groups = self._groups()
        for group in groups[1:]:
            self._split(group).jump_if_idle()
        self.jump_if_idle()

    def _groups(self) -> list[set["VirtualClock"]]:
        left, groups = set(self.clocks), []
        while left:
            group, frontier = set(), {left.pop()}
            while frontier:
                group |= frontier
                frontier = {clock for meeting in self.meetings if meeting.clocks & frontier for clock in meeting.clocks}
                frontier -= group
            left -= group
            groups.append(group)
        return groups

    def _split(self, clocks: set["VirtualClock"]) -> "TimeDomain":
        part = TimeDomain()
        part.now, part.horizon, part.clocks = self.now, self.horizon, clocks
        part.meetings = {meeting for meeting in self.meetings if meeting.clocks <= clocks}
        part._sleepers = [sleeper for sleeper in self._pending() if sleeper[3] in clocks]
        heapq.heapify(part._sleepers)
        part._awake = sum(clock.held for clock in clocks)
        for clock in clocks:
            clock.domain = part
        self.clocks -= clocks
        self.meetings -= part.meetings
        self._sleepers = [sleeper for sleeper in self._pending() if sleeper[3] not in clocks]
        heapq.heapify(self._sleepers)
        self._awake -= part._awake
        return part

    def _pending(self) -> list[Sleeper]:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers

    def jump_if_idle(self) -> None:
        """When every participant sleeps, jump to the earliest deadline (within the horizon) and wake its sleepers."""
        sleepers = self._pending()
        asleep = sum(not waiter.done() for _, _, waiter, _, _ in sleepers)
        if not sleepers or asleep < self._awake:
            return
        at = sleepers[0][0]
        if at > self.horizon:
            return
        self.now = max(self.now, at)
        while sleepers and sleepers[0][0] <= self.now:
            _, _, waiter, clock, deadline = heapq.heappop(sleepers)
            if not waiter.done():
                clock.floor = max(clock.floor, deadline)  # exactly its deadline, whatever the rounding of origins
                waiter.set_result(None)


class VirtualClock:
    """A call tree's reading of its time domain: seconds since the tree was created, and their epoch."""

    def __init__(self, start_epoch: float, manual: bool = False) -> None:
        self.start_epoch = start_epoch
        self.domain = TimeDomain(manual)
        self.domain.clocks.add(self)
        self.origin = 0.0  # the domain's ``now`` when this clock read 0
        self.floor = 0.0  # elapsed is never less: a woken sleeper's deadline, or the reading when domains merged
        self.held = 0  # participants awake on this clock

    @property
    def elapsed(self) -> float:
        return max(self.floor, self.domain.now - self.origin)

    @property
    def manual(self) -> bool:
        return self.domain.manual

    def epoch(self) -> float:
        return self.start_epoch + self.elapsed

    @contextmanager
    def participant(self) -> Iterator[None]:
        """Count the current task as one whose sleeping may let the domain jump."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    def hold(self) -> None:
        """One more participant that is awake (a leg acting, a webhook in flight): time stands still."""
        self.domain.hold(self)

    def release(self) -> None:
        """A participant held by ``hold`` is done; the domain may jump if every other one sleeps."""
        self.domain.release(self)

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.elapsed + seconds)

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self.elapsed:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.domain.add_sleeper(self, deadline, waiter)
        try:
            await waiter
        finally:
            if not waiter.done():
                waiter.cancel()
                self.domain.jump_if_idle()

    def advance(self, seconds: float) -> None:
        """Manual mode: let the time of this clock's whole domain run ``seconds`` further (TimeDomain.advance)."""
        self.domain.advance(seconds)
