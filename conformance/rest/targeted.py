"""Requests that break one documented rule on purpose, derived from an API's contract.

Every required member, declared type, enum, enumerated-list pattern and range bound
of a request schema becomes a case: the rule's error code must come back with its
title and a source.pointer naming the member; each range bound itself must be
accepted. The members of a member that is an object with declared properties, or a
list of such objects, get the same cases (sent inside a value that keeps every other
rule, the first entry of a list standing for every entry), named by their path:
``answering_machine_detection_config.total_analysis_time_millis``, ``custom_headers[0].name``.
Members that exclude each other (a body-wide ``oneOf``) are sent together.
Where a source documents a stricter reading of a member (``x-stricter``), what every
source allows must be accepted, and a value only the stricter reading refuses may be
accepted or refused with that reading's code (the check reports which).
Nothing here restates the contract: operations, schemas and valid bodies are all
read from the API value (specs/apis.yaml and the contract it names).
"""

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from conformance.core.target import Target
from conformance.rest.contract import Operation, RestContract
from conformance_specs.contract import Stricter, Violation

REMOVE = object()
# A value of the wrong JSON type for each declared type.
WRONG_TYPE_VALUE: dict[str, Any] = {
    "string": 12345,
    "integer": "twelve",
    "boolean": "yes",
    "array": "not-a-list",
    "object": "not-an-object",
}
NOT_IN_ENUM = "not-a-documented-value"
# A value each asserted format refuses.
NOT_OF_FORMAT = {"uri": "not a uri", "uuid": "not-a-uuid"}
VALID_URL = "http://127.0.0.1:9/texml-conformance/document.xml"
FORM = "application/x-www-form-urlencoded"


@dataclass(frozen=True)
class RuleCase:
    """One request that keeps or breaks one rule; ``keyword`` None means it must be accepted."""

    operation_id: str
    member: str
    value: Any
    keyword: str | None
    why: str
    location: str = "body"
    media_type: str = "application/json"
    pointers: tuple[str, ...] = field(default=())
    expected_error: Any = None  # the ErrorCode a 422 must carry (None: accepted, or any code of a conflict)
    shown: str | None = None  # how the id shows the value, when repr() would be unreadable
    # Another body shape of a body-wide ``oneOf`` (its title as a slug), and the members set to get it from
    # the valid body (REMOVE drops one): a rule must hold whichever way the body is shaped.
    shape: str = ""
    reshaped: tuple[tuple[str, Any], ...] = ()
    # A value only a source's stricter reading refuses: accepted, or refused with expected_error, both pass.
    stricter: Stricter | None = None
    # A member nested in a top-level one: its JSON path (names and list indexes, the top-level member first)
    # and a value of the top-level member that keeps every rule, into which the case puts its value.
    path: tuple[str | int, ...] = ()
    around: Any = field(default=None, hash=False, compare=False)

    @property
    def id(self) -> str:
        """The check id: ``rest/<operation>/<where><member>=<value>-><code, accepted or accepted-or-code>``."""
        shown = self.shown or ("(absent)" if self.value is REMOVE else repr(self.value))
        if self.keyword == "not":
            return f"rest/{self.operation_id}/{'+'.join(self.value)}-together->422"
        expected = self.expected_error.code if self.expected_error else ("accepted" if self.keyword is None else "422")
        if self.stricter is not None:
            expected = f"accepted-or-{expected}"
        where = "form:" if self.media_type == FORM else ("query:" if self.location == "query" else "")
        where += f"{self.shape}:" if self.shape else ""
        return f"rest/{self.operation_id}/{where}{self.member}={shown}->{expected}"

    @property
    def expected_pointers(self) -> tuple[str, ...]:
        """Where the error may point: the member, or for a nested one, it or any member holding it (errata E-142)."""
        if self.pointers:
            return self.pointers
        path = self.path or (self.member,)
        return tuple(_pointer(path[:end]) for end in range(len(path), 0, -1))

    @property
    def top(self) -> str:
        """The top-level member of the body the case changes."""
        return str(self.path[0]) if self.path else self.member

    @property
    def constrained(self) -> str:
        """The member whose rule the case breaks, as contract facts name it (a list's entries as ``[]``)."""
        return _shown_path(self.path, entry="[]") if self.path else self.member


