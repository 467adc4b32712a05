"""Authentication of every request in an API's scheme."""

from typing import Any

from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint
from starlette.requests import Request
from starlette.responses import Response

from conformance_emulator.http.errors import simple_error
from conformance_specs.apis import Api


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
