"""Virtual time for one call tree (a call and the legs it creates).

Calls wait on media (a pause, a prompt, a gather timeout) by sleeping on this clock.
When every participant of the tree is asleep, nobody can act before the earliest
deadline, so the clock jumps straight to it: a 180 s pause costs microseconds.
A participant doing real I/O (fetching a document, a webhook in flight) holds the clock still.

In manual mode the clock never jumps past its horizon; ``advance`` moves the horizon.
"""

import asyncio
import heapq
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager


class VirtualClock:
    def __init__(self, start_epoch: float, manual: bool = False) -> None:
        self.start_epoch = start_epoch
        self.elapsed = 0.0
        self.horizon = 0.0 if manual else math.inf
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._participants = 0
        self._order = itertools.count()

    @property
    def manual(self) -> bool:
        return self.horizon != math.inf

    def epoch(self) -> float:
        return self.start_epoch + self.elapsed

    @contextmanager
    def participant(self) -> Iterator[None]:
        """Count the current task as one whose sleeping may let the clock jump."""
        self.hold()
        try:
            yield
        finally:
            self.release()

    def hold(self) -> None:
        """One more participant that is awake (a leg acting, a webhook in flight): time stands still."""
        self._participants += 1

    def release(self) -> None:
        """A participant held by ``hold`` is done; the clock may jump if every other one sleeps."""
        self._participants -= 1
        self._jump_if_idle()

    async def sleep(self, seconds: float) -> None:
        await self.sleep_until(self.elapsed + seconds)

    async def sleep_until(self, deadline: float) -> None:
        if deadline <= self.elapsed:
            await asyncio.sleep(0)
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._sleepers, (deadline, next(self._order), waiter))
        self._jump_if_idle()
        try:
            await waiter
        finally:
            if not waiter.done():
                waiter.cancel()
                self._jump_if_idle()

    def advance(self, seconds: float) -> None:
        """Manual mode: let virtual time run up to ``seconds`` further, as timers come due.

        Time does not move by itself when nothing sleeps (the call may be fetching a
        document), so a timer set after this call still runs within the new horizon.
        """
        self.horizon = max(self.horizon, self.elapsed) + seconds
        self._jump_if_idle()

    def _pending(self) -> list[tuple[float, int, asyncio.Future[None]]]:
        while self._sleepers and self._sleepers[0][2].done():
            heapq.heappop(self._sleepers)
        return self._sleepers

    def _jump_if_idle(self) -> None:
        sleepers = self._pending()
        asleep = sum(not waiter.done() for _, _, waiter in sleepers)
        if not sleepers or asleep < self._participants:
            return
        deadline = sleepers[0][0]
        if deadline > self.horizon:
            return
        self.elapsed = max(self.elapsed, deadline)
        while sleepers and sleepers[0][0] <= self.elapsed:
            _, _, waiter = heapq.heappop(sleepers)
            if not waiter.done():
                waiter.set_result(None)
