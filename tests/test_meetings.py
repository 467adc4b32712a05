"""Calls that meet (issue 17): bridges, queues and conferences as backend resources, each on one time while they meet.

The legs run as any leg does, on manual clocks, with a driver that only listens: each far end hangs
up when its script says, which is how a member leaves on its own.
"""

import asyncio
import math
from collections.abc import Callable, Coroutine
from typing import Any

import pytest

from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.leg import Leg, LegSetup
from conformance_emulator.backend.outbound import Outbound
from conformance_emulator.backend.parties import Party
from conformance_emulator.backend.queues import Queues
from conformance_emulator.backend.texml import TexmlBackend


class Listening:
    """A driver that lets the call run until its far end hangs up."""

    def __init__(self, leg: Leg) -> None:
        self.leg = leg

    async def drive(self) -> None:
        await self.leg.spend(math.inf)


def _answered(core: Backend, name: str, hangup_at: float | None = None, answer_after: float = 0) -> Leg:
    """A leg in a tree of its own, on a manual clock: its far end answers (at once) and hangs up ``hangup_at`` later."""
    address = f"sip:{name}@example.com"
    core.parties.put(address, Party(answer_after=answer_after, hangup_at=hangup_at, clock="manual"))
    leg = core.add_leg(LegSetup("AC1", f"CA-{name}", "+13125550111", address, "outbound-api"), address)
    core.start(leg, Listening(leg))
    return leg


async def _settle() -> None:
    for _ in range(20):
        await asyncio.sleep(0)


def _events(leg: Leg, *kinds: str) -> list[tuple[float, str]]:
    return [(event["at"], event["event"]) for event in leg.timeline if not kinds or event["event"] in kinds]


def _run(test: Callable[[Backend], Coroutine[Any, Any, None]]) -> None:
    async def run() -> None:
        await test(Backend(Outbound()))

    asyncio.run(run())


# -- bridges ---------------------------------------------------------------------------------


def test_a_bridge_gives_its_legs_one_time_and_ends_when_either_leg_does():
    async def test(core: Backend) -> None:
        a, b = _answered(core, "a", hangup_at=100), _answered(core, "b", hangup_at=30)
        await _settle()
        core.bridges.bridge(a, b)
        assert (core.bridges.partner(a), core.bridges.partner(b)) == (b, a)
        a.clock.advance(200)  # through A: B's time runs too
        await _settle()
        assert _events(b) == [(0, "ringing"), (0, "answered"), (0, "bridged"), (30, "hangup")]
        assert _events(a) == [(0, "ringing"), (0, "answered"), (0, "bridged"), (30, "unbridged"), (100, "hangup")]
        assert a.timeline[3]["with_call"] == b.sid
        assert core.bridges.partner(a) is None and a.clock.domain is not b.clock.domain

    _run(test)


def test_bridging_a_leg_elsewhere_ends_its_bridge_and_parts_the_leg_left_behind():
    async def test(core: Backend) -> None:
        a, b, c = (_answered(core, name) for name in "abc")
        await _settle()
        first = core.bridges.bridge(a, b)
        assert core.bridges.bridge(b, a) is first  # bridged again: the same bridge, and its legs say so again
        core.bridges.bridge(a, c)
        assert _events(b, "bridged", "unbridged") == [(0, "bridged"), (0, "bridged"), (0, "unbridged")]
        assert b.timeline[-1]["with_call"] == a.sid and core.bridges.partner(b) is None
        assert a.clock.domain is c.clock.domain is not b.clock.domain
        core.bridges.leave(c)
        assert _events(a, "unbridged") == [(0, "unbridged")] and a.clock.domain is not c.clock.domain

    _run(test)


# -- queues ----------------------------------------------------------------------------------


def test_a_queue_keeps_its_members_in_line_and_their_positions_move_up():
    async def test(core: Backend) -> None:
        a, b, c = (_answered(core, name) for name in "abc")
        await _settle()
        queues = Queues()
        members = [queues.enqueue("support", leg, max_wait) for leg, max_wait in ((a, None), (b, 45), (c, None))]
        assert [member.position for member in members] == [1, 2, 3]
        assert [member.deadline for member in members] == [math.inf, 45, math.inf]
        with pytest.raises(ValueError):
            queues.enqueue("sales", b)  # one queue at a time
        left = queues.leave(b, "leave")
        assert left is members[1] and (left.position, left.queue) == (2, "support")
        assert [member.position for member in members] == [1, 2, 2]  # c moved up; b left from 2
        assert queues.member(b) is None and queues.member(c) is members[2]
        assert queues.dequeue("support", "bridged") is members[0]
        assert a.timeline[-1] == {"at": 0, "event": "dequeued", "queue": "support", "reason": "bridged"}
        assert b.timeline[-2:] == [
            {"at": 0, "event": "enqueued", "queue": "support", "position": 2},
            {"at": 0, "event": "dequeued", "queue": "support", "reason": "leave"},
        ]
        queues.leave(c, "leave")
        assert queues.queue("support") is None and queues.dequeue("support", "bridged") is None

    _run(test)


