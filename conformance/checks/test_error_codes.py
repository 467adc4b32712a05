"""Each documented 422 rule provoked on purpose: code, title and source.pointer must match."""

import allure
import pytest

from conformance.core import rules
from conformance.core.exchange import Exchange, send
from conformance.core.failures import Failure
from conformance.core.meta import (
    AREA_ERRORS,
    CheckMeta,
    constraint_fact,
    error_code_fact,
    operation_fact,
    seed_fact,
)
from conformance.gate.coverage import BODY
from conformance.options import apis_of
from conformance.rest import targeted
from conformance.rest.calls import create_call
from conformance.rest.conclusion import conclude
from conformance.rest.contract import rest_contract
from conformance.rest.judge import error_entries
from conformance.rest.resources import UNKNOWN_ID, live_resource

# The seed fact a required member's case in another body shape proves.
REQUIRED_IN_EVERY_SHAPE = "initiate-call/required-in-every-body-shape"


def pytest_generate_tests(metafunc):
    cases = [(api, case) for api in apis_of(metafunc.config) for case in targeted.all_cases(rest_contract(api))]
    metafunc.parametrize(("api", "case"), cases, ids=[case.id for _, case in cases])


@pytest.fixture(scope="module")
def texml_calls():
    """One TeXML call for every case that names one, made by the first such check (its updates take the call as it
    is, whatever its state); a check that names no call never waits on it."""
    return {}


def _resource_id(api, operation_id, client, target, capabilities, texml_calls):
    contract = rest_contract(api)
    if not contract.names_resource(contract.operation(operation_id)):
        return UNKNOWN_ID  # the path names no call: nothing to make
    if api.name != "texml":
        return live_resource(api, client, target, capabilities)
    if "sid" not in texml_calls:
        texml_calls["sid"] = create_call(client, target)[1]
    return texml_calls["sid"]


def test_documented_rule(api, case, target, capabilities, reporter, verdict, follows, texml_calls):
    either = case.stricter is not None
    rule = case.expected_error.title if case.expected_error and not either else case.why
    reporter.rule(rule)
    allure.dynamic.parameter("case", case.id)
    expected = f"{case.expected_error.code} {case.expected_error.title}" if case.expected_error else "accepted"
    allure.dynamic.title(f"{case.operation_id}: {case.why} → {'accepted or ' if either else ''}{expected}")
    contract = rest_contract(api)
    with target.client() as client:
        resource_id = verdict.during_setup(
            lambda: _resource_id(api, case.operation_id, client, target, capabilities, texml_calls)
        )
        exchange = send(client, targeted.build_request(contract, case, target, resource_id))
    incoming = contract.errors.incoming_only if contract.errors else None
    if _refused_for_the_calls_state(contract, case, exchange):
        # Answer and Reject reach a dialled leg, which they may refuse (errata E-130): the judge holds the refusal
        # to a documented call-state code, and what the case is about cannot be seen on this target yet.
        conclude(exchange, contract, target, reporter, verdict)
        why = f"{case.operation_id} to a dialled leg answered 422 with a call-state code (errata {incoming.erratum})"
        follows(incoming.follows, why)
        pytest.skip(f"not applicable: {why}; incoming Call Control calls, where it applies, are not simulated yet")
    if either and 200 <= exchange.status < 300:
        follows(case.stricter.otherwise, f"{case.member}={case.value!r} taken (errata {case.stricter.erratum})")
        extra = []
    elif either:
        extra = _documented_error_failures(case, exchange)
        if not extra:
            follows(case.stricter.follows, f"{case.member}={case.value!r} refused (errata {case.stricter.erratum})")
    else:
        extra = _documented_error_failures(case, exchange) if case.keyword is not None else []
    if incoming is not None and case.operation_id in incoming.commands and 200 <= exchange.status < 300:
        follows(incoming.otherwise, f"{case.operation_id} to a dialled leg answered {exchange.status}")
    conclude(exchange, contract, target, reporter, verdict, extra)


def _refused_for_the_calls_state(contract, case: targeted.RuleCase, exchange: Exchange) -> bool:
    """Whether a request to a command documented for incoming calls only, which keeps every declared rule, was
    refused 422 with nothing but call-state codes (the judge holds the codes to the documented ones)."""
    incoming = contract.errors.incoming_only if contract.errors else None
    if incoming is None or case.operation_id not in incoming.commands or exchange.status != 422:
        return False
    if case.keyword is not None and case.stricter is None:
        return False  # a request breaking a declared rule must be refused for that rule
    states = {error.code for error in contract.errors.resource_state.values()}
    codes = [entry.get("code") for entry in error_entries(exchange)]
    return bool(codes) and set(codes) <= states


def _documented_error_failures(case: targeted.RuleCase, exchange: Exchange) -> list[Failure]:
    if exchange.status != 422:
        return [Failure(rules.DOCUMENTED_ERROR_CODE, f"{case.why}: expected 422, got {exchange.status}")]
    try:
        errors = exchange.response_json().get("errors", [])
    except (ValueError, AttributeError):
        return []  # error_envelope_conforms already reports it
    entries = [
        e for e in errors if isinstance(e, dict) and (e.get("source") or {}).get("pointer") in case.expected_pointers
    ]
    if not entries:
        return [
            Failure(
                rules.ERROR_POINTER, f"no error entry has source.pointer in {list(case.expected_pointers)}: {errors}"
            )
        ]
    expected = case.expected_error
    if expected and not any(e.get("code") == expected.code and e.get("title") == expected.title for e in entries):
        got = [(e.get("code"), e.get("title")) for e in entries]
        return [
            Failure(
                rules.DOCUMENTED_ERROR_CODE,
                f"expected code {expected.code} '{expected.title}' for {case.expected_pointers[0]}, got {got}",
            )
        ]
    return []


def check_meta(item):
    api, case = item.callspec.params["api"], item.callspec.params["case"]
    facts = {operation_fact(case.operation_id)}
    if case.stricter is not None:
        pass  # a value the sources disagree on proves no declared constraint
    elif case.keyword in rest_contract(api).errors.conflict_keywords:
        facts.add(constraint_fact(case.operation_id, BODY, case.keyword))
    elif case.keyword is not None:
        facts.add(constraint_fact(case.operation_id, case.constrained, case.keyword))
        facts.add(error_code_fact(422, case.expected_error.code))
    if case.shape and case.keyword == "required":
        facts.add(seed_fact(REQUIRED_IN_EVERY_SHAPE))
    return CheckMeta(api.area or AREA_ERRORS, case.operation_id, frozenset(facts), api.name)
