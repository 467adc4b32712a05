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

from conformance import contract
from conformance.exchange import Exchange
from conformance.failures import Failure
from conformance.openapi_adapter import ExchangeRequest, ExchangeResponse
from specs.contract import ERROR_CODES, Violation, body_violations, error_for, parse_body, query_violations


class RequestKind(Enum):
    UNAUTHENTICATED = "unauthenticated"
    UNDECLARED_METHOD = "undeclared method"
    UNSUPPORTED_MEDIA_TYPE = "unsupported media type"
    MALFORMED_BODY = "malformed body"
    INVALID = "invalid"
    VALID = "valid"


@dataclass(frozen=True)
class Expectation:
    kind: RequestKind
    operation: contract.Operation | None
    violations: tuple[Violation, ...] = ()
    allowed_statuses: frozenset[int] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Judgement:
    """Everything a rule may look at."""

    exchange: Exchange
    expectation: Expectation
    base_url: str


STRICT_ENVELOPE_STATUSES = frozenset({401, 422})
Rule = Callable[[Judgement], str | None]
RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[Rule], Rule]:
    def register(function: Rule) -> Rule:
        RULES[name] = function
        return function

    return register


def _status(kind: str) -> int:
    return ERROR_CODES[kind]["status"]


def expect(exchange: Exchange, base_url: str, api_key: str) -> Expectation:
    """Classify the request as sent and say which statuses the contract allows for it."""
    relative = exchange.path.removeprefix(_base_path(base_url))
    operation, path_known = contract.match(relative, exchange.method)
    if exchange.request_headers.get("authorization") != f"Bearer {api_key}":
        return Expectation(
            RequestKind.UNAUTHENTICATED, operation, allowed_statuses=frozenset({_status("unauthenticated")})
        )
    if operation is None:
        allowed = {404, 405} if path_known else {404}
        return Expectation(RequestKind.UNDECLARED_METHOD, None, allowed_statuses=frozenset(allowed))
    if operation.body_component and exchange.request_media_type not in operation.media_types:
        allowed = {_status("unsupported_media_type"), _status("malformed_body")}
        return Expectation(RequestKind.UNSUPPORTED_MEDIA_TYPE, operation, allowed_statuses=frozenset(allowed))
    violations: list[Violation] = []
    if operation.body_component:
        try:
            body = parse_body(exchange.request_media_type, exchange.request_body)
        except ValueError:
            allowed = frozenset({_status("malformed_body")})
            return Expectation(RequestKind.MALFORMED_BODY, operation, allowed_statuses=allowed)
        violations += body_violations(operation.body_component, body)
    violations += query_violations(contract.query_parameters(operation), exchange.query)
    if violations:
        return Expectation(RequestKind.INVALID, operation, tuple(violations), frozenset({422}))
    allowed = set(operation.success_statuses) | ({404} if operation.addresses_one_resource else set())
    return Expectation(RequestKind.VALID, operation, allowed_statuses=frozenset(allowed))


def _base_path(base_url: str) -> str:
    return urlsplit(base_url).path.rstrip("/")


def judge(exchange: Exchange, base_url: str, api_key: str) -> list[Failure]:
    """Run every registered rule and return the ones the answer broke."""
    judgement = Judgement(exchange, expect(exchange, base_url, api_key), base_url)
    failures = []
    for name, check in RULES.items():
        message = check(judgement)
        if message:
            failures.append(Failure(name, message))
    return failures


def _documented_codes(violations: tuple[Violation, ...]) -> set[str]:
    """Codes an answer may use for these violations (any validation code for a conflict)."""
    if any(violation.is_conflict for violation in violations):
        return {entry["code"] for entry in ERROR_CODES["validation"].values()} | {ERROR_CODES["conflict"]["code"]}
    return {error_for(violation)["code"] for violation in violations}


def error_entries(exchange: Exchange) -> list[dict]:
    """The entries of the answer's {"errors": [...]} envelope that are objects; [] when it has none."""
    try:
        body = exchange.response_json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [entry for entry in errors if isinstance(entry, dict)] if isinstance(errors, list) else []


@rule("no_server_error")
def no_server_error(judgement: Judgement) -> str | None:
    status = judgement.exchange.status
    if status >= 500:
        return f"the target answered {status} ({judgement.expectation.kind.value} request); 5xx is never conformant"
    return None


@rule("response_within_size_limit")
def response_within_size_limit(judgement: Judgement) -> str | None:
    exchange = judgement.exchange
    if exchange.truncated:
        return f"the body is {exchange.response_size} bytes; the suite reads at most {len(exchange.response_body)}"
    return None


@rule("status_matches_request_kind")
def status_matches_request_kind(judgement: Judgement) -> str | None:
    expectation, status = judgement.expectation, judgement.exchange.status
    if status >= 500 or status in expectation.allowed_statuses:
        return None
    allowed = ", ".join(str(s) for s in sorted(expectation.allowed_statuses))
    why = "; ".join(f"{v.pointer}: {v.keyword}" for v in expectation.violations) or expectation.kind.value
    return f"expected HTTP {allowed} for a {expectation.kind.value} request ({why}), got {status}"


@rule("error_envelope_conforms")
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
    schema = "ErrorResponse" if exchange.status in STRICT_ENVELOPE_STATUSES else "ErrorEnvelope"
    errors = list(contract.component_validator(schema).iter_errors(body))
    if errors:
        return f"the {exchange.status} body breaks the {schema} schema: {errors[0].message}"
    return None


@rule("response_conforms_to_contract")
def response_conforms_to_contract(judgement: Judgement) -> str | None:
    """A documented status comes with the documented content type and body (openapi-core)."""
    operation, exchange = judgement.expectation.operation, judgement.exchange
    if operation is None or exchange.status not in operation.statuses or exchange.truncated:
        return None
    openapi = contract.openapi_for(judgement.base_url)
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


@rule("error_codes_match_violations")
def error_codes_match_violations(judgement: Judgement) -> str | None:
    """Each 422 entry names a rule the request really broke."""
    expectation = judgement.expectation
    if expectation.kind is not RequestKind.INVALID or judgement.exchange.status != 422:
        return None
    errors = error_entries(judgement.exchange)
    if not errors:
        return None  # error_envelope_conforms reports the missing envelope
    allowed = _documented_codes(expectation.violations)
    wrong = [entry.get("code") for entry in errors if entry.get("code") not in allowed]
    if wrong:
        broken = ", ".join(f"{v.pointer} ({v.keyword})" for v in expectation.violations)
        return f"codes {wrong} name no rule this request broke; it broke {broken}, answerable with {sorted(allowed)}"
    return None


@rule("unauthenticated_code")
def unauthenticated_code(judgement: Judgement) -> str | None:
    entry = ERROR_CODES["unauthenticated"]
    if judgement.expectation.kind is not RequestKind.UNAUTHENTICATED or judgement.exchange.status != entry["status"]:
        return None
    codes = [error.get("code") for error in error_entries(judgement.exchange)]
    if codes and entry["code"] not in codes:
        return f"a 401 must carry code {entry['code']} ({entry['title']}); got {codes}"
    return None
