"""Routes of the TeXML REST API: thin answers over the TeXML backend and the TeXML controller.

Everything that makes this API what it is (base path, auth, error codes, body rules)
comes from its API value, conformance_specs.apis.api("texml").
"""

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from conformance_emulator.backend.texml import Call, TexmlBackend
from conformance_emulator.controllers.texml.controller import TexmlController
from conformance_emulator.http.bodies import FORM, JSON, read_body
from conformance_emulator.http.errors import simple_error, unprocessable
from conformance_specs.apis import Api
from conformance_specs.contract import query_violations

CALLS_PATH = "/texml/Accounts/{account_sid}/Calls"
CALL_PATH = "/texml/Accounts/{account_sid}/Calls/{call_sid}"
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000


class TexmlRouter:
    def __init__(self, api: Api, backend: TexmlBackend, controller: TexmlController) -> None:
        self._base_path = api.base_path
        self._contract = api.contract
        self._errors = api.contract.errors
        self._backend = backend
        self._controller = controller
        self._prefix = self._base_path  # where the routes are served; set by routes()

    def routes(self, root: str) -> list[Route]:
        """The routes, under ``root`` (where the emulator serves, e.g. /v2) and the API's own base path."""
        prefix = self._prefix = root + self._base_path
        return [
            Route(prefix + CALLS_PATH, self.initiate_call, methods=["POST"]),
            Route(prefix + CALLS_PATH, self.list_calls, methods=["GET"]),
            Route(prefix + CALL_PATH, self.get_call, methods=["GET"]),
            Route(prefix + CALL_PATH, self.update_call, methods=["POST"]),
            Route(prefix + "/texml_applications", self.create_application, methods=["POST"]),
        ]

    async def initiate_call(self, request: Request) -> Response:
        body = await read_body(request, (JSON,), self._errors)
        violations = self._contract.body_violations("InitiateCallRequest", body)
        if violations:
            return unprocessable(self._errors, violations)
        call = self._controller.initiate(request.path_params["account_sid"], body)
        return JSONResponse({"from": call.from_, "to": call.to, "status": call.status, "call_sid": call.sid})

    async def list_calls(self, request: Request) -> Response:
        query = dict(request.query_params)
        violations = query_violations(self._contract.query_parameters(CALLS_PATH, "get"), query)
        if violations:
            return unprocessable(self._errors, violations)
        account_sid = request.path_params["account_sid"]
        calls = [call for call in self._backend.calls(account_sid) if _matches(call, query)]
        page = max(int(query.get("Page", 0)), 0)
        size = min(max(int(query.get("PageSize", DEFAULT_PAGE_SIZE)), 1), MAX_PAGE_SIZE)
        start = page * size
        shown = calls[start : start + size]
        calls_path = self._calls_path(account_sid)
        # Page links keep the request's filters, so following them lists the same calls on.
        filters = {name: value for name, value in query.items() if name not in ("Page", "PageSize", "PageToken")}

        def page_uri(number: int) -> str:
            return f"{calls_path}?{urlencode({**filters, 'Page': number, 'PageSize': size})}"

        index = {
            "calls": [call.as_resource(calls_path) for call in shown],
            "page": page,
            "page_size": size,
            "start": start,
            "end": start + max(len(shown) - 1, 0),
            "uri": page_uri(page),
            "first_page_uri": page_uri(0),
        }
        if start + size < len(calls):
            # A string when there is a next page, absent on the last one (errata E-050).
            index["next_page_uri"] = page_uri(page + 1)
        return JSONResponse(index)

    async def get_call(self, request: Request) -> Response:
        call = self._find_call(request)
        if call is None:
            return simple_error(self._errors, "not_found", "Resource not found")
        return JSONResponse(call.as_resource(self._calls_path(call.account_sid)))

    async def update_call(self, request: Request) -> Response:
        body = await read_body(request, (FORM, JSON), self._errors)
        violations = self._contract.body_violations("UpdateCallRequest", body)
        if violations:
            return unprocessable(self._errors, violations)
        call = self._find_call(request)
        if call is None:
            return simple_error(self._errors, "not_found", "Resource not found")
        await self._controller.update(call, body)
        return JSONResponse(call.as_resource(self._calls_path(call.account_sid)))

    async def create_application(self, request: Request) -> Response:
        body = await read_body(request, (JSON,), self._errors)
        violations = self._contract.body_violations("CreateTexmlApplicationRequest", body)
        if violations:
            return unprocessable(self._errors, violations)
        return JSONResponse({"data": self._backend.add_application(body)}, status_code=201)

    def _calls_path(self, account_sid: str) -> str:
        """Where this emulator serves the account's calls (the resources' uri members are below it)."""
        return self._prefix + CALLS_PATH.format(account_sid=account_sid)

    def _find_call(self, request: Request) -> Call | None:
        return self._backend.call(request.path_params["account_sid"], request.path_params["call_sid"])


def _matches(call: Call, query: dict[str, str]) -> bool:
    return all(
        query.get(name) in (None, value)
        for name, value in (("To", call.to), ("From", call.from_), ("Status", call.status))
    )