def test_queue_members_share_one_clock_until_they_leave():
    async def test(core: Backend) -> None:
        a, b, c = _answered(core, "a", 50), _answered(core, "b", 20), _answered(core, "c", 40)
        await _settle()
        queues = Queues()
        for leg in (a, b, c):
            queues.enqueue("support", leg)
        c.clock.advance(30)  # through any member: all of them
        await _settle()
        assert _events(b, "hangup", "dequeued") == [(20, "hangup"), (20, "dequeued")]  # it hung up, so it left
        assert b.timeline[-1]["reason"] == "hangup" and queues.member(b) is None
        assert (a.clock.elapsed, c.clock.elapsed) == (20, 20)
        queues.leave(c, "leave")
        c.clock.advance(100)  # c left: its time is its own again
        await _settle()
        assert _events(c, "hangup") == [(40, "hangup")]
        assert (a.status, a.clock.elapsed) == ("in-progress", 20)
        a.clock.advance(100)
        await _settle()
        assert _events(a, "hangup", "dequeued") == [(50, "hangup"), (50, "dequeued")]
        assert queues.queue("support") is None

    _run(test)


# -- conferences -----------------------------------------------------------------------------


def test_a_conference_keeps_its_participants_state_and_events_and_ends_with_the_last():
    async def test(core: Backend) -> None:
        texml = TexmlBackend(core)
        a, b, c = (_answered(core, name) for name in "abc")
        await _settle()
        room = texml.conferences.join("room", a)
        assert texml.conferences.join("room", b, muted=True) is room
        texml.conferences.join("room", c, hold=True)
        with pytest.raises(ValueError):
            room.join(a)  # a participant joins once
        room.update(b, muted=False)
        room.update(c, hold=True)  # no change, no event
        states = [(participant.muted, participant.hold) for participant in room.participants.values()]
        assert states == [(False, False), (False, False), (False, True)]
        room.leave(b)
        assert b.timeline[-3:] == [
            {"at": 0, "event": "conference-joined", "conference": "room", "muted": True, "hold": False},
            {"at": 0, "event": "conference-updated", "conference": "room", "muted": False, "hold": False},
            {"at": 0, "event": "conference-left", "conference": "room"},
        ]
        room.end()
        assert (room.status, room.participants) == ("completed", {})
        assert [(event["event"], event.get("call_sid")) for event in room.events] == [
            ("start", None), ("join", a.sid), ("join", b.sid), ("join", c.sid), ("update", b.sid),
            ("leave", b.sid), ("leave", a.sid), ("leave", c.sid), ("end", None),
        ]  # fmt: skip
        assert _events(c, "conference-left") == [(0, "conference-left")]
        with pytest.raises(ValueError):
            room.join(b)  # an ended conference takes nobody
        again = texml.conferences.join("room", b)  # the name starts a new one
        assert again is not room and texml.conferences.conference("room") is again
        assert len({id(leg.clock.domain) for leg in (a, b, c)}) == 3

    _run(test)


def test_a_conference_of_three_legs_on_different_scripts_keeps_one_consistent_clock():
    # Issue 17, done when: A hangs up 20 s after answer, B 50 s, C 80 s; B rang 10 s on its own clock first.
    async def test(core: Backend) -> None:
        texml = TexmlBackend(core)
        a, b, c = _answered(core, "a", 20), _answered(core, "b", 50, answer_after=10), _answered(core, "c", 80)
        b.clock.advance(10)
        await _settle()
        for leg in (a, b, c):
            room = texml.conferences.join("room", leg)
        c.clock.advance(30)  # through C: everyone's time runs, so A hangs up and leaves
        await _settle()
        assert _events(a)[-2:] == [(20, "hangup"), (20, "conference-left")]
        assert (b.clock.elapsed, c.clock.elapsed, room.clock.elapsed) == (30, 20, 20)  # each its own zero, one time
        a.clock.advance(1000)  # A left: its time is its own again
        await _settle()
        assert (b.status, c.status, room.status, b.clock.elapsed) == ("in-progress", "in-progress", "in-progress", 30)
        b.clock.advance(100)  # through B: C's time and the conference's run too
        await _settle()
        assert _events(b, "conference-joined", "hangup") == [(10, "conference-joined"), (60, "hangup")]
        assert _events(c, "conference-joined", "hangup") == [(0, "conference-joined"), (80, "hangup")]
        assert [(event["at"], event["event"], event.get("call_sid")) for event in room.events] == [
            (0, "start", None), (0, "join", a.sid), (0, "join", b.sid), (0, "join", c.sid),
            (20, "leave", a.sid), (50, "leave", b.sid), (80, "leave", c.sid), (80, "end", None),
        ]  # fmt: skip
        assert room.status == "completed" and len({id(leg.clock.domain) for leg in (a, b, c)}) == 3

    _run(test)