def all_cases(contract: RestContract) -> list[RuleCase]:
    cases: list[RuleCase] = []
    for operation in contract.operations:
        cases += _query_cases(contract, operation)
        for media_type in operation.media_types:
            cases += _body_cases(contract, operation, media_type)
    return cases


def _body_cases(contract: RestContract, operation: Operation, media_type: str) -> Iterator[RuleCase]:
    assert operation.body_component is not None
    schema = contract.rules.component(operation.body_component)
    errors = contract.errors
    form = media_type == FORM
    op = operation.operation_id
    for name in schema.get("required", []):
        yield RuleCase(op, name, REMOVE, "required", "required member absent", media_type=media_type,
                       expected_error=errors.validation["required"])  # fmt: skip
    for name, raw in schema.get("properties", {}).items():
        prop = contract.rules.resolved(raw)
        yield from _member_cases(contract, op, (name,), prop, media_type, form)
        if not form:  # a form body carries flat strings: it cannot hold a nested member
            yield from _nested_cases(contract, op, (name,), prop, None, media_type)
    if "oneOf" in schema and not form:
        yield from _conflict_cases(contract, op, schema)
        yield from _shape_cases(contract, op, schema)
    for together in _exclusions(schema):
        yield _together_case(contract, op, schema, together)


def _member_cases(
    contract: RestContract,
    op: str,
    path: tuple[str | int, ...],
    prop: dict[str, Any],
    media_type: str,
    form: bool,
    around: Any = None,
) -> Iterator[RuleCase]:
    """The cases of one member: top-level (``path`` its name alone) or nested in the value ``around``."""
    name = _shown_path(path)
    nested = dict(path=path, around=around) if len(path) > 1 else {}

    def case(value: Any, keyword: str | None, why: str, shown: str | None = None) -> RuleCase:
        error = contract.errors.validation[keyword] if keyword else None
        return RuleCase(
            op, name, value, keyword, why, media_type=media_type, expected_error=error, shown=shown, **nested
        )

    stricter = _stricter_of(prop)

    def either(value: Any, keyword: str, why: str) -> RuleCase:
        assert stricter is not None
        error = contract.errors.for_stricter(Violation(_pointer(path), keyword, why), stricter)
        why = f"{why}: {stricter.follows} refuses it, {stricter.otherwise} takes it (errata {stricter.erratum})"
        return RuleCase(
            op, name, value, keyword, why, media_type=media_type, expected_error=error, stricter=stricter, **nested
        )

    # Form bodies carry only strings, so a wrong JSON type cannot be sent in one.
    declared = prop.get("type")
    if not form and isinstance(declared, str) and declared in WRONG_TYPE_VALUE:
        yield case(WRONG_TYPE_VALUE[declared], "type", f"declared {declared}")
    if "enum" in prop:
        yield case(NOT_IN_ENUM, "enum", f"one of {prop['enum']}")
    # A format is a rule only where the error codes name a code for breaking it.
    if prop.get("format") in NOT_OF_FORMAT and "format" in contract.errors.validation:
        yield case(NOT_OF_FORMAT[prop["format"]], "format", f"format {prop['format']}")
    if "pattern" in prop:
        yield case(f"{prop.get('default', 'x')} {NOT_IN_ENUM}", "pattern", "space separated enumerated words")
        yield case(_all_words(prop["pattern"]), None, "every enumerated word at once")
    for bound, step in (("minimum", -1), ("maximum", +1)):
        if bound in prop:
            yield case(prop[bound] + step, bound, f"{bound} {prop[bound]}")
            if stricter is not None and bound in stricter.rule:
                yield either(prop[bound], bound, f"{bound} {prop[bound]} itself")
            else:
                yield case(prop[bound], None, f"{bound} {prop[bound]} itself is allowed")
    if stricter is not None:
        for bound, step in (("minimum", -1), ("maximum", +1)):
            if bound in stricter.rule:
                narrow, past = stricter.rule[bound], stricter.rule[bound] + step
                yield case(narrow, None, f"{bound} {narrow} itself is allowed by every source")
                if past != prop.get(bound):  # the declared bound has its own case above
                    yield either(past, bound, f"{past}, past the stricter {bound} {narrow}")
        if "enum" in stricter.rule:
            for value in prop.get("enum", ()):
                if value in stricter.rule["enum"]:
                    yield case(value, None, "a value every source lists")
                else:
                    yield either(value, "enum", f"{value!r}, a value only one source lists")
        for value in stricter.outside:
            yield either(value, next(iter(stricter.rule)), f"{value!r}, outside the stricter reading")
    for bound, step in (("minLength", -1), ("maxLength", +1)):
        if bound in prop and prop[bound] + step >= 0:
            over, at = prop[bound] + step, prop[bound]
            yield case("x" * over, bound, f"{bound} {at}", shown=f"'x'*{over}")
            yield case("x" * at, None, f"{bound} {at} itself is allowed", shown=f"'x'*{at}")


