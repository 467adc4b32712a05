"""What the contract says a request deserves, and the rules an answer is judged by.

A request is classified by what it breaks *as sent on the wire* (generated
negative data sometimes becomes valid once serialized), in the order a server
meets the problems: credentials, method, media type, syntax, then the schema.
Each rule is a small registered function returning None (kept) or why it broke.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from urllib.parse import urlsplit

from openapi_core.validation.response.exceptions import ResponseValidationError

from conformance.core import rules
from conformance.core.exchange import Exchange
from conformance.core.failures import Failure
from conformance.rest.contract import Operation, RestContract
from conformance.rest.openapi_adapter import ExchangeRequest, ExchangeResponse
from conformance_specs.contract import Stricter, Violation, parse_body, query_violations


class RequestKind(Enum):
    UNAUTHENTICATED = "unauthenticated"
    UNDECLARED_METHOD = "undeclared method"
    UNSUPPORTED_MEDIA_TYPE = "unsupported media type"
    MALFORMED_BODY = "malformed body"
    MISSING_BODY = "missing body"
    INVALID = "invalid"
    VALID = "valid"


@dataclass(frozen=True)
class Expectation:
    kind: RequestKind
    operation: Operation | None
    violations: tuple[Violation, ...] = ()
    allowed_statuses: frozenset[int] = field(default_factory=frozenset)
    # A valid request may still break a stricter reading a source documents (x-stricter): refusable with its code.
    stricter: tuple[tuple[Violation, Stricter], ...] = ()


@dataclass(frozen=True)
class Judgement:
    """Everything a rule may look at."""

    exchange: Exchange
    expectation: Expectation
    contract: RestContract
    base_url: str


Rule = Callable[[Judgement], str | None]
# The judge's rules in the order they run; each is declared in conformance.core.rules.
JUDGE_RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def attach(function: Rule) -> Rule:
        JUDGE_RULES[name] = function
        return function

    return attach


def expect(exchange: Exchange, contract: RestContract, base_url: str, api_key: str) -> Expectation:
    """Classify the request as sent and say which statuses the contract allows for it."""

    def _status(kind: str) -> int:
        return contract.errors[kind].status

    relative = exchange.path.removeprefix(_base_path(base_url) + contract.api.base_path)
    operation, path_known = contract.match(relative, exchange.method)
    if not contract.api.authorizes(exchange.request_headers.get("authorization"), api_key):
        return Expectation(
            RequestKind.UNAUTHENTICATED, operation, allowed_statuses=frozenset({_status("unauthenticated")})
        )
    if operation is None:
        allowed = {404, 405} if path_known else {404}
        return Expectation(RequestKind.UNDECLARED_METHOD, None, allowed_statuses=frozenset(allowed))
    resource_statuses = set(contract.api.resource_statuses) if contract.names_resource(operation) else set()
    if operation.body_required and not exchange.request_body:
        # No body where one is required: refused, whether read as unparseable, unsupported or missing members.
        # A 422 reads it as an empty body, so its codes name what an empty body breaks (errata E-053).
        allowed = {_status("unsupported_media_type"), _status("malformed_body"), 422} | resource_statuses
        empty = tuple(contract.rules.body_violations(operation.body_component, {})) if operation.body_component else ()
        return Expectation(RequestKind.MISSING_BODY, operation, empty, frozenset(allowed))
    if operation.body_component and exchange.request_body and exchange.request_media_type not in operation.media_types:
        allowed = {_status("unsupported_media_type"), _status("malformed_body")}
        return Expectation(RequestKind.UNSUPPORTED_MEDIA_TYPE, operation, allowed_statuses=frozenset(allowed))
    violations: list[Violation] = []
    stricter: tuple[tuple[Violation, Stricter], ...] = ()
    if operation.body_component:
        try:
            body = parse_body(exchange.request_media_type, exchange.request_body)
        except ValueError:
            allowed = frozenset({_status("malformed_body")})
            return Expectation(RequestKind.MALFORMED_BODY, operation, allowed_statuses=allowed)
        violations += contract.rules.body_violations(operation.body_component, body)
        stricter = tuple(contract.rules.stricter_violations(operation.body_component, body))
    violations += query_violations(list(operation.query_parameters), exchange.query)
    if violations:
        return Expectation(RequestKind.INVALID, operation, tuple(violations), frozenset({422}))
    allowed = set(operation.success_statuses) | resource_statuses | ({422} if stricter else set())
    return Expectation(RequestKind.VALID, operation, allowed_statuses=frozenset(allowed), stricter=stricter)


def _base_path(base_url: str) -> str:
    return urlsplit(base_url).path.rstrip("/")


def judge(exchange: Exchange, contract: RestContract, base_url: str, api_key: str) -> list[Failure]:
    """Run every rule of the judge and return the ones the answer broke."""
    judgement = Judgement(exchange, expect(exchange, contract, base_url, api_key), contract, base_url)
    failures = []
    for name, check in JUDGE_RULES.items():
        message = check(judgement)
        if message:
            failures.append(Failure(name, message))
    return failures


def _documented_codes(contract: RestContract, violations: tuple[Violation, ...]) -> set[str]:
    """Codes an answer may use for these violations (any validation code for a conflict)."""
    errors = contract.errors
    if any(violation.conflict for violation in violations):
        return {entry.code for entry in errors.validation.values()} | {errors.conflict.code}
    return {errors.for_violation(violation).code for violation in violations}


def error_entries(exchange: Exchange) -> list[dict]:
    """The entries of the answer's {"errors": [...]} envelope that are objects; [] when it has none."""
    try:
        body = exchange.response_json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [entry for entry in errors if isinstance(entry, dict)] if isinstance(errors, list) else []


