"""Prism, a stateless mock of the contract, as a hostile target: every failure the suite reports is a real deviation.

Stoplight Prism (pinned in package.json) answers every request from the contract alone: data generated
on the documented schemas (--dynamic, seeded), after its own validation of the request. It keeps no calls
and checks no key. The suite's contract checks run against it, and the failures must be exactly the
deviations listed below, each with why it breaks the contract: a failure none of them explains is a false
alarm of the suite, and a listed failure that passes is a false pass.

Needs Node.js with npm (Prism runs on it), and skips without it.
"""

import re
import shutil
import socket
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis

from conformance.core import rules
from conformance.core.exchange import Exchange
from conformance.core.target import Target
from conformance.core.waiting import poll
from conformance.options import RunOptions
from conformance.rest.contract import rest_contract
from conformance.rest.fuzz import MODES, answer_failures, fuzz
from conformance.rest.judge import Expectation, RequestKind, expect
from conformance_specs.apis import api
from tests.suite_runner import run_suite_in_process

ROOT = Path(__file__).resolve().parents[1]
SEED = "20261121"
STARTUP_DEADLINE_S = 60.0
API_KEY = "any-key"  # Prism takes any bearer key
# Prism serves the contract's paths at its root: the target URL has no /v2.
SUITE_ARGS = (f"--api-key={API_KEY}", "--profile=contract", f"--seed={SEED}", "--fuzz-examples=10", "--no-shrink")

pytestmark = pytest.mark.skipif(shutil.which("npm") is None, reason="needs Node.js with npm (Prism runs on it)")


@dataclass(frozen=True)
class Mock:
    """One Prism: the contract it serves and what is run against it."""

    api: str
    contract: str
    sweep: int  # generated requests per operation and mode, judged one by one
    selection: tuple[str, ...] = ()  # suite arguments that keep the run short


MOCKS = (
    Mock("texml", "specs/texml/rest.openapi.yaml", sweep=30),
    # Every Call Control command is checked alike: one without a call, one with a body, a read and provisioning.
    Mock(
        "callcontrol",
        "specs/callcontrol/rest.openapi.yaml",
        sweep=10,
        selection=("-k", "DialCall or SpeakCall or RetrieveCallStatus or CreateCallControlApplication"),
    ),
)


def _rules(*names: str) -> frozenset[str]:
    return frozenset(names)


ENVELOPE = _rules(rules.ERROR_ENVELOPE_CONFORMS, rules.RESPONSE_CONFORMS_TO_CONTRACT)


@dataclass(frozen=True)
class Deviation:
    """The checks (ids matching ``checks``) Prism fails, the rules each names, and why that is a real deviation."""

    checks: str
    rules: frozenset[str]
    why: str
    api: str | None = None  # the API whose checks these are (None: every API's)
    # A fuzz check reports the first request the generator finds answered wrongly: it names some of these rules.
    some_of: bool = False

    def explains(self, broken: frozenset[str]) -> bool:
        return bool(broken) and broken <= self.rules if self.some_of else broken == self.rules

    def __str__(self) -> str:
        return f"{'some of ' if self.some_of else ''}{sorted(self.rules)} ({self.why})"


