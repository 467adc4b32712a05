"""The ASGI application: the backend, its controllers and the routers of each API, assembled."""

from dataclasses import dataclass, field

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from conformance_emulator.backend.backend import Backend
from conformance_emulator.backend.callcontrol import CallControlBackend
from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.outbound import Outbound
from conformance_emulator.backend.signing import Signer
from conformance_emulator.backend.texml import TexmlBackend
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallControlController
from conformance_emulator.controllers.texml.controller import TexmlBehaviour, TexmlController
from conformance_emulator.http.auth import BearerAuth
from conformance_emulator.http.bodies import BodyError
from conformance_emulator.http.callcontrol import CallControlRouter
from conformance_emulator.http.errors import simple_error
from conformance_emulator.http.simulation import SimulationRouter
from conformance_emulator.http.texml import TexmlRouter
from conformance_specs.apis import api
from conformance_specs.contract import ErrorCatalogue

# What the simulation discovery document says about Call Control when it is served.
CALLCONTROL_CAPABILITIES = [
    "callcontrol",
    "callcontrol-webhooks",
    "callcontrol-media",
    "callcontrol-queue",
    "callcontrol-refer-refusal",
    "callcontrol-recording-failure",
]


@dataclass(frozen=True)
class EmulatorSettings:
    api_key: str
    # Every route lives under this prefix, as the real API lives under /v2.
    base_path: str = "/v2"
    # Documents and callbacks go to loopback addresses only, unless this is set.
    allow_remote_fetch: bool = False
    # Serve the simulation control protocol (specs/simulation.openapi.yaml).
    simulation: bool = True
    # Serve the Call Control API (False: its routes answer 404, as a TeXML-only target would).
    callcontrol: bool = True
    # Base64 of the 32-byte Ed25519 seed that signs webhooks; None: a fresh key per app.
    webhook_signing_key: str | None = None


@dataclass
class Behaviour:
    """What the emulator does with a call. The project's mutants replace parts of it."""

    # The call model: media plane, status and status callbacks of one leg.
    leg_class: type[Leg] = Leg
    # The TeXML controller: catalogue, verbs and interpreter.
    texml: TexmlBehaviour = field(default_factory=TexmlBehaviour)
    # The Call Control controller: the driver of its legs and its commands.
    callcontrol: CallControlBehaviour = field(default_factory=CallControlBehaviour)
    # How webhooks are signed.
    signer_class: type[Signer] = Signer


def build_app(settings: EmulatorSettings, behaviour: Behaviour | None = None) -> Starlette:
    behaviour = behaviour or Behaviour()
    texml = api("texml")
    # One leg core (legs, parties, clocks, notifier); each API keeps its own calls and applications over it.
    backend = Backend(Outbound(allow_remote=settings.allow_remote_fetch), behaviour.leg_class)
    texml_backend = TexmlBackend(backend)
    controller = TexmlController(texml_backend, behaviour.texml)
    root = settings.base_path.rstrip("/")
    signer = behaviour.signer_class(settings.webhook_signing_key)
    routes = TexmlRouter(texml, texml_backend, controller).routes(root)
    capabilities: list[str] = []
    if settings.callcontrol:
        callcontrol = api("callcontrol")
        commands = CallControlController(CallControlBackend(backend), signer, behaviour.callcontrol)
        routes += CallControlRouter(callcontrol, commands).routes(root)
        capabilities = CALLCONTROL_CAPABILITIES
    if settings.simulation:
        simulation = SimulationRouter(backend, texml_backend, controller, texml.contract.errors, signer, capabilities)
        routes += simulation.routes(root + texml.base_path)
    return Starlette(
        routes=routes,
        middleware=[Middleware(BearerAuth, api=texml, api_key=settings.api_key)],
        exception_handlers=_exception_handlers(texml.contract.errors),
    )


def _exception_handlers(errors: ErrorCatalogue) -> dict[object, object]:
    """Answers outside any route, in the API's error envelope."""

    async def body_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, BodyError)
        return error.response

    async def not_found(request: Request, error: Exception) -> Response:
        return simple_error(errors, "not_found", f"No route for {request.method} {request.url.path}")

    async def method_not_allowed(request: Request, error: Exception) -> Response:
        response = simple_error(errors, "not_found", f"{request.method} is not supported on {request.url.path}")
        response.status_code = 405
        # RFC 9110: a 405 lists every method the resource takes (each Route knows only its own).
        methods = {
            method
            for route in request.app.routes
            if isinstance(route, Route) and route.path_regex.match(request.url.path)
            for method in route.methods or ()
        }
        response.headers["Allow"] = ", ".join(sorted(methods - {"HEAD"}))
        return response

    return {BodyError: body_error, 404: not_found, 405: method_not_allowed}
