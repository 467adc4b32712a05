"""Where calls run: starts a CallRun per call and keeps the shared pieces (parties, HTTP client)."""

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance_emulator.execution import CallRun, CallSetup
from conformance_emulator.outbound import Outbound
from conformance_emulator.parties import Parties
from conformance_emulator.verbs import VERBS, Handler
from conformance_specs.catalogue import Catalogue, load


@dataclass
class Behaviour:
    """What the emulator does with a call. The project's mutants replace parts of it."""

    catalogue: Catalogue = field(default_factory=load)
    verbs: Mapping[str, Handler] = field(default_factory=lambda: dict(VERBS))
    run_class: type[CallRun] = CallRun


class Switch:
    def __init__(self, behaviour: Behaviour, allow_remote_fetch: bool = False) -> None:
        self.behaviour = behaviour
        self.parties = Parties()
        self._allow_remote = allow_remote_fetch
        self._outbound: Outbound | None = None
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, setup: CallSetup, party_address: str, on_status: Any) -> CallRun:
        if self._outbound is None:  # created lazily: it must belong to the server's event loop
            self._outbound = Outbound(allow_remote=self._allow_remote)
        behaviour = self.behaviour
        run = behaviour.run_class(
            setup, self.parties.get(party_address), behaviour.catalogue, behaviour.verbs, self._outbound, on_status
        )
        task = asyncio.create_task(run.run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return run