DEVIATIONS = (
    Deviation(
        # A member rule, optionally in one body shape or media type (form:, query:, inline-texml:...), the member
        # top-level or nested (answering_machine_detection_config.silence_threshold, custom_headers[0].name).
        r"rest/\w+/(([\w-]+:)?\w+(\.\w+|\[\d+\])*=.+->(1\d{4}|422)|[\w+]+-together->422)",
        _rules(rules.ERROR_CODES_MATCH_VIOLATIONS, rules.ERROR_POINTER),
        "Prism's 422 is generated on the error schema: its codes name no broken rule, its pointers no member",
    ),
    Deviation(
        r"rest/\w+/method=\w+->405",
        _rules(rules.ERROR_ENVELOPE_CONFORMS, rules.METHOD_NOT_ALLOWED_LISTS_METHODS),
        "Prism's 405 sends no Allow header and an application/problem+json body, not the errors envelope",
    ),
    Deviation(
        r"auth/\w+/wrong-bearer-key",
        _rules(rules.STATUS_MATCHES_REQUEST_KIND),
        "Prism checks that a bearer token is there, not which: a wrong key is served",
    ),
    Deviation(
        r"auth/\w+/(no-authorization-header|key-without-bearer-scheme)",
        _rules(rules.UNAUTHENTICATED_CODE),
        "Prism's 401 is generated on the error schema: its codes are never 10009",
    ),
    Deviation(
        r"fuzz/negative/\w+",
        ENVELOPE
        | _rules(rules.UNAUTHENTICATED_CODE, rules.ERROR_CODES_MATCH_VIOLATIONS, rules.STATUS_MATCHES_REQUEST_KIND),
        "whichever of Prism's answers to invalid requests comes first: each is an answer of SWEEP below",
        some_of=True,
    ),
    Deviation(
        r"calls/InitiateTexmlCall/unreadable-body-(truncated-json|not-utf-8)",
        ENVELOPE,
        "Prism answers unparseable JSON with its own 400 body {error: {code: invalid_json}}, not the errors envelope",
        api="texml",
    ),
    Deviation(
        r"calls/UpdateTexmlCall/empty-form-body-refused",
        _rules(rules.ERROR_CODES_MATCH_VIOLATIONS),
        "Prism refuses an empty update with a 422 whose generated codes are not 10004 (errata E-053)",
        api="texml",
    ),
    Deviation(
        r"calls/InitiateTexmlCall/result-echoes-numbers",
        _rules(rules.RESULT_ECHOES_CALL),
        "Prism's created call is generated: its to and from are not the numbers sent",
        api="texml",
    ),
    Deviation(
        r"calls/GetTexmlCall/created-call-is-retrievable",
        _rules(rules.RETRIEVED_CALL_MATCHES),
        "Prism keeps no calls: reading the created call answers a generated one",
        api="texml",
    ),
    Deviation(
        r"calls/GetTexmlCalls/created-call-is-listed",
        _rules(rules.CREATED_CALL_LISTED),
        "Prism keeps no calls: its listing is generated and ignores the To filter",
        api="texml",
    ),
    Deviation(
        r"calls/UpdateTexmlCall/status-completed-ends-call-(form|json)",
        _rules(rules.COMPLETED_ENDS_CALL),
        "Prism keeps no calls: after Status=completed the call reads with a generated status, queued",
        api="texml",
    ),
    Deviation(
        r"calls/(GetTexmlCall|UpdateTexmlCall)/unknown-call-is-404",
        _rules(rules.UNKNOWN_CALL_NOT_FOUND),
        "Prism answers 200 with a generated call for an unknown call sid; the contract documents 404",
        api="texml",
    ),
    Deviation(
        r"rest/\w+/call=unknown->90015",
        _rules(rules.RESOURCE_STATE_CODE),
        "Prism answers 200 for an unknown call_control_id; the contract documents 422 with 90015",
        api="callcontrol",
    ),
)


@dataclass(frozen=True)
class Answer:
    """What Prism answers one kind of generated request, the rules that answer breaks, and why."""

    kind: RequestKind
    statuses: frozenset[int]
    rules: frozenset[str]
    why: str
    only_if: Callable[[Exchange, Expectation], bool] | None = None  # which requests of that kind get it

    def explains(self, exchange: Exchange, expectation: Expectation, broken: frozenset[str]) -> bool:
        return (
            expectation.kind is self.kind
            and exchange.status in self.statuses
            and broken == self.rules
            and (self.only_if is None or self.only_if(exchange, expectation))
        )


def _only_empty_query_values(exchange: Exchange, expectation: Expectation) -> bool:
    """Every rule the request broke is a query parameter sent with an empty value."""
    return all(exchange.query.get(violation.pointer.lstrip("/")) == "" for violation in expectation.violations)


# A fuzz check stops at its first failure, which against Prism is nearly always a 401: judged one by one,
# every generated request must get one of these answers, so a false alarm cannot hide behind the first failure.
SWEEP = (
    Answer(RequestKind.VALID, frozenset({200, 201}), frozenset(), "served with data generated on the schema"),
    Answer(
        RequestKind.UNAUTHENTICATED,
        frozenset({401}),
        _rules(rules.UNAUTHENTICATED_CODE),
        "Prism's 401 carries generated codes, never 10009",
    ),
    Answer(
        RequestKind.INVALID,
        frozenset({422}),
        _rules(rules.ERROR_CODES_MATCH_VIOLATIONS),
        "Prism's 422 carries generated codes, naming no rule the request broke",
    ),
    Answer(
        RequestKind.MISSING_BODY,
        frozenset({422}),
        _rules(rules.ERROR_CODES_MATCH_VIOLATIONS),
        "Prism's 422 to an empty update carries generated codes, not 10004 (errata E-053)",
    ),
    Answer(
        RequestKind.MALFORMED_BODY,
        frozenset({400}),
        ENVELOPE,
        "Prism answers unparseable JSON with its own 400 body {error: {code: invalid_json}}, not the errors envelope",
    ),
    Answer(
        RequestKind.INVALID,
        frozenset({200}),
        _rules(rules.STATUS_MATCHES_REQUEST_KIND),
        "Prism reads an empty query value (?Status=) as none; the contract allows none (allowEmptyValue is false)",
        only_if=_only_empty_query_values,
    ),
)


