"""Check requests against the contract in specs/texml-rest.openapi.yaml."""

from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

import specs
from emulator.errors import CONFLICT_KEYWORDS, Violation

CONTRACT = "texml-rest.openapi.yaml"
_BASE_URI = "urn:texml-rest"


@cache
def _validator(component: str) -> Draft202012Validator:
    resource = Resource.from_contents(specs.load(CONTRACT), default_specification=DRAFT202012)
    registry = Registry().with_resource(_BASE_URI, resource)
    return Draft202012Validator({"$ref": f"{_BASE_URI}#/components/schemas/{component}"}, registry=registry)


def body_violations(component: str, body: Any) -> list[Violation]:
    """Every rule of schema ``component`` that ``body`` breaks."""
    return list(_flatten(_validator(component).iter_errors(body)))


def _flatten(errors: Iterable[ValidationError]) -> Iterable[Violation]:
    for error in errors:
        pointer = "/" + "/".join(str(part) for part in error.absolute_path)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, Mapping) and name not in error.instance:
                    yield Violation(_join(pointer, name), "required", f"Can't be blank: {name}")
        elif error.validator in CONFLICT_KEYWORDS:
            yield from _conflicts(error, pointer)
        else:
            yield Violation(pointer if pointer != "/" else "/", str(error.validator), error.message)


def _conflicts(error: ValidationError, pointer: str) -> Iterable[Violation]:
    """Members that exclude each other: point at each member that is present but forbidden."""
    forbidden = {
        "/" + "/".join(str(part) for part in sub.absolute_path)
        for sub in error.context or []
        if sub.validator == "not"
    }
    for member in sorted(forbidden) or [pointer]:
        yield Violation(member, "oneOf", "Url and Texml cannot be given together")


def _join(pointer: str, name: str) -> str:
    return f"{pointer.rstrip('/')}/{name}"


def query_violations(parameters: list[dict[str, Any]], query: Mapping[str, str]) -> list[Violation]:
    """Rules broken by the query string, each declared parameter read as its schema type."""
    found: list[Violation] = []
    for parameter in parameters:
        name, schema = parameter["name"], parameter.get("schema", {})
        if name not in query:
            continue
        raw = query[name]
        if schema.get("type") == "integer":
            try:
                int(raw)
            except ValueError:
                found.append(Violation(f"/{name}", "type", f"The '{name}' parameter must be an integer"))
                continue
        if "enum" in schema and raw not in schema["enum"]:
            found.append(Violation(f"/{name}", "enum", f"{name} must be one of {', '.join(schema['enum'])}"))
    return found


def operation_parameters(path: str, method: str) -> list[dict[str, Any]]:
    """Query parameters the contract declares for one operation."""
    operation = specs.load(CONTRACT)["paths"][path][method]
    return [p for p in operation.get("parameters", []) if p.get("in") == "query"]
