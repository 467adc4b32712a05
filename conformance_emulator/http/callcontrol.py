"""Routes of the Call Control API: thin answers over the Call Control controller.

Everything that makes this API what it is (paths, body rules, error codes) comes from its
API value, conformance_specs.apis.api("callcontrol"). The order of answers for a command:
authentication (401, the middleware) -> media type and body (415, 400) -> the body's rules
(422, every violation) -> the call: unknown (90015), ended (90018), not answered (90034).
"""

from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance_emulator.controllers.callcontrol.controller import CallControlController, CallStateError
from conformance_emulator.http.bodies import JSON, read_body
from conformance_emulator.http.errors import call_state_error, unprocessable
from conformance_specs.apis import Api

ACTIONS_PREFIX = "/calls/{call_control_id}/actions/"
Endpoint = Callable[[Request], Awaitable[Response]]


class CallControlRouter:
    def __init__(self, api: Api, controller: CallControlController) -> None:
        self._base_path = api.base_path
        self._document = api.document()
        self._contract = api.contract
        self._errors = api.contract.errors
        self._controller = controller

    def routes(self, root: str) -> list[Route]:
        """The contract's paths, under ``root`` (where the emulator serves, e.g. /v2) and the API's base path."""
        prefix = root + self._base_path
        routes = []
        for path, item in self._document["paths"].items():
            for method, operation in item.items():
                if not isinstance(operation, dict) or "operationId" not in operation:
                    continue
                routes.append(Route(prefix + path, self._endpoint(path, operation), methods=[method.upper()]))
        return routes

    def _endpoint(self, path: str, operation: dict[str, Any]) -> Endpoint:
        component = _body_component(operation)
        if path.startswith(ACTIONS_PREFIX):
            action = path.removeprefix(ACTIONS_PREFIX)
            return partial(self.command, action=action, component=component)
        if operation["operationId"] == "DialCall":
            return partial(self.dial, component=component)
        if operation["operationId"] == "RetrieveCallStatus":
            return self.retrieve
        return partial(self.create_application, component=component)

    async def _valid_body(self, request: Request, component: str) -> tuple[Any, Response | None]:
        body = await read_body(request, (JSON,), self._errors)
        violations = self._contract.body_violations(component, body)
        return body, unprocessable(self._errors, violations) if violations else None

    async def dial(self, request: Request, component: str) -> Response:
        body, refused = await self._valid_body(request, component)
        if refused:
            return refused
        driver = self._controller.dial(body)
        data = self._controller.call_object(driver)
        if "recording_id" in driver.answer_settings:
            data["recording_id"] = driver.answer_settings["recording_id"]
        return JSONResponse({"data": data})

    async def retrieve(self, request: Request) -> Response:
        driver = self._controller.find(request.path_params["call_control_id"])
        if driver is None:
            return call_state_error(self._errors, "unknown_call", "No call with this call_control_id")
        return JSONResponse({"data": self._controller.call_object(driver)})

    async def command(self, request: Request, action: str, component: str) -> Response:
        body, refused = await self._valid_body(request, component)
        if refused:
            return refused
        driver = self._controller.find(request.path_params["call_control_id"])
        if driver is None:
            return call_state_error(self._errors, "unknown_call", "No call with this call_control_id")
        try:
            data = self._controller.command(driver, action, body)
        except CallStateError as error:
            return call_state_error(self._errors, error.kind, error.detail)
        return JSONResponse({"data": data})

    async def create_application(self, request: Request, component: str) -> Response:
        body, refused = await self._valid_body(request, component)
        if refused:
            return refused
        return JSONResponse({"data": self._controller.create_application(body)}, status_code=201)


def _body_component(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    schema = content.get(JSON, {}).get("schema", {})
    return schema.get("$ref", "").rsplit("/", 1)[-1]
