"""Present an Exchange to openapi-core, which validates it against the contract."""

from urllib.parse import parse_qs, urlsplit

from openapi_core.datatypes import RequestParameters
from werkzeug.datastructures import Headers, ImmutableMultiDict

from conformance.core.exchange import Exchange


class ExchangeRequest:
    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange
        self._url = urlsplit(exchange.url)
        self.parameters = RequestParameters(
            query=ImmutableMultiDict(parse_qs(self._url.query)),
            header=Headers(dict(exchange.request_headers)),
        )

    @property
    def host_url(self) -> str:
        return f"{self._url.scheme}://{self._url.netloc}"

    @property
    def path(self) -> str:
        return self._url.path

    @property
    def method(self) -> str:
        return self._exchange.method.lower()

    @property
    def body(self) -> bytes:
        return self._exchange.request_body

    @property
    def content_type(self) -> str:
        return self._exchange.request_headers.get("content-type", "")


class ExchangeResponse:
    def __init__(self, exchange: Exchange) -> None:
        self._exchange = exchange

    @property
    def status_code(self) -> int:
        return self._exchange.status

    @property
    def content_type(self) -> str:
        return self._exchange.response_headers.get("content-type", "")

    @property
    def headers(self) -> Headers:
        return Headers(dict(self._exchange.response_headers))

    @property
    def data(self) -> bytes:
        return self._exchange.response_body
