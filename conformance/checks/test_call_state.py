"""Commands to a call that cannot take them: unknown, already ended, not answered yet (422 with the state's code)."""

import allure
import pytest

from conformance.core import rules
from conformance.core.exchange import send
from conformance.core.failures import Failure
from conformance.core.meta import AREA_ERRORS, CheckMeta, error_code_fact, operation_fact
from conformance.options import apis_of
from conformance.rest import targeted
from conformance.rest.contract import rest_contract
from conformance.rest.judge import error_entries, judge
from conformance.rest.resources import STATES, call_in_state

# Which commands each state is checked on: every command naming a call, but the call's status,
# which answers for an ended call too (is_alive false), and what an unanswered call accepts.
SHOWN = {"unknown_call": "unknown", "call_ended": "ended", "not_answered": "ringing"}


def pytest_generate_tests(metafunc):
    params, ids = [], []
    for api in apis_of(metafunc.config):
        contract = rest_contract(api)
        for operation in contract.operations:
            names_call = contract.names_resource(operation)
            for state, error in contract.errors.resource_state.items():
                if not names_call or (state != "unknown_call" and operation.method == "get"):
                    continue
                if state == "not_answered" and operation.operation_id not in contract.errors.needs_answer:
                    continue
                params.append((api, operation.operation_id, state))
                ids.append(f"rest/{operation.operation_id}/call={SHOWN[state]}->{error.code}")
    metafunc.parametrize(("api", "operation_id", "state"), params, ids=ids)


def test_call_state_answer(api, operation_id, state, target, capabilities, reporter, verdict):
    contract = rest_contract(api)
    expected = contract.errors.resource_state[state]
    reporter.rule(expected.title)
    allure.dynamic.title(f"{operation_id}: a call that is {SHOWN[state]} → {expected.code} {expected.title}")
    needs = STATES[state]
    missing = capabilities.missing(needs)
    if missing:
        pytest.skip(f"not applicable: needs {', '.join(missing)} to put a call in that state")
    with target.client() as client:
        call_id = verdict.during_setup(lambda: call_in_state(state, client, target))
        headers = api.auth_headers(target.api_key)
        exchange = send(client, targeted.valid_request(contract, operation_id, target, call_id, headers))
    failures = judge(exchange, contract, target.base_url, target.api_key)
    codes = [entry.get("code") for entry in error_entries(exchange)]
    judged = any(failure.rule == rules.RESOURCE_STATE_CODE for failure in failures)
    if not judged and (exchange.status != expected.status or expected.code not in codes):
        failures.append(
            Failure(
                rules.RESOURCE_STATE_CODE,
                f"a command to a call that is {SHOWN[state]} must get {expected.status} with code {expected.code} "
                f"({expected.title}); got HTTP {exchange.status} with codes {codes}",
            )
        )
    reporter.exchange(exchange, failures, always=True)
    verdict.on_exchange(exchange, failures)


def check_meta(item):
    api, operation_id, state = (item.callspec.params[name] for name in ("api", "operation_id", "state"))
    error = rest_contract(api).errors.resource_state[state]
    facts = {operation_fact(operation_id), error_code_fact(error.status, error.code)}
    return CheckMeta(api.area or AREA_ERRORS, operation_id, frozenset(facts), api.name)
