"""Property-based requests from the contract (schemathesis), judged by conformance.judge."""

import requests
import schemathesis
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as st_checks

import specs
from conformance import runtime
from conformance.exchange import Exchange
from conformance.failures import Failure, InfrastructureError, fail
from conformance.judge import judge
from conformance.reporting import Reporter
from conformance.target import Target
from specs.contract import TEXML_REST

# Schemathesis' own response checks, applied to requests generated valid.
SCHEMATHESIS_CHECKS = {
    "not_a_server_error": schemathesis.checks.not_a_server_error,
    "status_code_conformance": st_checks.status_code_conformance,
    "content_type_conformance": st_checks.content_type_conformance,
    "response_schema_conformance": st_checks.response_schema_conformance,
}


def load_schema(mode: GenerationMode) -> schemathesis.BaseSchema:
    """The contract as a schemathesis schema generating ``mode`` cases with the session's seed."""
    options = runtime.options()
    schema = schemathesis.openapi.from_path(specs.path(TEXML_REST), config=schemathesis.Config(seed=options.seed))
    schema.config.generation.update(modes=[mode], max_examples=options.fuzz_examples, database="none")
    schema.config.update(parameters={"account_sid": options.account_sid})
    return schema


def check_case(case: schemathesis.Case, target: Target, reporter: Reporter, positive: bool) -> None:
    reporter.rule("positive fuzzing" if positive else "negative fuzzing")
    try:
        response = case.call(base_url=target.base_url, headers=target.auth_headers, timeout=target.request_timeout)
    except requests.Timeout:
        raise fail("answers_in_time", f"{case.operation.label}: no answer within {target.request_timeout} s") from None
    except requests.ConnectionError as error:
        raise InfrastructureError(f"{case.operation.label}: connection failed ({error})") from None
    exchange = Exchange.from_schemathesis(response)
    failures = judge(exchange, target.base_url, target.api_key)
    if positive:
        failures += _schemathesis_failures(case, response)
    reporter.verdict(exchange, failures)


def _schemathesis_failures(case: schemathesis.Case, response: schemathesis.Response) -> list[Failure]:
    found = []
    for name, check in SCHEMATHESIS_CHECKS.items():
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            found += [Failure(name, f"{failure.title}: {failure.message}") for failure in group.exceptions]
    return found
