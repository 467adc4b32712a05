"""The shared leg core: where legs are created in call trees and run, with what every API shares.

It holds the legs (by sid, for the simulation protocol), the scripted parties, the notifier,
the id space of applications and the bridges between legs (bridges.py). What an API shows of
a call (a TeXML call resource, a Call Control call) and its named meeting places (queues,
conferences) live in that API's own backend over this core (backend/texml.py,
backend/callcontrol.py), so no API reaches another's resources by accident. A controller
creates a leg through its API's backend and hands the core the Driver that runs it; the
backend never imports a controller.
"""

import asyncio
import dataclasses
import itertools
import secrets
import time
from collections import OrderedDict
from collections.abc import Callable

from conformance_emulator.backend.bridges import Bridges
from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.leg import Driver, Leg, LegSetup
from conformance_emulator.backend.notifier import Notifier
from conformance_emulator.backend.outbound import Outbound
from conformance_emulator.backend.parties import Parties
from conformance_emulator.backend.tree import CallTree

# Fuzzing creates thousands of calls; each API forgets its oldest past its own bound, the core
# forgets legs past this many (room for every API's calls).
MAX_LEGS = 10000


def new_call_sid() -> str:
    return f"v3:{secrets.token_urlsafe(24)}"


class Backend:
    def __init__(self, outbound: Outbound, leg_class: type[Leg] = Leg) -> None:
        self.parties = Parties()
        self.outbound = outbound
        self.notifier = Notifier(outbound)
        self.bridges = Bridges()
        self._leg_class = leg_class
        self._legs: OrderedDict[str, Leg] = OrderedDict()
        self._application_ids = itertools.count(1293384261075731000)
        self._tasks: set[asyncio.Task[None]] = set()

    def add_leg(
        self,
        setup: LegSetup,
        party_address: str,
        parent: Leg | None = None,
        on_status: Callable[[str], None] = lambda status: None,
    ) -> Leg:
        """A leg in the parent's tree (a child leg) or a new one, not yet running; ``on_status`` sees its statuses."""
        party = self.parties.get(party_address)
        if parent is None:
            # A new tree's clock is manual when the party that starts it asks so.
            tree = CallTree(VirtualClock(time.time(), manual=party.clock == "manual"))
        else:
            tree, setup = parent.tree, dataclasses.replace(setup, parent_sid=parent.sid)
        leg = self._leg_class(setup, party, tree, self.notifier.channel(), on_status)
        tree.add(leg)
        self._legs[leg.sid] = leg
        while len(self._legs) > MAX_LEGS:
            self._legs.popitem(last=False)
        return leg

    def leg(self, sid: str) -> Leg | None:
        """The leg ``sid`` of any API: the simulation protocol scripts and observes them all."""
        return self._legs.get(sid)

    def new_application_id(self) -> str:
        """An id for an application of any API (they share one id space)."""
        return str(next(self._application_ids))

    def start(self, leg: Leg, driver: Driver) -> None:
        leg.driver = driver
        task = asyncio.create_task(leg.run())
        self._tasks.add(task)  # a strong reference, so the task is not collected mid-call
        task.add_done_callback(self._tasks.discard)
