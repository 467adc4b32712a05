"""Property-based requests from an API's contract: schemathesis generates, Hypothesis runs, the judge judges.

Each operation and generation mode is one check. Schemathesis turns the operation
into a Hypothesis strategy of requests; Hypothesis draws ``--fuzz-examples`` of them
from the session's seed (and, unless told not to, shrinks a failure to its minimal
request); every answer goes through conformance.rest.judge.
"""

from collections.abc import Callable
from functools import cache

import hypothesis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.specs.openapi import checks as st_checks

import conformance_specs as specs
from conformance.core import rules
from conformance.core.exchange import Exchange
from conformance.core.failures import Failure, InfrastructureError, fail
from conformance.core.target import Target
from conformance.options import RunOptions
from conformance.rest.contract import RestContract
from conformance.rest.judge import judge

# Schemathesis' own response checks, applied to requests generated valid.
SCHEMATHESIS_CHECKS = {
    rules.NOT_A_SERVER_ERROR: schemathesis.checks.not_a_server_error,
    rules.STATUS_CODE_CONFORMANCE: st_checks.status_code_conformance,
    rules.CONTENT_TYPE_CONFORMANCE: st_checks.content_type_conformance,
    rules.RESPONSE_SCHEMA_CONFORMANCE: st_checks.response_schema_conformance,
}
MODES = {"positive": GenerationMode.POSITIVE, "negative": GenerationMode.NEGATIVE}


@cache
def _schema(contract_file: str) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_path(specs.path(contract_file))


def fuzz(
    contract: RestContract,
    operation_id: str,
    mode: str,
    options: RunOptions,
    check: Callable[[schemathesis.Case], None],
) -> None:
    """Run ``check`` on ``--fuzz-examples`` requests generated for one operation in one mode."""
    operation = _schema(contract.api.contract_file).find_operation_by_id(operation_id)
    known = {"account_sid": options.account_sid}
    fixed = {name: value for name, value in known.items() if f"{{{name}}}" in operation.path}
    strategy = operation.as_strategy(generation_mode=MODES[mode], path_parameters=fixed or None)
    phases = [Phase.generate] + ([Phase.shrink] if options.fuzz_shrink else [])
    settings = hypothesis.settings(
        max_examples=options.fuzz_examples,
        database=None,
        deadline=None,
        phases=phases,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    hypothesis.seed(options.seed)(settings(hypothesis.given(strategy)(check)))()


def answer_failures(
    case: schemathesis.Case, contract: RestContract, target: Target, positive: bool
) -> tuple[Exchange, list[Failure]]:
    """Send one generated request; the exchange and the rules its answer broke."""
    base_url = target.base_url + contract.api.base_path
    headers = contract.api.auth_headers(target.api_key)
    try:
        response = case.call(base_url=base_url, headers=headers, timeout=target.request_timeout)
    except requests.Timeout:
        curl = case.as_curl_command(headers=headers, base_url=base_url)
        raise fail(
            rules.ANSWERS_IN_TIME,
            f"{case.operation.label}: no answer within {target.request_timeout} s\nreproduce: {curl}",
        ) from None
    except requests.ConnectionError as error:
        raise InfrastructureError(f"{case.operation.label}: connection failed ({error})") from None
    exchange = Exchange.from_schemathesis(response)
    failures = judge(exchange, contract, target.base_url, target.api_key)
    if positive:
        failures += _schemathesis_failures(case, response)
    return exchange, failures


def _schemathesis_failures(case: schemathesis.Case, response: schemathesis.Response) -> list[Failure]:
    found = []
    for name, check in SCHEMATHESIS_CHECKS.items():
        try:
            case.validate_response(response, checks=[check])
        except FailureGroup as group:
            found += [Failure(name, f"{failure.title}: {failure.message}") for failure in group.exceptions]
    return found
