"""A call tree: a leg and the legs it creates (dialed, conferenced, queued), on one virtual clock.

Legs of one tree must agree on time: a dialed leg's ringing and its parent's wait are the
same seconds. So the tree, not the leg, owns the clock, and its timelines count from the
tree's creation.

A tree's clock reads a time domain (clock.py) that the tree shares with every tree its legs
meet: when a leg is bridged with a leg of another tree, waits in a queue or joins a
conference, a Meeting (meeting.py) merges their domains; when it leaves, the trees part
again unless another meeting still links them. Merging and parting never change a tree's
own reading of time, only who shares it.
"""

from typing import TYPE_CHECKING

from conformance_emulator.backend.clock import VirtualClock

if TYPE_CHECKING:
    from conformance_emulator.backend.leg import Leg


class CallTree:
    def __init__(self, clock: VirtualClock) -> None:
        self.clock = clock
        self._legs: dict[str, Leg] = {}

    def add(self, leg: "Leg") -> None:
        self._legs[leg.sid] = leg

    def children_of(self, sid: str) -> list[str]:
        """The sids of the legs created by leg ``sid``, oldest first."""
        return [child for child, leg in self._legs.items() if leg.setup.parent_sid == sid]