def _nested_cases(
    contract: RestContract,
    op: str,
    path: tuple[str | int, ...],
    prop: dict[str, Any],
    around: Any,
    media_type: str,
) -> Iterator[RuleCase]:
    """The cases of the members inside the member at ``path``: the properties of an object, or of the entries of a
    list of objects (sent as a list of one entry, which stands for every entry).

    ``around`` is the value of the top-level member the member at ``path`` sits in (None: it is that member).
    """
    items = contract.rules.resolved(prop["items"]) if isinstance(prop.get("items"), dict) else {}
    if not (prop.get("type") == "array" and _has_members(items)) and not _has_members(prop):
        return
    # The member itself keeps every rule: a value of its own where the value around it lacks it.
    if around is None:
        top = _valid_value(contract, prop)
    elif _get(around, path[1:]) is REMOVE:
        top = _put(around, path[1:], _valid_value(contract, prop))
    else:
        top = around
    if _has_members(prop):
        yield from _members_of(contract, op, path, prop, top, media_type)
    else:
        # The entry itself is a member of the list: its declared type is a rule (its members follow).
        entry = (*path, 0)
        yield from _member_cases(contract, op, entry, {"type": items["type"]}, media_type, False, top)
        yield from _members_of(contract, op, entry, items, top, media_type)


def _members_of(
    contract: RestContract, op: str, path: tuple[str | int, ...], schema: dict[str, Any], top: Any, media_type: str
) -> Iterator[RuleCase]:
    """Each required member of the object at ``path`` left out, and each declared member's own cases."""
    for name in schema.get("required", ()):
        where = (*path, name)
        yield RuleCase(op, _shown_path(where), REMOVE, "required", "required member absent", media_type=media_type,
                       expected_error=contract.errors.validation["required"], path=where, around=top)  # fmt: skip
    for name, raw in schema.get("properties", {}).items():
        prop, where = contract.rules.resolved(raw), (*path, name)
        yield from _member_cases(contract, op, where, prop, media_type, False, top)
        yield from _nested_cases(contract, op, where, prop, top, media_type)


