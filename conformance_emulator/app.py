"""The ASGI application: routes of the TeXML REST contract."""

from dataclasses import dataclass
from functools import partial
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance_emulator.bodies import FORM, JSON, BodyError, read_body
from conformance_emulator.errors import errors_of, simple_error, unprocessable
from conformance_emulator.execution import CallEnded, Fetch, Redirected
from conformance_emulator.setup import outbound_setup
from conformance_emulator.simulation import simulation_routes
from conformance_emulator.store import TERMINAL_STATUSES, Call, Store
from conformance_emulator.switch import Behaviour, Switch
from conformance_specs.apis import Api, api
from conformance_specs.contract import query_violations

CALLS_PATH = "/texml/Accounts/{account_sid}/Calls"
CALL_PATH = "/texml/Accounts/{account_sid}/Calls/{call_sid}"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000


@dataclass(frozen=True)
class EmulatorSettings:
    api_key: str
    # Every route lives under this prefix, as the real API lives under /v2.
    base_path: str = "/v2"
    # Documents and callbacks go to loopback addresses only, unless this is set.
    allow_remote_fetch: bool = False
    # Serve the simulation control protocol (specs/simulation.openapi.yaml).
    simulation: bool = True


class BearerAuth(BaseHTTPMiddleware):
    """401 with the API's error envelope unless the request carries the configured key in its scheme."""

    def __init__(self, app: Any, api: Api, api_key: str) -> None:
        super().__init__(app)
        self._api, self._key = api, api_key

    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        if not self._api.authorizes(request.headers.get("authorization"), self._key):
            return simple_error(
                self._api.contract.errors, "unauthenticated", "Could not understand the provided credentials."
            )
        return await call_next(request)


async def initiate_call(request: Request) -> Response:
    body = await read_body(request, (JSON,))
    violations = request.app.state.api.contract.body_violations("InitiateCallRequest", body)
    if violations:
        return unprocessable(errors_of(request), violations)
    store = _store(request)
    call = store.add_call(request.path_params["account_sid"], body["To"], body["From"], body.get("Url"))
    setup = outbound_setup(
        call.sid, request.path_params["account_sid"], body, store.application(body["ApplicationSid"])
    )
    result = {"from": call.from_, "to": call.to, "status": call.status, "call_sid": call.sid}
    call.run = _switch(request).start(setup, call.to, partial(store.set_status, call))
    return JSONResponse(result)


async def list_calls(request: Request) -> Response:
    query = dict(request.query_params)
    violations = query_violations(request.app.state.api.contract.query_parameters(CALLS_PATH, "get"), query)
    if violations:
        return unprocessable(errors_of(request), violations)
    account_sid = request.path_params["account_sid"]
    calls = [call for call in _store(request).calls(account_sid) if _matches(call, query)]
    page = max(int(query.get("Page", 0)), 0)
    size = min(max(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
    start = page * size
    shown = calls[start : start + size]
    uri = f"/v2/texml/Accounts/{account_sid}/Calls.json"
    more = start + size < len(calls)
    return JSONResponse(
        {
            "calls": [call.as_resource() for call in shown],
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + max(len(shown) - 1, 0),
            "uri": f"{uri}?Page={page}&PageSize={size}",
            "first_page_uri": f"{uri}?Page=0&PageSize={size}",
            "next_page_uri": f"{uri}?Page={page + 1}&PageSize={size}" if more else None,
        }
    )


def _matches(call: Any, query: dict[str, str]) -> bool:
    return all(
        query.get(name) in (None, value)
        for name, value in (("To", call.to), ("From", call.from_), ("Status", call.status))
    )


async def get_call(request: Request) -> Response:
    call = _find_call(request)
    if call is None:
        return simple_error(errors_of(request), "not_found", "Resource not found")
    return JSONResponse(call.as_resource())


async def update_call(request: Request) -> Response:
    body = await read_body(request, (FORM, JSON))
    violations = request.app.state.api.contract.body_violations("UpdateCallRequest", body)
    if violations:
        return unprocessable(errors_of(request), violations)
    call = _find_call(request)
    if call is None:
        return simple_error(errors_of(request), "not_found", "Resource not found")
    if body.get("Status") in ("completed", "canceled"):
        ended = call.run is not None and call.run.interrupt(CallEnded("api-hangup", "caller", status="canceled"))
        if not ended and call.status not in TERMINAL_STATUSES:
            _store(request).set_status(call, body["Status"])
    elif body.get("Url"):
        call.url = body["Url"]
        if call.run is not None:
            call.run.interrupt(Redirected(Fetch(body["Url"], body.get("Method", "POST"))))
    return JSONResponse(call.as_resource())


async def create_application(request: Request) -> Response:
    body = await read_body(request, (JSON,))
    violations = request.app.state.api.contract.body_violations("CreateTexmlApplicationRequest", body)
    if violations:
        return unprocessable(errors_of(request), violations)
    return JSONResponse({"data": _store(request).add_application(body)}, status_code=201)


def _find_call(request: Request) -> Call | None:
    return _store(request).call(request.path_params["account_sid"], request.path_params["call_sid"])


def _store(request: Request) -> Store:
    return request.app.state.store


def _switch(request: Request) -> Switch:
    return request.app.state.switch


async def _body_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, BodyError)
    return error.response


async def _not_found(request: Request, error: Exception) -> Response:
    return simple_error(errors_of(request), "not_found", f"No route for {request.method} {request.url.path}")


async def _method_not_allowed(request: Request, error: Exception) -> Response:
    response = simple_error(errors_of(request), "not_found", f"{request.method} is not supported on {request.url.path}")
    response.status_code = 405
    return response


def build_app(settings: EmulatorSettings, behaviour: Behaviour | None = None) -> Starlette:
    texml = api("texml")
    prefix = settings.base_path.rstrip("/") + texml.base_path
    routes = [
        Route(prefix + CALLS_PATH, initiate_call, methods=["POST"]),
        Route(prefix + CALLS_PATH, list_calls, methods=["GET"]),
        Route(prefix + CALL_PATH, get_call, methods=["GET"]),
        Route(prefix + CALL_PATH, update_call, methods=["POST"]),
        Route(prefix + "/texml_applications", create_application, methods=["POST"]),
    ]
    if settings.simulation:
        routes += simulation_routes(prefix)
    app = Starlette(
        routes=routes,
        middleware=[Middleware(BearerAuth, api=texml, api_key=settings.api_key)],
        exception_handlers={BodyError: _body_error, 404: _not_found, 405: _method_not_allowed},
    )
    app.state.api = texml
    app.state.store = Store()
    app.state.switch = Switch(behaviour or Behaviour(), allow_remote_fetch=settings.allow_remote_fetch)
    return app
