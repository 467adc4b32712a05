"""The TeXML controller: starts calls whose legs the TeXML interpreter drives, and updates them."""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass, field
from typing import Any

from conformance_emulator.backend.backend import new_call_sid
from conformance_emulator.backend.leg import TERMINAL, CallEnded, LegSetup
from conformance_emulator.backend.texml import Call, TexmlBackend
from conformance_emulator.controllers.texml.interpreter import Fetch, Interpreter, Redirected, TexmlSetup
from conformance_emulator.controllers.texml.setup import inbound_setup, outbound_setup
from conformance_emulator.controllers.texml.verbs import VERBS, Handler
from conformance_specs.catalogue import Catalogue, load

# How long an update waits for the leg to show its effect (the leg's task ends it, in moments).
UPDATE_SETTLE_S = 2.0


@dataclass
class TexmlBehaviour:
    """What the interpreter knows and does. The project's mutants replace parts of it."""

    catalogue: Catalogue = field(default_factory=load)
    verbs: Mapping[str, Handler] = field(default_factory=lambda: dict(VERBS))
    interpreter_class: type[Interpreter] = Interpreter
    # How an InitiateCall body (and the application it names) becomes the call's setup.
    outbound_setup: Callable[[str, str, dict[str, Any], dict[str, Any] | None], tuple[LegSetup, TexmlSetup]] = (
        outbound_setup
    )


class TexmlController:
    """Runs the legs of TeXML calls; its calls and applications are kept by its backend."""

    def __init__(self, backend: TexmlBackend, behaviour: TexmlBehaviour) -> None:
        self._backend = backend
        self._behaviour = behaviour

    def initiate(self, account_sid: str, body: dict[str, Any]) -> Call:
        """An outbound call as InitiateCall asks for it; the party at To answers."""
        application = self._backend.application(body["ApplicationSid"])
        leg, documents = self._behaviour.outbound_setup(new_call_sid(), account_sid, body, application)
        call = self._start(leg, documents, party_address=leg.to)
        call.caller_name = body.get("CallerId")
        return call

    def receive(self, account_sid: str, from_: str, to: str, application: dict[str, Any]) -> Call:
        """An inbound call to the application; the party at From is the caller."""
        leg, documents = inbound_setup(new_call_sid(), account_sid, from_, to, application)
        return self._start(leg, documents, party_address=from_)

    def _start(self, setup: LegSetup, documents: TexmlSetup, party_address: str) -> Call:
        call = self._backend.add_call(setup, party_address)
        assert call.leg is not None
        behaviour = self._behaviour
        interpreter = behaviour.interpreter_class(
            call.leg, documents, behaviour.catalogue, behaviour.verbs, self._backend
        )
        self._backend.core.start(call.leg, interpreter)
        return call

    async def update(self, call: Call, body: dict[str, Any]) -> None:
        """UpdateCall: end the call (Status), or move it to other instructions (inline Texml, or a Url).

        Returns once the change shows on the call resource, so the answer describes the call after it.
        """
        if body.get("Status") in ("completed", "canceled"):
            ended = self._interpreter(call).interrupt(CallEnded("api-hangup", "caller", status="canceled"))
            if ended and call.leg is not None:
                await _settle(call.leg.ended.wait())
            if call.status not in TERMINAL:
                # Nothing runs that could end (or the interpreter refused): the resource still says so.
                self._backend.set_status(call, body["Status"])
        elif body.get("Texml"):
            self._interpreter(call).interrupt(Redirected(Fetch("", "POST", inline=body["Texml"])))
        elif body.get("Url"):
            self._interpreter(call).interrupt(Redirected(Fetch(body["Url"], body.get("Method", "POST"))))

    def _interpreter(self, call: Call) -> Interpreter:
        driver = call.leg.driver if call.leg else None
        assert isinstance(driver, Interpreter), "every call of the TeXML backend runs TeXML"
        return driver


async def _settle(awaitable: Coroutine[Any, Any, Any]) -> None:
    """Wait for a change the leg makes on its own task, bounded: the answer must not hang on it."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(awaitable, UPDATE_SETTLE_S)
