"""What a request breaks, read from the contracts in this folder.

Both the reference emulator (to answer) and the suite (to judge answers) need
the same reading of a schema, so it lives with the data, not in either of them.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from typing import Any
from urllib.parse import parse_qsl

from jsonschema import Draft202012Validator, ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from specs import load

TEXML_REST = "texml-rest.openapi.yaml"
ERROR_CODES = load("error-codes.yaml")
CONFLICT_KEYWORDS = frozenset(ERROR_CODES["conflict"]["keywords"])


@dataclass(frozen=True, order=True)
class Violation:
    """One broken rule: the member (JSON pointer) and the JSON Schema keyword it broke."""

    pointer: str
    keyword: str
    detail: str

    @property
    def is_conflict(self) -> bool:
        return self.keyword in CONFLICT_KEYWORDS


@cache
def _validator(contract: str, component: str) -> Draft202012Validator:
    uri = f"urn:{contract}"
    registry = Registry().with_resource(uri, Resource.from_contents(load(contract), default_specification=DRAFT202012))
    return Draft202012Validator({"$ref": f"{uri}#/components/schemas/{component}"}, registry=registry)


def body_violations(component: str, body: Any, contract: str = TEXML_REST) -> list[Violation]:
    """Every rule of schema ``component`` that ``body`` breaks, without duplicates, in pointer order."""
    return sorted(set(_flatten(_validator(contract, component).iter_errors(body))))


def _flatten(errors: Iterable[ValidationError]) -> Iterable[Violation]:
    for error in errors:
        pointer = _pointer(error)
        if error.validator == "required":
            for name in error.validator_value:
                if isinstance(error.instance, Mapping) and name not in error.instance:
                    yield Violation(f"{pointer.rstrip('/')}/{name}", "required", f"Can't be blank: {name}")
        elif error.validator in CONFLICT_KEYWORDS:
            yield from _conflicts(error, pointer)
        else:
            yield Violation(pointer, str(error.validator), error.message)


def _conflicts(error: ValidationError, pointer: str) -> Iterable[Violation]:
    """Members that exclude each other: one violation per member present but forbidden."""
    forbidden = {_pointer(sub) for sub in error.context or [] if sub.validator == "not"}
    for member in sorted(forbidden) or [pointer]:
        yield Violation(member, str(error.validator), "Url and Texml cannot be given together")


def _pointer(error: ValidationError) -> str:
    return "/" + "/".join(str(part) for part in error.absolute_path)


def query_parameters(path: str, method: str, contract: str = TEXML_REST) -> list[dict[str, Any]]:
    """Query parameters the contract declares for one operation."""
    operation = load(contract)["paths"][path][method]
    return [p for p in operation.get("parameters", []) if p.get("in") == "query"]


def query_violations(parameters: list[dict[str, Any]], query: Mapping[str, str]) -> list[Violation]:
    """Rules broken by a query string, each declared parameter read as its schema type."""
    found: list[Violation] = []
    for parameter in parameters:
        name, schema = parameter["name"], parameter.get("schema", {})
        if name not in query:
            continue
        raw = query[name]
        if schema.get("type") == "integer" and not _is_integer(raw):
            found.append(Violation(f"/{name}", "type", f"The '{name}' parameter must be an integer"))
        elif "enum" in schema and raw not in schema["enum"]:
            found.append(Violation(f"/{name}", "enum", f"{name} must be one of {', '.join(schema['enum'])}"))
    return found


def parse_body(media_type: str, raw: bytes) -> Any:
    """A request body as the contract reads it; raises ValueError when it cannot be read.

    UTF-8 only (UnicodeDecodeError is a ValueError); a form member given twice keeps its last value.
    """
    text = raw.decode("utf-8")
    if media_type == "application/x-www-form-urlencoded":
        return dict(parse_qsl(text, keep_blank_values=True))
    return json.loads(text)


def _is_integer(raw: str) -> bool:
    try:
        int(raw)
    except ValueError:
        return False
    return True


def error_for(violation: Violation) -> dict[str, str]:
    """The code and title for a violation (conflicts, which the docs give none, use the conflict entry)."""
    return ERROR_CODES["conflict"] if violation.is_conflict else ERROR_CODES["validation"][violation.keyword]
