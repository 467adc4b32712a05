"""The contract facts: every fact the contracts and catalogues in specs/ state, and the checks covering it.

Operations, each schema constraint (nested members too), verbs and attributes, callback events
and fields, error codes: enumerated from specs/ alone, and mostly covered by construction, since
checks are generated from them. Which check covers which fact comes from each check's metadata
(conformance.core.meta). They are counted apart from the headline, the seed facts
(conformance.gate.seed_coverage), and never added to it.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import conformance_specs as specs
from conformance.core.meta import (
    attribute_fact,
    callback_event_fact,
    callback_field_fact,
    constraint_fact,
    error_code_fact,
    operation_fact,
    verb_fact,
)
from conformance.rest.contract import rest_contract
from conformance_specs import catalogue
from conformance_specs.apis import Api
from conformance_specs.contract import FORMATS

# JSON Schema keywords that restrict what a request member may be.
CONSTRAINT_KEYWORDS = (
    "type",
    "enum",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minLength",
    "maxLength",
    "minItems",
    "maxItems",
    "format",
)
# A query string carries text, so a declared string type restricts nothing.
QUERY_TYPES = ("integer", "number", "boolean", "array")
BODY_WIDE_KEYWORDS = ("oneOf", "anyOf", "not")
BODY = "(body)"


@dataclass(frozen=True)
class Fact:
    id: str
    kind: str
    detail: str


@dataclass(frozen=True)
class Matrix:
    facts: tuple[Fact, ...]
    covering: dict[str, tuple[str, ...]]  # fact id -> check ids

    @property
    def uncovered(self) -> list[Fact]:
        return [fact for fact in self.facts if not self.covering.get(fact.id)]

    def counts(self) -> dict[str, dict[str, int]]:
        """Per kind of fact: how many there are and how many some check covers."""
        found: dict[str, dict[str, int]] = {}
        for fact in self.facts:
            row = found.setdefault(fact.kind, {"facts": 0, "covered": 0})
            row["facts"] += 1
            row["covered"] += bool(self.covering.get(fact.id))
        return found

    def as_json(self) -> dict[str, Any]:
        return {
            "counts": self.counts(),
            "facts": [
                {
                    "id": fact.id,
                    "kind": fact.kind,
                    "detail": fact.detail,
                    "checks": list(self.covering.get(fact.id, ())),
                }
                for fact in self.facts
            ],
            "uncovered": [fact.id for fact in self.uncovered],
        }


def build(apis: Iterable[Api], check_facts: Iterable[tuple[str, frozenset[str]]]) -> Matrix:
    """The contract matrix of the facts ``apis`` state, for checks given as (check id, facts it covers)."""
    # Two APIs may state one fact (the same error code): it is one fact, covered by either's checks.
    unique: dict[str, Fact] = {}
    for fact in spec_facts(tuple(apis)):
        unique.setdefault(fact.id, fact)
    facts = tuple(unique.values())
    known = {fact.id for fact in facts}
    covering: dict[str, list[str]] = {}
    for check, covered in check_facts:
        for fact_id in covered & known:
            covering.setdefault(fact_id, []).append(check)
    return Matrix(facts, {fact_id: tuple(sorted(checks)) for fact_id, checks in covering.items()})


def spec_facts(apis: tuple[Api, ...]) -> Iterator[Fact]:
    for api in apis:
        yield from _operation_facts(api)
        yield from _error_code_facts(api)
        if api.callbacks_file:
            yield from _callback_facts(api.callbacks_file)
    if any(api.name == "texml" for api in apis):
        yield from _verb_facts()


def _operation_facts(api: Api) -> Iterator[Fact]:
    contract = rest_contract(api)
    components = contract.rules.document["components"]["schemas"]
    # A format is a rule only where the error codes name a code for it, and only one the contract asserts.
    formats = frozenset(FORMATS.checkers) if "format" in api.contract.errors.validation else frozenset()
    for operation in contract.operations:
        op = operation.operation_id
        yield Fact(operation_fact(op), "operation", operation.label)
        for parameter in operation.query_parameters:
            yield from _member_facts(op, parameter["name"], parameter.get("schema", {}), QUERY_TYPES, formats)
        if operation.body_component is None:
            continue
        schema = components[operation.body_component]
        for keyword in BODY_WIDE_KEYWORDS:
            if keyword in schema:
                yield Fact(constraint_fact(op, BODY, keyword), "constraint", f"{op} body: {keyword}")
        yield from _object_facts(op, "", schema, components, formats)


def _object_facts(
    op: str, prefix: str, schema: dict[str, Any], components: dict[str, Any], formats: frozenset[str]
) -> Iterator[Fact]:
    """The constraints of an object's members, and of the members nested in them: those of an object with
    declared members, or of each entry of a list of such objects (named ``custom_headers[].name``)."""

    def resolved(prop: dict[str, Any]) -> dict[str, Any]:
        return components[prop["$ref"].rsplit("/", 1)[-1]] if "$ref" in prop else prop

    def has_members(prop: dict[str, Any]) -> bool:
        return prop.get("type") == "object" and bool(prop.get("properties") or prop.get("required"))

    for name in schema.get("required", ()):
        yield Fact(constraint_fact(op, prefix + name, "required"), "constraint", f"{op} {prefix}{name} is required")
    for name, prop in schema.get("properties", {}).items():
        prop = resolved(prop)
        yield from _member_facts(op, prefix + name, prop, None, formats)
        items = resolved(prop["items"]) if isinstance(prop.get("items"), dict) else {}
        if has_members(prop):
            yield from _object_facts(op, f"{prefix}{name}.", prop, components, formats)
        elif prop.get("type") == "array" and has_members(items):
            yield from _member_facts(op, f"{prefix}{name}[]", {"type": items["type"]}, None, formats)
            yield from _object_facts(op, f"{prefix}{name}[].", items, components, formats)


def _member_facts(
    op: str, name: str, schema: dict[str, Any], types: tuple[str, ...] | None, formats: frozenset[str]
) -> Iterator[Fact]:
    for keyword in CONSTRAINT_KEYWORDS:
        if keyword not in schema or (keyword == "format" and schema["format"] not in formats):
            continue
        if keyword == "type" and types is not None and schema["type"] not in types:
            continue
        yield Fact(constraint_fact(op, name, keyword), "constraint", f"{op} {name}: {keyword} {schema[keyword]}")


def _error_code_facts(api: Api) -> Iterator[Fact]:
    errors = api.contract.errors
    seen: dict[str, str] = {}
    for entry in [
        *errors.validation.values(),
        errors.conflict,
        *errors.answers().values(),
        *errors.resource_state.values(),
    ]:
        seen.setdefault(error_code_fact(entry.status, entry.code), entry.title)
    for fact_id, title in seen.items():
        yield Fact(fact_id, "error code", title)


def _verb_facts() -> Iterator[Fact]:
    known = catalogue.load()
    for element in known.elements.values():
        if element.name == known.root:  # the document element, not a verb
            continue
        yield Fact(verb_fact(element.name), "verb", f"<{element.name}> ({element.kind})")
        for attribute in element.attributes.values():
            if attribute.default is None and attribute.min is None and attribute.max is None:
                continue
            bounds = "" if attribute.min is None else f" range {attribute.min}..{attribute.max}"
            default = "" if attribute.default is None else f" default {attribute.default!r}"
            yield Fact(
                attribute_fact(element.name, attribute.name),
                "attribute",
                f"{element.name}@{attribute.name}:{default}{bounds}",
            )


def _callback_facts(callbacks_file: str) -> Iterator[Fact]:
    catalogue = specs.load(callbacks_file)
    if "events" in catalogue:  # a webhook catalogue: one fact per event type
        for event, spec in catalogue["events"].items():
            yield Fact(callback_event_fact("webhook", event), "webhook event", f"{spec['schema']}: {event}")
        return
    for kind, spec in catalogue["kinds"].items():
        for event in spec.get("events", {}):
            yield Fact(callback_event_fact(kind, event), "callback event", f"{spec['description']}: {event}")
        for name in spec["fields"]:
            yield Fact(callback_field_fact(kind, name), "callback field", f"{spec['description']}: {name}")