@pytest.fixture(scope="module", params=MOCKS, ids=lambda mock: mock.api)
def mock(request: pytest.FixtureRequest) -> Mock:
    return request.param


@pytest.fixture(scope="module")
def prism(mock: Mock, npm_tree: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Prism serving the mock's contract on a free loopback port; its base URL."""
    port = _free_port()
    # Silent: Prism's request log crashes its CLI on some generated paths (a log line it cannot
    # re-read), which would end the mock halfway through the run.
    command = [str(npm_tree / "node_modules" / ".bin" / "prism"), "mock", "--host", "127.0.0.1", "--port", str(port)]
    # Generated answers, the same for the same request.
    command += ["--verboseLevel", "silent", "--dynamic", "--seed", SEED, str(ROOT / mock.contract)]
    log = tmp_path_factory.mktemp("prism") / "prism.log"
    with log.open("w") as output:
        process = subprocess.Popen(command, stdout=output, stderr=subprocess.STDOUT)
    try:
        # Ready once it accepts a connection; a Prism that exits instead ends the wait at once.
        poll(lambda: process.poll() is not None or _accepts(port), STARTUP_DEADLINE_S)
        assert _accepts(port), f"Prism did not listen within {STARTUP_DEADLINE_S} s: {log.read_text()[-2000:]}"
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _free_port() -> int:
    """A loopback port nothing listens on now: a silent Prism would not say which one it picked itself."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
    except OSError:
        return False
    return True


def test_every_failure_against_prism_is_a_real_deviation(mock: Mock, prism: str, tmp_path: Path):
    verdict = run_suite_in_process(tmp_path, f"--target-url={prism}", *SUITE_ARGS, *mock.selection)
    outcomes = verdict.outcomes()
    assert "error" not in outcomes.values(), {check for check, outcome in outcomes.items() if outcome == "error"}
    # The API Prism does not serve, and TeXML scenarios, are not applicable: nothing judged.
    judged = [check for check, outcome in outcomes.items() if outcome != "not applicable"]
    assert judged, verdict.output[-3000:]
    reported = verdict.rules_by_check()
    wrong = {}
    for check in judged:
        matching = [deviation for deviation in DEVIATIONS if re.fullmatch(deviation.checks, check)]
        assert len(matching) <= 1, f"{check} matches more than one deviation"
        broken = frozenset(reported.get(check, ()))
        if matching and not matching[0].explains(broken):
            wrong[check] = f"names {sorted(broken)}; listed: {matching[0]}"
        elif not matching and broken:
            wrong[check] = f"names {sorted(broken)}; no deviation of Prism is listed for it"
    assert not wrong, "\n".join(f"{check}: {why}" for check, why in sorted(wrong.items()))
    for deviation in DEVIATIONS:
        if deviation.api in (None, mock.api):
            assert any(re.fullmatch(deviation.checks, check) for check in judged), f"no check is {deviation.checks}"


def test_every_generated_request_gets_an_answer_whose_faults_are_real(mock: Mock, prism: str):
    contract = rest_contract(api(mock.api))
    account = "AC" + "0" * 32
    target = Target(prism, API_KEY, account, "prism-application", False, connection_id="prism-connection")
    options = RunOptions(prism, API_KEY, account, None, None, int(SEED), mock.sweep, 5.0, fuzz_shrink=False)
    unexplained: dict[tuple[str, int, tuple[str, ...]], str] = {}

    def judging(positive: bool) -> Callable[[schemathesis.Case], None]:
        def judged(case: schemathesis.Case) -> None:
            exchange, failures = answer_failures(case, contract, target, positive)
            expectation = expect(exchange, contract, target.base_url, target.api_key)
            broken = frozenset(failure.rule for failure in failures)
            if not any(answer.explains(exchange, expectation, broken) for answer in SWEEP):
                key = (expectation.kind.value, exchange.status, tuple(sorted(broken)))
                unexplained.setdefault(key, f"{exchange.method} {exchange.url} {exchange.request_body[:300]!r}")

        return judged

    for operation in contract.operations:
        for mode in MODES:
            fuzz(contract, operation.operation_id, mode, options, judging(positive=mode == "positive"))
    assert not unexplained, "\n".join(f"{key}: e.g. {example}" for key, example in unexplained.items())
