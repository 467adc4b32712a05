"""One request the suite sent and the answer it got, in a form every check can read."""

import json
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import httpx
import schemathesis

from conformance.core.failures import InfrastructureError, fail
from conformance.core.redact import Redactor

# Bodies are kept whole up to this size and cut after, so a flooding target cannot exhaust memory;
# the rule response_within_size_limit reports a cut body instead of a garbled parse error.
MAX_KEPT_BODY = 8 * 1024 * 1024

# Headers curl derives from its own command line.
CURL_SETS_ITSELF = frozenset({"host", "content-length", "accept-encoding", "connection", "user-agent"})


@dataclass(frozen=True)
class Exchange:
    method: str
    url: str
    request_headers: Mapping[str, str]
    request_body: bytes
    status: int
    response_headers: Mapping[str, str]
    response_body: bytes
    response_size: int = -1  # bytes the target sent; -1 when equal to len(response_body)

    @property
    def truncated(self) -> bool:
        return self.response_size > len(self.response_body)

    @classmethod
    def from_schemathesis(cls, response: schemathesis.Response) -> "Exchange":
        request = response.request
        body = request.body or b""
        return cls(
            method=request.method or "GET",
            url=request.url or "",
            request_headers={k.lower(): v for k, v in request.headers.items()},
            request_body=body.encode() if isinstance(body, str) else bytes(body),
            status=response.status_code,
            # schemathesis keeps every value of a repeated header; the last one is the one that counts.
            response_headers={k.lower(): values[-1] for k, values in response.headers.items() if values},
            response_body=response.content[:MAX_KEPT_BODY],
            response_size=max(response.content_size, len(response.content)),
        )

    @classmethod
    def from_httpx(cls, response: httpx.Response) -> "Exchange":
        request = response.request
        return cls(
            method=request.method,
            url=str(request.url),
            request_headers={k.lower(): v for k, v in request.headers.items()},
            request_body=request.content,
            status=response.status_code,
            response_headers={k.lower(): v for k, v in response.headers.items()},
            response_body=response.content[:MAX_KEPT_BODY],
            response_size=len(response.content),
        )

    @property
    def path(self) -> str:
        return urlsplit(self.url).path

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(urlsplit(self.url).query, keep_blank_values=True))

    @property
    def request_media_type(self) -> str:
        return _media_type(self.request_headers)

    @property
    def response_media_type(self) -> str:
        return _media_type(self.response_headers)

    def response_json(self) -> Any:
        """The response body as JSON; raises ValueError when it is not."""
        return json.loads(self.response_body)

    def as_curl(self, redact: Redactor) -> str:
        """The request as one curl command line, credentials redacted."""
        parts = ["curl", "-X", self.method, self.url]
        for name, value in self.request_headers.items():
            if name not in CURL_SETS_ITSELF:
                parts += ["-H", f"{name}: {value}"]
        if self.request_body:
            parts += ["--data-binary", self.request_body.decode("utf-8", "replace")]
        return redact(shlex.join(parts))

    def describe_request(self, redact: Redactor) -> str:
        lines = [f"{self.method} {self.url}"]
        lines += [f"{name}: {value}" for name, value in self.request_headers.items()]
        return redact("\n".join(lines) + "\n\n" + self.request_body.decode("utf-8", "replace"))

    def describe_response(self, redact: Redactor) -> str:
        lines = [f"HTTP {self.status}"]
        lines += [f"{name}: {value}" for name, value in self.response_headers.items()]
        return redact("\n".join(lines) + "\n\n" + self.response_body.decode("utf-8", "replace"))


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";")[0].strip().lower()


def send(client: httpx.Client, request: httpx.Request) -> Exchange:
    """Send and record; no answer within the client's timeout is a failure of answers_in_time.

    A connection refused or cut is an infrastructure error, not a broken rule.
    """
    try:
        return Exchange.from_httpx(client.send(request))
    except httpx.TimeoutException:
        raise fail("answers_in_time", f"{request.method} {request.url}: no answer in time") from None
    except httpx.HTTPError as error:
        raise InfrastructureError(f"{request.method} {request.url}: {type(error).__name__}: {error}") from None
