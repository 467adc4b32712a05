"""The one registry of rules: every rule any check judges, REST or scenario, and what proves it can fail.

A rule is a name, what it requires of the target, and the faulty targets (``fault:``, in
tests/faulty.py) or emulator mutants (``mutant:``, in tests/mutants/) that break it. The
project's tests run each of them and require the rule to be reported: a rule nothing
breaks is not yet a check. A Failure may only name a registered rule.
"""

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    name: str
    requires: str
    proven_by: tuple[str, ...]


RULES: dict[str, Rule] = {}


def register(name: str, requires: str, proven_by: tuple[str, ...]) -> str:
    """Declare a rule; returns its name, for the module constant that checks use."""
    if name in RULES:
        raise ValueError(f"rule {name!r} is registered twice")
    if not proven_by or not all(proof.startswith(("fault:", "mutant:")) for proof in proven_by):
        raise ValueError(f"rule {name!r} must name the faults or mutants that prove it can fail")
    RULES[name] = Rule(name, requires, proven_by)
    return name


# Every answer (the judge: conformance.rest.judge).
NO_SERVER_ERROR = register(
    "no_server_error",
    "no request, however malformed, is answered with a 5xx",
    ("fault:500 on a valid Timeout at its maximum", "fault:listing crashes", "fault:Answer and Reject answered 500"),
)
RESPONSE_WITHIN_SIZE_LIMIT = register(
    "response_within_size_limit",
    "an answer is no larger than the suite reads (8 MiB)",
    ("fault:floods list answers",),
)
STATUS_MATCHES_REQUEST_KIND = register(
    "status_matches_request_kind",
    "the status is one the contract allows for what the request breaks (401, 404/405, 415/400, 400, 422, 2xx)",
    (
        "fault:accepts everything with 200",
        "fault:400 instead of 422",
        "fault:ignores auth",
        "fault:accepts empty updates",
        "fault:Dial refuses the ring timeout 120",
        "fault:Dial takes the ring timeout 601",
        "fault:Answer takes a stream codec no source lists",
        "fault:Dial refuses E.164 numbers",
        "fault:nested members unchecked",
    ),
)
METHOD_NOT_ALLOWED_LISTS_METHODS = register(
    "method_not_allowed_lists_methods",
    "a 405 carries an Allow header naming every method the contract declares for the path (RFC 9110)",
    ("fault:405 without Allow",),
)
ERROR_ENVELOPE_CONFORMS = register(
    "error_envelope_conforms",
    "every 4xx carries the API's error envelope",
    ("fault:422 with a malformed envelope",),
)
RESPONSE_CONFORMS_TO_CONTRACT = register(
    "response_conforms_to_contract",
    "a documented status comes with the documented content type and body (openapi-core)",
    ("fault:200 body breaks the response schema",),
)
ERROR_CODES_MATCH_VIOLATIONS = register(
    "error_codes_match_violations",
    "each 422 entry's code names a rule the request really broke (a required body left out: a rule an empty "
    "body breaks)",
    ("fault:422 with the wrong code", "fault:empty updates refused with the wrong code"),
)
RESOURCE_STATE_CODE = register(
    "resource_state_code",
    "a request that keeps every rule but names a call that cannot take it gets that state's documented code "
    "(unknown 90015, ended 90018, not answered 90034); one refused under a stricter reading a source documents "
    "(x-stricter) gets that reading's code",
    (
        "fault:call states answered with each other's codes",
        "fault:commands to ended calls accepted",
        "fault:Dial ring timeout past 120 refused as a type error",
        "fault:Answer refuses the stream codec PCMA",
        "fault:Answer and Reject refused with an undocumented code",
    ),
)
UNAUTHENTICATED_CODE = register(
    "unauthenticated_code",
    "a 401 carries the documented unauthenticated code",
    ("fault:401 with the wrong code",),
)

# Schemathesis' own response checks on generated valid requests (conformance.rest.fuzz).
NOT_A_SERVER_ERROR = register(
    "not_a_server_error", "schemathesis: no 5xx for a valid request", ("fault:listing crashes",)
)
STATUS_CODE_CONFORMANCE = register(
    "status_code_conformance", "schemathesis: the status is documented", ("fault:listing crashes",)
)
CONTENT_TYPE_CONFORMANCE = register(
    "content_type_conformance", "schemathesis: the content type is documented", ("fault:JSON served as text/html",)
)
RESPONSE_SCHEMA_CONFORMANCE = register(
    "response_schema_conformance",
    "schemathesis: the body matches the documented schema",
    ("fault:200 body breaks the response schema",),
)

