"""Routes of the simulation control protocol (specs/simulation.openapi.yaml), over the shared leg core.

It scripts and observes the legs of every API; its inbound calls go to TeXML applications.
"""

import asyncio
import contextlib
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.parties import Party
from conformance_emulator.backend.signing import Signer
from conformance_emulator.backend.texml import TexmlBackend
from conformance_emulator.controllers.texml.controller import TexmlController
from conformance_emulator.http.bodies import JSON, read_body
from conformance_emulator.http.errors import simple_error, unprocessable
from conformance_emulator.http.query import read_query
from conformance_specs import load
from conformance_specs.contract import Contract, ErrorCatalogue, Violation

CONTRACT = "simulation.openapi.yaml"
VERSION = load(CONTRACT)["info"]["version"]
SIMULATION = Contract(CONTRACT)
CAPABILITIES = [
    "parties",
    "timeline",
    "virtual-clock",
    "manual-clock",
    "dtmf",
    "recording",
    "inbound-calls",
    "settled",
    "call-offer",
    "call-recording",
    "speech",
]
TIMELINE_PATH = "/simulation/v1/calls/{call_sid}/timeline"
TIMELINE_QUERY = SIMULATION.query_parameters(TIMELINE_PATH, "get")
DEFAULT_ACCOUNT = "inbound"


class SimulationRouter:
    """Answers in the error codes of the API it sits beside; inbound calls go to the TeXML controller."""

    def __init__(
        self,
        backend: Backend,
        texml_backend: TexmlBackend,
        texml: TexmlController,
        errors: ErrorCatalogue,
        signer: Signer | None = None,
        extra_capabilities: list[str] | None = None,
    ) -> None:
        self._backend = backend
        self._texml_backend = texml_backend
        self._texml = texml
        self._errors = errors
        self._signer = signer
        self._capabilities = CAPABILITIES + list(extra_capabilities or [])

    def routes(self, prefix: str) -> list[Route]:
        base = prefix + "/simulation/v1"
        return [
            Route(base, self.discover, methods=["GET"]),
            Route(base + "/parties/{address:path}", self.script_party, methods=["PUT"]),
            Route(base + "/parties/{address:path}", self.forget_party, methods=["DELETE"]),
            Route(base + "/inbound_calls", self.start_inbound_call, methods=["POST"]),
            Route(prefix + TIMELINE_PATH, self.timeline, methods=["GET"]),
            Route(base + "/calls/{call_sid}/clock", self.advance_clock, methods=["POST"]),
        ]

    async def discover(self, request: Request) -> Response:
        document = {"protocol": "texml-simulation", "version": VERSION, "capabilities": self._capabilities}
        if self._signer is not None:
            document["webhook_public_key"] = self._signer.public_key_b64
        return JSONResponse(document)

    async def script_party(self, request: Request) -> Response:
        body = await read_body(request, (JSON,), self._errors)
        violations = SIMULATION.body_violations("Party", body)
        if violations:
            return unprocessable(self._errors, violations)
        party = Party.from_json(body)
        self._backend.parties.put(_address(request), party)
        return JSONResponse(party.as_json())

    async def forget_party(self, request: Request) -> Response:
        if self._backend.parties.remove(_address(request)):
            return Response(status_code=204)
        return simple_error(self._errors, "not_found", "No script for this address")

    async def start_inbound_call(self, request: Request) -> Response:
        body = await read_body(request, (JSON,), self._errors)
        violations = SIMULATION.body_violations("InboundCall", body)
        application = self._texml_backend.application(body["ApplicationSid"]) if not violations else None
        if not violations and application is None:
            violations = [Violation("/ApplicationSid", "enum", "No TeXML application with this id")]
        if violations or application is None:
            return unprocessable(self._errors, violations)
        account_sid = body.get("AccountSid", DEFAULT_ACCOUNT)
        call = self._texml.receive(account_sid, body["From"], body["To"], application)
        return JSONResponse({"call_sid": call.sid}, status_code=201)

    async def timeline(self, request: Request) -> Response:
        query, violations = read_query(TIMELINE_QUERY, request.query_params)
        if violations:
            return unprocessable(self._errors, violations)
        leg = self._leg(request)
        if leg is None:
            return simple_error(self._errors, "not_found", "No such call")
        if "wait" in query:
            # Events set by the leg and its callback channel wake this up; a timeout just answers what is.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(leg.reached(query["wait"]), query["timeout"])
        return JSONResponse(leg.as_timeline())

    async def advance_clock(self, request: Request) -> Response:
        body = await read_body(request, (JSON,), self._errors)
        violations = SIMULATION.body_violations("ClockAdvance", body)
        if violations:
            return unprocessable(self._errors, violations)
        leg = self._leg(request)
        if leg is None:
            return simple_error(self._errors, "not_found", "No such call")
        leg.clock.advance(float(body["advance"]))
        return JSONResponse({"mode": "manual" if leg.clock.manual else "auto", "elapsed": leg.clock.elapsed})

    def _leg(self, request: Request) -> Leg | None:
        return self._backend.leg(request.path_params["call_sid"])


def _address(request: Request) -> str:
    return unquote(request.path_params["address"])