def _has_members(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" and bool(schema.get("properties") or schema.get("required"))


def _valid_value(contract: RestContract, schema: dict[str, Any]) -> Any:
    """A value of ``schema`` that keeps its rules: an object with its required members only, a list of one entry;
    else its example, default or first listed value, else the plainest value of its type."""
    prop = contract.rules.resolved(schema)
    kind = prop.get("type")
    if kind == "object":
        return {name: _valid_value(contract, prop["properties"][name]) for name in prop.get("required", ())}
    if kind == "array":
        return [_valid_value(contract, prop["items"])] if isinstance(prop.get("items"), dict) else []
    if prop.get("examples"):
        return prop["examples"][0]
    if "default" in prop:
        return prop["default"]
    if prop.get("enum"):
        return prop["enum"][0]
    if kind in ("integer", "number"):
        return prop.get("minimum", 0)
    if kind == "boolean":
        return False
    return _example(prop)


def _pointer(path: tuple[str | int, ...]) -> str:
    """The JSON pointer of the member at ``path`` (RFC 6901)."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in path)


def _shown_path(path: tuple[str | int, ...], entry: str | None = None) -> str:
    """A path as check ids show it, ``custom_headers[0].name``; ``entry`` replaces each list index (``[]``)."""
    shown = str(path[0])
    for part in path[1:]:
        shown += (entry or f"[{part}]") if isinstance(part, int) else f".{part}"
    return shown


def _stricter_of(prop: dict[str, Any]) -> Stricter | None:
    """The member's stricter reading: on its schema, or on the alternative of its ``oneOf`` that has one."""
    return Stricter.of(prop) or next(filter(None, map(Stricter.of, prop.get("oneOf", ()))), None)


def _exclusions(schema: dict[str, Any]) -> list[list[str]]:
    """Members a body must not carry together: ``not: {required: [...]}``, alone or in an ``allOf``."""
    nots = [schema.get("not", {})] + [part.get("not", {}) for part in schema.get("allOf", [])]
    return [list(clause["required"]) for clause in nots if len(clause.get("required", [])) >= 2]


def _together_case(contract: RestContract, op: str, schema: dict[str, Any], together: list[str]) -> RuleCase:
    """Every member of ``together`` sent at once (the last one is the member under test)."""
    values = {name: _example(contract.rules.resolved(schema["properties"][name])) for name in together}
    pointers = tuple(f"/{name}" for name in together)
    why = f"{' and '.join(together)} exclude each other"
    return RuleCase(op, together[-1], values, "not", why, pointers=pointers)


def _example(prop: dict[str, Any]) -> Any:
    """A value the member's own rules accept: its documented example or default, else a plain one."""
    if prop.get("examples"):
        return prop["examples"][0]
    if "default" in prop:
        return prop["default"]
    return "https://example.com/conformance.mp3" if prop.get("format") == "uri" else "conformance"


def _conflict_cases(contract: RestContract, op: str, schema: dict[str, Any]) -> Iterator[RuleCase]:
    """Members a ``oneOf`` branch forbids (``not: {}``) while another requires them: send both at once.

    The valid body already holds one of them; the other is added with its documented example.
    """
    forbidden = sorted({name for branch in schema["oneOf"] for name, prop in branch.get("properties", {}).items()
                        if prop == {"not": {}}})  # fmt: skip
    given = contract.api.valid_bodies.get(op, {})
    added = [name for name in forbidden if name not in given]
    if len(forbidden) >= 2 and added and any(name in given for name in forbidden):
        member = added[0]
        example = contract.rules.resolved(schema["properties"][member]).get("examples", ["x"])[0]
        pointers = tuple(f"/{name}" for name in forbidden if name == member or name in given)
        yield RuleCase(op, member, example, "oneOf", f"{' and '.join(forbidden)} exclude each other", pointers=pointers)


def _shape_cases(contract: RestContract, op: str, schema: dict[str, Any]) -> Iterator[RuleCase]:
    """Each required member absent from the other body shapes a ``oneOf`` allows (the valid body has one).

    An implementation that checks required members only on its usual path (a body with Url)
    would accept a body with inline Texml, or with neither, that lacks To.
    """
    given = contract.api.valid_bodies.get(op, {})
    for branch in schema["oneOf"]:
        forbidden = [name for name, prop in branch.get("properties", {}).items() if prop == {"not": {}}]
        reshaped = tuple((name, REMOVE) for name in forbidden if name in given) + tuple(
            (name, _example(contract.rules.resolved(schema["properties"][name])))
            for name in branch.get("required", ())
            if name not in given
        )
        if not reshaped:
            continue  # the valid body's own shape: the plain required cases cover it
        shape = branch.get("title", "other-shape").lower().replace(" ", "-")
        for name in schema.get("required", []):
            yield RuleCase(op, name, REMOVE, "required", f"required member absent ({branch.get('title')})",
                           expected_error=contract.errors.validation["required"], shape=shape,
                           reshaped=reshaped)  # fmt: skip


def _all_words(pattern: str) -> str:
    """The list of every word an enumerated-list pattern allows, e.g. 'initiated ringing answered completed'."""
    words = pattern.split("(", 2)[1].split(")")[0]
    return " ".join(words.split("|"))


def _query_cases(contract: RestContract, operation: Operation) -> Iterator[RuleCase]:
    errors = contract.errors
    for parameter in operation.query_parameters:
        schema, name = parameter.get("schema", {}), parameter["name"]
        op = operation.operation_id
        if schema.get("type") == "integer":
            yield RuleCase(op, name, "twelve", "type", "declared integer", location="query",
                           expected_error=errors.validation["type"])  # fmt: skip
        if "enum" in schema:
            yield RuleCase(op, name, NOT_IN_ENUM, "enum", f"one of {schema['enum']}", location="query",
                           expected_error=errors.validation["enum"])  # fmt: skip


def _fills(contract: RestContract, target: Target, resource_id: str) -> dict[str, str]:
    """What placeholders of paths and valid bodies stand for on this target; ``resource_id`` names the call."""
    return {
        "account_sid": target.account_sid,
        "application_sid": target.application_sid,
        "connection_id": target.connection_id,
        "document_url": VALID_URL,
        "webhook_url": VALID_URL,
        **{name: resource_id for name in contract.api.resource_parameters},
    }


def url_for(contract: RestContract, operation: Operation, target: Target, resource_id: str) -> str:
    """The URL of ``operation`` on the target, its path placeholders filled in."""
    fills = _fills(contract, target, resource_id)
    return target.base_url + contract.api.base_path + operation.path.format_map(fills)


def build_request(contract: RestContract, case: RuleCase, target: Target, resource_id: str) -> httpx.Request:
    operation = contract.operation(case.operation_id)
    url = url_for(contract, operation, target, resource_id)
    headers = contract.api.auth_headers(target.api_key)
    if case.location == "query":
        return httpx.Request(operation.method.upper(), url, params={case.member: case.value}, headers=headers)
    body = contract.api.valid_body(case.operation_id, _fills(contract, target, resource_id)) or {}
    for name, value in case.reshaped:
        if value is REMOVE:
            body.pop(name, None)
        else:
            body[name] = value
    if case.keyword != "oneOf":
        # A member that excludes another replaces it: only the rule under test may break.
        for pointer in _excluded_by(contract, operation, case.top):
            body.pop(pointer, None)
    if len(case.path) > 1:
        body[case.top] = _put(case.around, case.path[1:], case.value)
    elif case.value is REMOVE:
        body.pop(case.member, None)
    elif case.keyword == "not":
        body.update(case.value)
    else:
        body[case.member] = case.value
    if case.media_type == FORM:
        return httpx.Request(operation.method.upper(), url, data=body, headers=headers)
    return httpx.Request(operation.method.upper(), url, json=body, headers=headers)


def _get(around: Any, path: tuple[str | int, ...]) -> Any:
    """The value at ``path`` below ``around``, or REMOVE where there is none."""
    for part in path:
        try:
            around = around[part]
        except (KeyError, IndexError, TypeError):
            return REMOVE
    return around


def _put(around: Any, path: tuple[str | int, ...], value: Any) -> Any:
    """A copy of ``around`` with ``value`` at ``path`` below it (REMOVE: without the member there)."""
    top = copy.deepcopy(around)
    parent = top
    for part in path[:-1]:
        parent = parent[part]
    if value is REMOVE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return top


def _excluded_by(contract: RestContract, operation: Operation, member: str) -> list[str]:
    """Members a ``oneOf`` forbids when ``member`` is given (Url when Texml is)."""
    assert operation.body_component is not None
    branches = contract.rules.component(operation.body_component).get("oneOf", [])
    return [
        name
        for branch in branches
        if member in branch.get("required", [])
        for name, prop in branch.get("properties", {}).items()
        if prop == {"not": {}}
    ]


def valid_request(
    contract: RestContract, operation_id: str, target: Target, resource_id: str, headers: dict[str, str]
) -> httpx.Request:
    """A request to ``operation_id`` that keeps every rule, sent with ``headers`` as given."""
    operation = contract.operation(operation_id)
    body = contract.api.valid_body(operation_id, _fills(contract, target, resource_id))
    url = url_for(contract, operation, target, resource_id)
    return httpx.Request(operation.method.upper(), url, json=body, headers=headers)