@rule(rules.NO_SERVER_ERROR)
def no_server_error(judgement: Judgement) -> str | None:
    status = judgement.exchange.status
    if status >= 500:
        return f"the target answered {status} ({judgement.expectation.kind.value} request); 5xx is never conformant"
    return None


@rule(rules.RESPONSE_WITHIN_SIZE_LIMIT)
def response_within_size_limit(judgement: Judgement) -> str | None:
    exchange = judgement.exchange
    if exchange.truncated:
        return f"the body is {exchange.response_size} bytes; the suite reads at most {len(exchange.response_body)}"
    return None


@rule(rules.STATUS_MATCHES_REQUEST_KIND)
def status_matches_request_kind(judgement: Judgement) -> str | None:
    expectation, status = judgement.expectation, judgement.exchange.status
    if status >= 500 or status in expectation.allowed_statuses:
        return None
    allowed = ", ".join(str(s) for s in sorted(expectation.allowed_statuses))
    invalid = expectation.kind is RequestKind.INVALID
    why = "; ".join(f"{v.pointer}: {v.keyword}" for v in expectation.violations) if invalid else expectation.kind.value
    kind = expectation.kind.value
    article = "an" if kind[0] in "aeiou" else "a"
    return f"expected HTTP {allowed} for {article} {kind} request ({why}), got {status}"


@rule(rules.ERROR_ENVELOPE_CONFORMS)
def error_envelope_conforms(judgement: Judgement) -> str | None:
    """Every 4xx carries the Telnyx envelope {"errors": [{code, title, ...}]}."""
    exchange = judgement.exchange
    if not 400 <= exchange.status < 500 or exchange.truncated:
        return None
    try:
        body = exchange.response_json()
    except ValueError:
        return f"the {exchange.status} body is not JSON: {exchange.response_body[:200]!r}"
    # Statuses with a documented code need the full envelope; other 4xx only its shape.
    schema = judgement.contract.api.error_envelope.schema_for(exchange.status)
    errors = list(judgement.contract.component_validator(schema).iter_errors(body))
    if errors:
        return f"the {exchange.status} body breaks the {schema} schema: {errors[0].message}"
    return None


