"""The suite's reading of one API's contract: its operations, and validators for its answers."""

import re
from dataclasses import dataclass
from functools import cache, cached_property
from typing import Any

from openapi_core import OpenAPI
from openapi_schema_validator import OAS31Validator

from conformance_specs.apis import Api
from conformance_specs.contract import Contract

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    operation_id: str
    method: str
    path: str
    body_component: str | None
    media_types: tuple[str, ...]
    statuses: frozenset[int]
    query_parameters: tuple[dict[str, Any], ...] = ()
    body_required: bool = False

    @property
    def label(self) -> str:
        return f"{self.method.upper()} {self.path}"

    @property
    def success_statuses(self) -> frozenset[int]:
        return frozenset(status for status in self.statuses if 200 <= status < 300)


class RestContract:
    """An API value as the REST checks read it (built once per API: ``rest_contract(api)``)."""

    def __init__(self, api: Api) -> None:
        self.api = api
        self.rules: Contract = api.contract
        self._openapi: dict[str, OpenAPI] = {}
        self._validators: dict[str, OAS31Validator] = {}

    @property
    def errors(self) -> Any:
        return self.rules.errors

    @cached_property
    def operations(self) -> tuple[Operation, ...]:
        found = []
        for path, item in self.rules.document["paths"].items():
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
                        query_parameters=tuple(self.rules.query_parameters(path, method)),
                        body_required=bool(operation.get("requestBody", {}).get("required")),
                    )
                )
        return tuple(found)

    def operation(self, operation_id: str) -> Operation:
        for candidate in self.operations:
            if candidate.operation_id == operation_id:
                return candidate
        raise KeyError(f"no operation {operation_id!r} in {self.rules.file}")

    def match(self, relative_path: str, method: str) -> tuple[Operation | None, bool]:
        """The operation a request addresses, and whether its path exists under any method."""
        path_known = False
        for candidate in self.operations:
            if _template_regex(candidate.path).match(relative_path):
                path_known = True
                if candidate.method == method.lower():
                    return candidate, True
        return None, path_known

    def names_resource(self, operation: Operation) -> bool:
        """Whether the operation's path names one resource (a call) by a path parameter."""
        return any(f"{{{name}}}" in operation.path for name in self.api.resource_parameters)

    def methods_of(self, relative_path: str) -> set[str]:
        """The methods the contract declares for the path a request addressed."""
        return {op.method.upper() for op in self.operations if _template_regex(op.path).match(relative_path)}

    def openapi_for(self, base_url: str) -> OpenAPI:
        """openapi-core's view of the contract, with the target as its only server."""
        if base_url not in self._openapi:
            document = dict(self.rules.document)
            document["servers"] = [{"url": base_url + self.api.base_path}]
            self._openapi[base_url] = OpenAPI.from_dict(document)
        return self._openapi[base_url]

    def component_validator(self, name: str) -> OAS31Validator:
        """A validator for one schema of the contract, its $refs resolvable (built once per schema)."""
        if name not in self._validators:
            components = self.rules.document["components"]
            self._validators[name] = OAS31Validator({"$ref": f"#/components/schemas/{name}", "components": components})
        return self._validators[name]


@cache
def rest_contract(api: Api) -> RestContract:
    return RestContract(api)


def _body_component(operation: dict[str, Any]) -> tuple[str | None, tuple[str, ...]]:
    content = operation.get("requestBody", {}).get("content", {})
    if not content:
        return None, ()
    ref = next(iter(content.values()))["schema"]["$ref"]
    return ref.rsplit("/", 1)[-1], tuple(content)


@cache
def _template_regex(path: str) -> re.Pattern[str]:
    return re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
