"""Requests that break one documented rule on purpose, derived from the contract.

Every required member, declared type, enum, enumerated-list pattern and range
bound of a request schema becomes a case: the rule's error code must come back
with its title and a source.pointer naming the member; each range bound itself
must be accepted. Nothing here restates the contract: it is all read from specs/.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

import specs
from conformance import contract
from conformance.target import Target
from specs.contract import ERROR_CODES, TEXML_REST

REMOVE = object()
# A value of the wrong JSON type for each declared type.
WRONG_TYPE_VALUE: dict[str, Any] = {"string": 12345, "integer": "twelve", "boolean": "yes", "array": "not-a-list"}
NOT_IN_ENUM = "not-a-documented-value"
VALID_URL = "http://127.0.0.1:9/texml-conformance/document.xml"


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

    @property
    def id(self) -> str:
        shown = "(absent)" if self.value is REMOVE else repr(self.value)
        expected = self.expected_error["code"] if self.expected_error else "accepted"
        encoding = "form" if self.media_type.endswith("urlencoded") else self.location
        return f"{self.operation_id}:{encoding}:{self.member}={shown}->{expected}"

    @property
    def expected_error(self) -> dict[str, str] | None:
        if self.keyword is None or self.keyword == "oneOf":
            return None
        return ERROR_CODES["validation"][self.keyword]

    @property
    def expected_pointers(self) -> tuple[str, ...]:
        return self.pointers or (f"/{self.member}",)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    if "$ref" in schema:
        return _component(schema["$ref"].rsplit("/", 1)[-1])
    return schema


def _component(name: str) -> dict[str, Any]:
    return specs.load(TEXML_REST)["components"]["schemas"][name]


def body_cases(operation_id: str, component: str, media_type: str = "application/json") -> Iterator[RuleCase]:
    schema = _component(component)
    form = media_type.endswith("urlencoded")
    for name in schema.get("required", []):
        yield RuleCase(operation_id, name, REMOVE, "required", "required member absent", media_type=media_type)
    for name, raw in schema.get("properties", {}).items():
        yield from _member_cases(operation_id, name, _resolve(raw), media_type, form)


def _member_cases(
    operation_id: str, name: str, prop: dict[str, Any], media_type: str, form: bool
) -> Iterator[RuleCase]:
    def case(value: Any, keyword: str | None, why: str) -> RuleCase:
        return RuleCase(operation_id, name, value, keyword, why, media_type=media_type)

    # Form bodies carry only strings, so a wrong JSON type cannot be sent in one.
    if not form and prop.get("type") in WRONG_TYPE_VALUE:
        yield case(WRONG_TYPE_VALUE[prop["type"]], "type", f"declared {prop['type']}")
    if "enum" in prop:
        yield case(NOT_IN_ENUM, "enum", f"one of {prop['enum']}")
    if "pattern" in prop:
        yield case(f"{prop.get('default', 'x')} {NOT_IN_ENUM}", "pattern", "space separated enumerated words")
        yield case(_all_words(prop["pattern"]), None, "every enumerated word at once")
    for bound, step in (("minimum", -1), ("maximum", +1)):
        if bound in prop:
            yield case(prop[bound] + step, bound, f"{bound} {prop[bound]}")
            yield case(prop[bound], None, f"{bound} {prop[bound]} itself is allowed")


def _all_words(pattern: str) -> str:
    """The list of every word an enumerated-list pattern allows, e.g. 'initiated ringing answered completed'."""
    words = pattern.split("(", 2)[1].split(")")[0]
    return " ".join(words.split("|"))


def query_cases(operation_id: str, path: str, method: str) -> Iterator[RuleCase]:
    for parameter in specs.load(TEXML_REST)["paths"][path][method].get("parameters", []):
        schema, name = parameter.get("schema", {}), parameter["name"]
        if parameter.get("in") != "query":
            continue
        if schema.get("type") == "integer":
            yield RuleCase(operation_id, name, "twelve", "type", "declared integer", location="query")
        if "enum" in schema:
            yield RuleCase(operation_id, name, NOT_IN_ENUM, "enum", f"one of {schema['enum']}", location="query")


def conflict_cases() -> Iterator[RuleCase]:
    yield RuleCase(
        "InitiateTexmlCall",
        "Texml",
        "<Response><Hangup/></Response>",
        "oneOf",
        "Url and Texml exclude each other",
        pointers=("/Url", "/Texml"),
    )


def all_cases() -> list[RuleCase]:
    cases = [
        *body_cases("InitiateTexmlCall", "InitiateCallRequest"),
        *conflict_cases(),
        *body_cases("UpdateTexmlCall", "UpdateCallRequest"),
        *body_cases("UpdateTexmlCall", "UpdateCallRequest", "application/x-www-form-urlencoded"),
        *query_cases("GetTexmlCalls", "/texml/Accounts/{account_sid}/Calls", "get"),
        *body_cases("CreateTexmlApplication", "CreateTexmlApplicationRequest"),
    ]
    return cases


def base_body(operation_id: str, target: Target) -> dict[str, Any] | None:
    """A request body that keeps every rule, to which one case applies its change."""
    if operation_id == "InitiateTexmlCall":
        return {
            "To": "+13125550100",
            "From": "+13125550111",
            "ApplicationSid": target.application_sid,
            "Url": VALID_URL,
        }
    if operation_id == "UpdateTexmlCall":
        return {}
    if operation_id == "CreateTexmlApplication":
        return {"friendly_name": "texml-conformance", "voice_url": VALID_URL}
    return None


def path_for(operation_id: str, target: Target, call_sid: str) -> str:
    path = contract.operation(operation_id).path
    return path.replace("{account_sid}", target.account_sid).replace("{call_sid}", call_sid)


def build_request(case: RuleCase, target: Target, call_sid: str) -> httpx.Request:
    operation = contract.operation(case.operation_id)
    url = target.base_url + path_for(case.operation_id, target, call_sid)
    headers = target.auth_headers
    if case.location == "query":
        return httpx.Request(operation.method.upper(), url, params={case.member: case.value}, headers=headers)
    body = dict(base_body(case.operation_id, target) or {})
    if case.member == "Texml" and case.keyword != "oneOf":
        body.pop("Url", None)
    if case.value is REMOVE:
        body.pop(case.member, None)
    else:
        body[case.member] = case.value
    if case.media_type.endswith("urlencoded"):
        return httpx.Request(operation.method.upper(), url, data=body, headers=headers)
    return httpx.Request(operation.method.upper(), url, json=body, headers=headers)


def valid_request(operation_id: str, target: Target, call_sid: str, headers: dict[str, str]) -> httpx.Request:
    """A request to ``operation_id`` that keeps every rule, sent with ``headers`` as given."""
    operation = contract.operation(operation_id)
    url = target.base_url + path_for(operation_id, target, call_sid)
    body = base_body(operation_id, target)
    return httpx.Request(operation.method.upper(), url, json=body, headers=headers)
