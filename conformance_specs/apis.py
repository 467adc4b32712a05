"""API values (specs/apis.yaml): everything that makes one API differ from another.

The suite and the emulator are generic machinery; an ``Api`` is what they are handed.
"""

import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from conformance_specs import load

if TYPE_CHECKING:
    from conformance_specs.contract import Contract

APIS_FILE = "apis.yaml"
AUTH_SCHEMES = ("bearer",)


@dataclass(frozen=True)
class ErrorEnvelope:
    """Which schema of the contract an error answer must satisfy, by status."""

    strict: str
    strict_statuses: frozenset[int]
    loose: str

    def schema_for(self, status: int) -> str:
        return self.strict if status in self.strict_statuses else self.loose


@dataclass(frozen=True)
class Presence:
    """One request that tells whether a target serves an API: any answer but ``absent`` says it does."""

    operation_id: str
    absent: frozenset[int]
    query: Mapping[str, Any]
    body: Mapping[str, Any] | None


@dataclass(frozen=True)
class Api:
    name: str
    title: str
    contract_file: str
    error_codes_file: str
    base_path: str
    auth: str
    error_envelope: ErrorEnvelope
    callbacks_file: str | None
    callback_encoding: str | None
    valid_bodies: Mapping[str, Mapping[str, Any]]
    presence: Presence
    resource_parameters: frozenset[str]  # path parameters that name one resource (a call)
    resource_statuses: frozenset[int]  # what a valid request naming a missing or unready resource may get
    area: str | None = None  # the report's area for all this API's REST checks (None: one per kind of check)

    def __hash__(self) -> int:
        return hash(self.name)

    @property
    def contract(self) -> "Contract":
        return _contract(self.contract_file, self.error_codes_file)

    def operation(self, operation_id: str) -> tuple[str, str]:
        """(method, path template) of an operation of this API's contract."""
        for path, item in self.document()["paths"].items():
            for method, operation in item.items():
                if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                    return method.upper(), path
        raise KeyError(f"no operation {operation_id!r} in {self.contract_file}")

    def document(self) -> dict[str, Any]:
        return load(self.contract_file)

    def auth_headers(self, key: str) -> dict[str, str]:
        """The headers that authenticate a request with ``key``."""
        return {"Authorization": f"Bearer {key}"}

    def authorizes(self, authorization: str | None, key: str) -> bool:
        """Whether an Authorization header value carries ``key`` in this API's scheme."""
        expected = self.auth_headers(key)["Authorization"].encode()
        return hmac.compare_digest((authorization or "").encode(), expected)

    def valid_body(self, operation_id: str, fills: Mapping[str, str]) -> dict[str, Any] | None:
        """A body for ``operation_id`` that keeps every rule, its {placeholders} filled in."""
        body = self.valid_bodies.get(operation_id)
        if body is None:
            return None
        return {key: value.format_map(fills) if isinstance(value, str) else value for key, value in body.items()}


@cache
def _contract(contract_file: str, error_codes_file: str) -> "Contract":
    from conformance_specs.contract import Contract

    return Contract(contract_file, error_codes_file)


def _api(name: str, raw: dict[str, Any]) -> Api:
    if raw["auth"] not in AUTH_SCHEMES:
        raise ValueError(f"{APIS_FILE}: API {name!r} has auth {raw['auth']!r}; known schemes: {AUTH_SCHEMES}")
    envelope = raw["error_envelope"]
    callbacks = raw.get("callbacks") or {}
    return Api(
        name=name,
        title=raw["title"],
        contract_file=raw["contract"],
        error_codes_file=raw["error_codes"],
        base_path=raw.get("base_path", "").rstrip("/"),
        auth=raw["auth"],
        error_envelope=ErrorEnvelope(envelope["strict"], frozenset(envelope["strict_statuses"]), envelope["loose"]),
        callbacks_file=callbacks.get("catalogue"),
        callback_encoding=callbacks.get("encoding"),
        valid_bodies=raw.get("valid_bodies", {}),
        presence=Presence(
            raw["presence"]["operation"],
            frozenset(raw["presence"]["absent"]),
            raw["presence"].get("query", {}),
            raw["presence"].get("body"),
        ),
        resource_parameters=frozenset(raw["resources"]["parameters"]),
        resource_statuses=frozenset(raw["resources"]["statuses"]),
        area=raw.get("area"),
    )


@cache
def all_apis() -> tuple[Api, ...]:
    return tuple(_api(name, raw) for name, raw in load(APIS_FILE)["apis"].items())


def api(name: str) -> Api:
    for candidate in all_apis():
        if candidate.name == name:
            return candidate
    raise KeyError(f"no API {name!r} in specs/{APIS_FILE}")