# Targeted cases and the calls resource.
ANSWERS_IN_TIME = register(
    "answers_in_time", "every request is answered within --request-timeout", ("fault:slow on unknown calls",)
)
VALID_CALL_ACCEPTED = register(
    "valid_call_accepted", "a call that keeps every rule is accepted", ("fault:refuses valid calls",)
)
DOCUMENTED_ERROR_CODE = register(
    "documented_error_code",
    "a request breaking one documented rule gets 422 with that rule's code and title",
    (
        "fault:400 instead of 422",
        "fault:422 with the wrong code",
        "fault:required members checked only with a Url",
        "fault:Dial takes the ring timeout 601",
        "fault:Dial ring timeout past 120 refused as a type error",
        "fault:Dial refuses other destinations as an enumerated value",
        "fault:nested members unchecked",
    ),
)
ERROR_POINTER = register(
    "error_pointer",
    "a 422 entry's source.pointer names the member at fault (a nested one by its full path, /custom_headers/0/name,"
    " or by a member holding it, errata E-142)",
    ("fault:422 without source.pointer", "fault:nested errors point at another member"),
)
RESULT_ECHOES_CALL = register(
    "result_echoes_call", "InitiateCall's result echoes From and To", ("fault:result swaps From and To",)
)
FORM_CALL_REFUSED_OR_READ = register(
    "form_call_refused_or_read",
    "a form-encoded InitiateCall is refused with 415 or 400, or read as the call its JSON twin would make: "
    "accepted, its result echoing To and From, the call listed under its To (errata E-121)",
    (
        "fault:500 on a form-encoded InitiateCall",
        "fault:form-encoded InitiateCall read without its members",
        "fault:form-encoded InitiateCall accepted for other numbers",
    ),
)
RETRIEVED_CALL_MATCHES = register(
    "retrieved_call_matches", "a created call can be read back by its sid", ("fault:created calls cannot be read",)
)
CREATED_CALL_LISTED = register(
    "created_call_listed",
    "a created call is in the listing filtered by its To, and that listing holds only calls to that number",
    ("fault:listing omits calls", "fault:listing ignores the To filter"),
)
COMPLETED_ENDS_CALL = register(
    "completed_ends_call", "UpdateCall with Status=completed ends a live call", ("fault:update ignores Status",)
)
UNKNOWN_CALL_NOT_FOUND = register(
    "unknown_call_not_found", "a call id never issued is answered 404", ("fault:unknown call answers 200",)
)
APIS_KEEP_CALLS_APART = register(
    "apis_keep_calls_apart",
    "a call of one API is no resource of another: a Call Control call's call_control_id names no TeXML call "
    "(GetTexmlCall and UpdateTexmlCall answer 404) and the TeXML calls listing does not show it",
    ("fault:Call Control calls served as TeXML calls",),
)

# Scenarios (conformance.texml).
CALL_ENDS = register(
    "call_ends",
    "a scenario's call ends within --scenario-timeout of wall time",
    ("fault:update ignores Status", "mutant:updates ignored"),
)
TRACE_MATCHES = register(
    "trace_matches",
    "what the target fetched, called back and did on the media plane matches the scenario's expected trace",
    (
        "fault:timeline hides answers",
        "mutant:pause default 2 s",
        "fault:Dial ignores webhook_url",
        "fault:Answer and Reject answered 500",
        "fault:Answer and Reject refused with an undocumented code",
    ),
)
CALLBACK_ENCODING = register(
    "callback_encoding",
    "status and recording callbacks sent with POST carry the encoding the API documents "
    "(TeXML: application/x-www-form-urlencoded)",
    ("mutant:status callbacks sent as JSON",),
)
SIMULATION_PROTOCOL_ANSWERS = register(
    "simulation_protocol_answers",
    "a target that declares the simulation protocol answers it as specified",
    ("fault:refuses party scripts",),
)

# Call Control webhooks (conformance.callcontrol).
WEBHOOK_SIGNED = register(
    "webhook_signed",
    "every webhook carries telnyx-signature-ed25519 over '<telnyx-timestamp>|<raw body>' by the key the target "
    "publishes, with a timestamp at most 300 s from now",
    ("mutant:webhooks unsigned", "mutant:webhook signature over the body alone", "mutant:stale webhook timestamps"),
)
WEBHOOK_CONFORMS = register(
    "webhook_conforms",
    "every webhook body matches the contract's schema for its event_type",
    ("mutant:webhook connection_id as a number",),
)
