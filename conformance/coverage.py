"""The coverage matrix: every fact the specs state, and the checks that cover it.

Facts are enumerated from specs/ alone (the contract, the verb catalogue, the
callback catalogue, the error codes); which check covers which fact comes from
each check's metadata (conformance.meta). A fact no check names is uncovered.
"""

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

import specs
from conformance import contract
from conformance.fixtures import Fixture
from conformance.meta import (
    attribute_fact,
    callback_event_fact,
    callback_field_fact,
    constraint_fact,
    error_code_fact,
    operation_fact,
    verb_fact,
)
from specs import catalogue
from specs.contract import TEXML_REST

CALLBACKS_SPEC = "texml-callbacks.yaml"
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
)
# A query string carries text, so a declared string type restricts nothing.
QUERY_TYPES = ("integer", "number", "boolean", "array")
BODY_WIDE_KEYWORDS = ("oneOf", "anyOf", "not")
BODY = "(body)"
ABSENT = "<absent>"


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


def build(check_facts: Iterable[tuple[str, frozenset[str]]]) -> Matrix:
    """The matrix for checks given as (check id, facts it covers)."""
    facts = tuple(spec_facts())
    known = {fact.id for fact in facts}
    covering: dict[str, list[str]] = {}
    for check, covered in check_facts:
        for fact_id in covered & known:
            covering.setdefault(fact_id, []).append(check)
    return Matrix(facts, {fact_id: tuple(sorted(checks)) for fact_id, checks in covering.items()})


def spec_facts() -> Iterator[Fact]:
    yield from _operation_facts()
    yield from _error_code_facts()
    yield from _verb_facts()
    yield from _callback_facts()


def _operation_facts() -> Iterator[Fact]:
    components = specs.load(TEXML_REST)["components"]["schemas"]
    for operation in contract.operations():
        op = operation.operation_id
        yield Fact(operation_fact(op), "operation", operation.label)
        for parameter in specs.load(TEXML_REST)["paths"][operation.path][operation.method].get("parameters", []):
            if parameter.get("in") == "query":
                yield from _member_facts(op, parameter["name"], parameter.get("schema", {}), QUERY_TYPES)
        if operation.body_component is None:
            continue
        schema = components[operation.body_component]
        for keyword in BODY_WIDE_KEYWORDS:
            if keyword in schema:
                yield Fact(constraint_fact(op, BODY, keyword), "constraint", f"{op} body: {keyword}")
        for name in schema.get("required", ()):
            yield Fact(constraint_fact(op, name, "required"), "constraint", f"{op} {name} is required")
        for name, prop in schema.get("properties", {}).items():
            if "$ref" in prop:
                prop = components[prop["$ref"].rsplit("/", 1)[-1]]
            yield from _member_facts(op, name, prop, None)


def _member_facts(op: str, name: str, schema: dict[str, Any], types: tuple[str, ...] | None) -> Iterator[Fact]:
    for keyword in CONSTRAINT_KEYWORDS:
        if keyword not in schema:
            continue
        if keyword == "type" and types is not None and schema["type"] not in types:
            continue
        yield Fact(constraint_fact(op, name, keyword), "constraint", f"{op} {name}: {keyword} {schema[keyword]}")


def _error_code_facts() -> Iterator[Fact]:
    codes = specs.load("error-codes.yaml")
    seen: dict[str, str] = {}
    for entry in codes["validation"].values():
        seen.setdefault(error_code_fact(422, entry["code"]), entry["title"])
    for key in ("conflict", "unauthenticated", "not_found", "malformed_body", "unsupported_media_type"):
        entry = codes[key]
        seen.setdefault(error_code_fact(entry["status"], entry["code"]), entry["title"])
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


def _callback_facts() -> Iterator[Fact]:
    for kind, spec in specs.load(CALLBACKS_SPEC)["kinds"].items():
        for event in spec.get("events", {}):
            yield Fact(callback_event_fact(kind, event), "callback event", f"{spec['description']}: {event}")
        for name in spec["fields"]:
            yield Fact(callback_field_fact(kind, name), "callback field", f"{spec['description']}: {name}")


def fixture_facts(fixture: Fixture) -> frozenset[str]:
    """What a scenario covers: its verb, the catalogue facts it names, and the callbacks it expects."""
    found = {verb_fact(fixture.verb)}
    for fact in fixture.facts:
        element, _, attribute = fact.partition("@")
        found.add(verb_fact(element))
        if attribute:
            found.add(attribute_fact(element, attribute))
    for kind, spec in specs.load(CALLBACKS_SPEC)["kinds"].items():
        if spec.get("verb", fixture.verb) != fixture.verb:
            continue
        events = {status: event for event, status in spec.get("events", {}).items()}
        for entry in fixture.expect.get(spec["channel"], ()):
            found |= {
                callback_field_fact(kind, name)
                for name, value in entry.items()
                if name in spec["fields"] and value != ABSENT
            }
            status = entry.get(spec.get("event_field"))
            if status in events:
                found.add(callback_event_fact(kind, events[status]))
    return frozenset(found)
