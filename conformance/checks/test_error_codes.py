"""Each documented 422 rule provoked on purpose: code, title and source.pointer must match."""

import allure
import pytest

from conformance import targeted
from conformance.calls import create_call, unique_number
from conformance.coverage import BODY
from conformance.exchange import send
from conformance.failures import Failure
from conformance.judge import judge
from conformance.meta import AREA_ERRORS, CheckMeta, constraint_fact, error_code_fact, operation_fact
from specs.contract import CONFLICT_KEYWORDS

CASES = targeted.all_cases()


@pytest.fixture(scope="module")
def live_call_sid(target):
    with target.client() as client:
        return create_call(client, target, unique_number())[1]


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_documented_rule(case, target, reporter, live_call_sid):
    rule = case.expected_error["title"] if case.expected_error else case.why
    reporter.rule(rule)
    allure.dynamic.parameter("case", case.id)
    with target.client() as client:
        exchange = send(client, targeted.build_request(case, target, live_call_sid))
    failures = judge(exchange, target.base_url, target.api_key)
    if case.keyword is not None:
        failures += _documented_error_failures(case, exchange)
    reporter.verdict(exchange, failures, always_attach=True)


def _documented_error_failures(case, exchange):
    if exchange.status != 422:
        return [Failure("documented_error_code", f"{case.why}: expected 422, got {exchange.status}")]
    try:
        errors = exchange.response_json().get("errors", [])
    except (ValueError, AttributeError):
        return []  # error_envelope_conforms already reports it
    entries = [
        e for e in errors if isinstance(e, dict) and (e.get("source") or {}).get("pointer") in case.expected_pointers
    ]
    if not entries:
        return [
            Failure("error_pointer", f"no error entry has source.pointer in {list(case.expected_pointers)}: {errors}")
        ]
    expected = case.expected_error
    if expected and not any(e.get("code") == expected["code"] and e.get("title") == expected["title"] for e in entries):
        got = [(e.get("code"), e.get("title")) for e in entries]
        return [
            Failure(
                "documented_error_code",
                f"expected code {expected['code']} '{expected['title']}' for {case.expected_pointers[0]}, got {got}",
            )
        ]
    return []


def check_meta(item):
    case = item.callspec.params["case"]
    facts = {operation_fact(case.operation_id)}
    if case.keyword in CONFLICT_KEYWORDS:
        facts.add(constraint_fact(case.operation_id, BODY, case.keyword))
    elif case.keyword is not None:
        facts.add(constraint_fact(case.operation_id, case.member, case.keyword))
        facts.add(error_code_fact(422, case.expected_error["code"]))
    return CheckMeta(AREA_ERRORS, case.operation_id, frozenset(facts))
