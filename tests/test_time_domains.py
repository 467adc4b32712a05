"""Time domains: legs that meet share one virtual time, each keeping its own zero, and part when they no longer meet."""

import asyncio
import math

from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.meeting import Meeting


async def _settle() -> None:
    for _ in range(5):
        await asyncio.sleep(0)


def _timer(clock: VirtualClock, deadline: float, fired: list[tuple[float, ...]], *others: VirtualClock) -> None:
    """A participant that sleeps until ``deadline`` on ``clock``, then notes its reading and those of ``others``."""

    async def wait() -> None:
        with clock.participant():
            await clock.sleep_until(deadline)
            fired.append((clock.elapsed, *(other.elapsed for other in others)))

    asyncio.get_running_loop().create_task(wait())


def test_merging_keeps_each_clock_reading_and_the_time_left_on_its_timers():
    async def run() -> list[tuple[float, ...]]:
        a, b = VirtualClock(0, manual=True), VirtualClock(0, manual=True)
        fired: list[tuple[float, ...]] = []
        _timer(a, 50, [])
        a.advance(50)
        _timer(b, 30, fired, a)
        _timer(a, 100, fired, b)
        await _settle()
        assert (a.elapsed, b.elapsed) == (50, 0)
        Meeting(a, b)
        assert (a.elapsed, b.elapsed, a.domain is b.domain) == (50, 0, True)
        b.advance(40)  # either clock advances the shared domain
        await _settle()
        assert fired == [(30, 80)]
        a.advance(20)
        await _settle()
        return fired

    assert asyncio.run(run()) == [(30, 80), (100, 50)]


def test_an_awake_participant_of_either_side_holds_the_merged_domain():
    async def run() -> list[tuple[float, ...]]:
        a, b = VirtualClock(0), VirtualClock(0)
        b.hold()  # b's leg is fetching a document
        fired: list[tuple[float, ...]] = []
        _timer(a, 10, fired)
        await _settle()
        assert fired == [(10,)]
        Meeting(a, b)
        _timer(a, 20, fired)
        await _settle()
        assert fired == [(10,)]
        b.release()
        await _settle()
        return fired

    assert asyncio.run(run()) == [(10,), (20,)]


def test_a_manual_side_keeps_the_merged_domain_manual():
    a, b = VirtualClock(0), VirtualClock(0, manual=True)
    Meeting(a, b)
    assert a.manual and b.manual and a.domain.horizon == 0


def test_parted_clocks_run_on_from_where_they_were():
    async def run() -> list[tuple[float, ...]]:
        a, b = VirtualClock(0, manual=True), VirtualClock(0, manual=True)
        meeting = Meeting(a, b)
        fired: list[tuple[float, ...]] = []
        _timer(a, 30, fired)
        _timer(b, 15, fired)
        _timer(a, 10, [])
        a.advance(10)
        await _settle()
        meeting.end()
        assert a.domain is not b.domain and (a.elapsed, b.elapsed) == (10, 10)
        a.advance(30)  # b's time stays
        await _settle()
        assert (fired, a.elapsed, b.elapsed) == ([(30,)], 30, 10)
        b.advance(5)
        await _settle()
        return fired

    assert asyncio.run(run()) == [(30,), (15,)]


def test_a_domain_parts_only_where_no_meeting_links_it_any_more():
    a, b, c = VirtualClock(0), VirtualClock(0), VirtualClock(0, manual=True)
    ab, bc = Meeting(a, b), Meeting(b, c)
    assert a.domain is b.domain is c.domain and a.manual
    ab.end()
    assert b.domain is c.domain is not a.domain
    assert (a.manual, b.manual) == (True, True)  # each part keeps the horizon it had
    bc.end()
    assert len({id(clock.domain) for clock in (a, b, c)}) == 3
    assert c.domain.horizon == 0 and a.domain.horizon != math.inf


def test_a_clock_leaves_a_meeting_with_the_last_of_its_joins_and_the_others_stay_together():
    a, b, c = VirtualClock(0), VirtualClock(0), VirtualClock(0, manual=True)
    queue = Meeting(a, b, c)
    queue.join(a)  # a second leg of a's tree
    queue.leave(a)
    assert a.domain is b.domain is c.domain
    queue.leave(a)
    assert a.domain is not b.domain and b.domain is c.domain and queue.clocks == {b, c}
    queue.leave(b)
    queue.leave(c)
    assert b.domain is not c.domain and not queue.clocks and not c.domain.meetings
    queue.join(a)  # an empty meeting can be joined again
    assert queue.clocks == {a} and a.domain.meetings == {queue}
