"""The suite's reading of specs/texml-rest.openapi.yaml: operations, and what a request deserves."""

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from openapi_core import OpenAPI
from openapi_schema_validator import OAS31Validator

import specs
from specs.contract import TEXML_REST
from specs.contract import query_parameters as _declared_query_parameters

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    body_component: str | None
    media_types: tuple[str, ...]
    statuses: frozenset[int]

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def addresses_one_resource(self) -> bool:
        """Paths that name a resource by id may answer 404 to any well-formed request."""
        return self.path.endswith("}")

    @property
    def success_statuses(self) -> frozenset[int]:
        return frozenset(status for status in self.statuses if 200 <= status < 300)


def _body_component(operation: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None, ()
    ref = next(iter(content.values()))["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1], tuple(content)


@cache
def operations() -> tuple[Operation, ...]:
    found = []
    for path, item in specs.load(TEXML_REST)["paths"].items():
        for method in HTTP_METHODS:
            if method not in item:
                continue
            operation = item[method]
            component, media_types = _body_component(operation)
            found.append(
                Operation(
                    operation_id=operation["operationId"],
                    method=method,
                    path=path,
                    body_component=component,
                    media_types=media_types,
                    statuses=frozenset(int(code) for code in operation["responses"]),
                )
            )
    return tuple(found)


def operation(operation_id: str) -> Operation:
    for candidate in operations():
        if candidate.operation_id == operation_id:
            return candidate
    raise KeyError(f"no operation {operation_id!r} in {TEXML_REST}")


@cache
def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")


def match(relative_path: str, method: str) -> tuple[Operation | None, bool]:
    """The operation a request addresses, and whether its path exists under any method."""
    path_known = False
    for candidate in operations():
        if _template_regex(candidate.path).match(relative_path):
            path_known = True
            if candidate.method == method.lower():
                return candidate, True
    return None, path_known


@cache
def openapi_for(base_url: str) -> OpenAPI:
    """openapi-core's view of the contract, with the target as its only server."""
    document = dict(specs.load(TEXML_REST))
    document["servers"] = [{"url": base_url}]
    return OpenAPI.from_dict(document)


@cache
def component_validator(name: str) -> OAS31Validator:
    """A validator for one schema of the contract, its $refs resolvable (built once per schema)."""
    document = specs.load(TEXML_REST)
    return OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": document["components"]})


def query_parameters(operation: Operation) -> list[dict[str, Any]]:
    return _declared_query_parameters(operation.path, operation.method)
