"""Query strings read as the contract declares them: each parameter typed by its schema, then checked against it."""

import math
from collections.abc import Mapping
from typing import Any

from jsonschema import Draft202012Validator

from conformance_specs.contract import Violation


def _typed(raw: str, kind: str | None) -> Any:
    """``raw`` as a value of JSON Schema type ``kind``; None when it is not one."""
    if kind != "number":
        return raw
    try:
        value = float(raw)
    except ValueError:
        return None
    # nan compares false with every bound, so it would pass any range: refuse it (and inf) as a type error.
    return value if math.isfinite(value) else None


def read_query(parameters: list[dict[str, Any]], query: Mapping[str, str]) -> tuple[dict[str, Any], list[Violation]]:
    """The declared parameters' values (defaults filled in) and the rules the query breaks."""
    values: dict[str, Any] = {}
    violations: list[Violation] = []
    for parameter in parameters:
        name, schema = parameter["name"], parameter.get("schema", {})
        if name not in query:
            if "default" in schema:
                values[name] = schema["default"]
            continue
        value = _typed(query[name], schema.get("type"))
        if value is None:
            violations.append(Violation(f"/{name}", "type", f"{name} must be a finite {schema['type']}"))
            continue
        error = next(Draft202012Validator(schema).iter_errors(value), None)
        if error is None:
            values[name] = value
        else:
            violations.append(Violation(f"/{name}", str(error.validator), f"{name}: {error.message}"))
    return values, violations
