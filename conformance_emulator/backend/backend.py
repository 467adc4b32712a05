"""The backend: where legs are created in call trees and run, with the state they share.

It holds the store, the scripted parties and the notifier. A controller creates a call
here and hands the backend the Driver that runs its leg; the backend never imports one.
"""

import asyncio
import dataclasses
import time
from functools import partial

from conformance_emulator.backend.clock import VirtualClock
from conformance_emulator.backend.leg import Driver, Leg, LegSetup
from conformance_emulator.backend.notifier import Notifier
from conformance_emulator.backend.outbound import Outbound
from conformance_emulator.backend.parties import Parties
from conformance_emulator.backend.store import Call, Store
from conformance_emulator.backend.tree import CallTree


class Backend:
    def __init__(self, outbound: Outbound, leg_class: type[Leg] = Leg) -> None:
        self.store = Store()
        self.parties = Parties()
        self.outbound = outbound
        self.notifier = Notifier(outbound)
        self._leg_class = leg_class
        self._tasks: set[asyncio.Task[None]] = set()

    def add_call(self, setup: LegSetup, party_address: str, parent: Leg | None = None) -> Call:
        """A call resource and its leg, in the parent's tree (a child leg) or a new one; not yet running."""
        party = self.parties.get(party_address)
        if parent is None:
            # A new tree's clock is manual when the party that starts it asks so.
            tree = CallTree(VirtualClock(time.time(), manual=party.clock == "manual"))
        else:
            tree, setup = parent.tree, dataclasses.replace(setup, parent_sid=parent.sid)
        call = self.store.add_call(setup)
        leg = self._leg_class(setup, party, tree, self.notifier.channel(), partial(self.store.set_status, call))
        self.store.attach(call, leg)
        tree.add(leg)
        return call

    def start(self, leg: Leg, driver: Driver) -> None:
        leg.driver = driver
        task = asyncio.create_task(leg.run())
        self._tasks.add(task)  # a strong reference, so the task is not collected mid-call
        task.add_done_callback(self._tasks.discard)