@rule(rules.RESPONSE_CONFORMS_TO_CONTRACT)
def response_conforms_to_contract(judgement: Judgement) -> str | None:
    """A documented status comes with the documented content type and body (openapi-core)."""
    operation, exchange = judgement.expectation.operation, judgement.exchange
    if operation is None or exchange.status not in operation.statuses or exchange.truncated:
        return None
    openapi = judgement.contract.openapi_for(judgement.base_url)
    try:
        openapi.validate_response(ExchangeRequest(exchange), ExchangeResponse(exchange))
    except ResponseValidationError as error:
        return f"the {exchange.status} response does not conform to {operation.operation_id}: {_describe(error)}"
    return None


def _describe(error: ResponseValidationError) -> str:
    """openapi-core's schema errors, one clause each, instead of its nested reprs."""
    schema_errors = getattr(error.__cause__, "schema_errors", None)
    if schema_errors:
        return "; ".join(f"{'/'.join(map(str, e.absolute_path)) or 'body'}: {e.message}" for e in schema_errors)
    return f"{type(error).__name__}: {error.__cause__ or error}"


@rule(rules.ERROR_CODES_MATCH_VIOLATIONS)
def error_codes_match_violations(judgement: Judgement) -> str | None:
    """Each 422 entry names a rule the request really broke (a missing body: one an empty body breaks)."""
    expectation = judgement.expectation
    judged = expectation.kind in (RequestKind.INVALID, RequestKind.MISSING_BODY) and expectation.violations
    if not judged or judgement.exchange.status != 422:
        return None
    errors = error_entries(judgement.exchange)
    if not errors:
        return None  # error_envelope_conforms reports the missing envelope
    allowed = _documented_codes(judgement.contract, expectation.violations)
    wrong = [entry.get("code") for entry in errors if entry.get("code") not in allowed]
    if wrong:
        broken = ", ".join(f"{v.pointer} ({v.keyword})" for v in expectation.violations)
        return f"codes {wrong} name no rule this request broke; it broke {broken}, answerable with {sorted(allowed)}"
    return None


@rule(rules.METHOD_NOT_ALLOWED_LISTS_METHODS)
def method_not_allowed_lists_methods(judgement: Judgement) -> str | None:
    exchange = judgement.exchange
    if exchange.status != 405:
        return None
    relative = exchange.path.removeprefix(_base_path(judgement.base_url) + judgement.contract.api.base_path)
    declared = judgement.contract.methods_of(relative)
    allow = exchange.response_headers.get("allow", "")
    listed = {method.strip().upper() for method in allow.split(",") if method.strip()}
    if declared - listed:
        named = sorted(listed) or "nothing"
        return f"the 405 to {exchange.method} must name {sorted(declared)} in Allow; it names {named}"
    return None


@rule(rules.RESOURCE_STATE_CODE)
def resource_state_code(judgement: Judgement) -> str | None:
    """A valid request refused because of the named call's state carries one of the state codes; one that breaks
    a stricter reading a source documents (x-stricter) may carry that reading's code instead."""
    expectation, exchange = judgement.expectation, judgement.exchange
    errors = judgement.contract.errors
    states = errors.resource_state if errors else {}
    stricter = {errors.for_stricter(violation, reading).code for violation, reading in expectation.stricter}
    if expectation.kind is not RequestKind.VALID or not (states or stricter) or exchange.status < 400:
        return None
    allowed = {error.code for error in states.values()} | stricter
    codes = [entry.get("code") for entry in error_entries(exchange)]
    wrong = [code for code in codes if code not in allowed]
    if wrong:
        kinds = "call-state codes" + (" or the codes of the stricter readings it breaks" if stricter else "")
        return f"a request that keeps every rule was refused with {wrong}; only {kinds} {sorted(allowed)} may"
    return None


@rule(rules.UNAUTHENTICATED_CODE)
def unauthenticated_code(judgement: Judgement) -> str | None:
    entry = judgement.contract.errors["unauthenticated"]
    if judgement.expectation.kind is not RequestKind.UNAUTHENTICATED or judgement.exchange.status != entry.status:
        return None
    codes = [error.get("code") for error in error_entries(judgement.exchange)]
    if codes and entry.code not in codes:
        return f"a 401 must carry code {entry.code} ({entry.title}); got {codes}"
    return None
