"""Routes of the simulation control protocol (specs/simulation.openapi.yaml)."""

from functools import partial
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance_emulator.bodies import JSON, read_body
from conformance_emulator.errors import errors_of, simple_error, unprocessable
from conformance_emulator.parties import Party
from conformance_emulator.setup import inbound_setup
from conformance_specs import load
from conformance_specs.contract import Contract, Violation

CONTRACT = "simulation.openapi.yaml"
VERSION = load(CONTRACT)["info"]["version"]
SIMULATION = Contract(CONTRACT)
CAPABILITIES = ["parties", "timeline", "virtual-clock", "manual-clock", "dtmf", "recording", "inbound-calls"]
DEFAULT_ACCOUNT = "inbound"


async def discover(request: Request) -> Response:
    return JSONResponse({"protocol": "texml-simulation", "version": VERSION, "capabilities": CAPABILITIES})


async def script_party(request: Request) -> Response:
    body = await read_body(request, (JSON,))
    violations = SIMULATION.body_violations("Party", body)
    if violations:
        return unprocessable(errors_of(request), violations)
    party = Party.from_json(body)
    request.app.state.switch.parties.put(_address(request), party)
    return JSONResponse(party.as_json())


async def forget_party(request: Request) -> Response:
    if request.app.state.switch.parties.remove(_address(request)):
        return Response(status_code=204)
    return simple_error(errors_of(request), "not_found", "No script for this address")


async def start_inbound_call(request: Request) -> Response:
    body = await read_body(request, (JSON,))
    violations = SIMULATION.body_violations("InboundCall", body)
    store = request.app.state.store
    application = store.application(body["ApplicationSid"]) if not violations else None
    if not violations and application is None:
        violations = [Violation("/ApplicationSid", "enum", "No TeXML application with this id")]
    if violations:
        return unprocessable(errors_of(request), violations)
    account_sid = body.get("AccountSid", DEFAULT_ACCOUNT)
    call = store.add_call(account_sid, body["To"], body["From"], application.get("voice_url"), direction="inbound")
    setup = inbound_setup(call.sid, account_sid, body["From"], body["To"], application)
    call.run = request.app.state.switch.start(setup, body["From"], partial(store.set_status, call))
    return JSONResponse({"call_sid": call.sid}, status_code=201)


async def timeline(request: Request) -> Response:
    run = _run(request)
    if run is None:
        return simple_error(errors_of(request), "not_found", "No such call")
    return JSONResponse(run.as_timeline())


async def advance_clock(request: Request) -> Response:
    body = await read_body(request, (JSON,))
    violations = SIMULATION.body_violations("ClockAdvance", body)
    if violations:
        return unprocessable(errors_of(request), violations)
    run = _run(request)
    if run is None:
        return simple_error(errors_of(request), "not_found", "No such call")
    run.clock.advance(float(body["advance"]))
    return JSONResponse({"mode": "manual" if run.clock.manual else "auto", "elapsed": run.clock.elapsed})


def _address(request: Request) -> str:
    return unquote(request.path_params["address"])


def _run(request: Request) -> Any:
    call = request.app.state.store.find(request.path_params["call_sid"])
    return None if call is None else call.run


def simulation_routes(prefix: str) -> list[Route]:
    base = prefix + "/simulation/v1"
    return [
        Route(base, discover, methods=["GET"]),
        Route(base + "/parties/{address:path}", script_party, methods=["PUT"]),
        Route(base + "/parties/{address:path}", forget_party, methods=["DELETE"]),
        Route(base + "/inbound_calls", start_inbound_call, methods=["POST"]),
        Route(base + "/calls/{call_sid}/timeline", timeline, methods=["GET"]),
        Route(base + "/calls/{call_sid}/clock", advance_clock, methods=["POST"]),
    ]
