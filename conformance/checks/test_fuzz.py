"""Generated requests for every operation of every API, valid (positive) and invalid (negative)."""

import allure

from conformance.core.meta import AREA_REST, CheckMeta, operation_fact
from conformance.options import apis_of, options_of
from conformance.rest.contract import rest_contract
from conformance.rest.fuzz import MODES, answer_failures, fuzz


def pytest_generate_tests(metafunc):
    params, ids = [], []
    for api in apis_of(metafunc.config):
        for operation in rest_contract(api).operations:
            for mode in MODES:
                params.append((api, operation.operation_id, mode))
                ids.append(f"fuzz/{mode}/{operation.operation_id}")
    metafunc.parametrize(("api", "operation_id", "mode"), params, ids=ids)


def test_generated_requests(api, operation_id, mode, target, reporter, verdict, pytestconfig):
    reporter.rule(f"{mode} fuzzing")
    allure.dynamic.title(f"{operation_id}: {options_of(pytestconfig).fuzz_examples} generated {mode} requests")
    contract = rest_contract(api)

    def check(case):
        positive = mode == "positive"
        exchange, failures = verdict.during_setup(lambda: answer_failures(case, contract, target, positive))
        reporter.exchange(exchange, failures)
        verdict.on_exchange(exchange, failures)

    fuzz(contract, operation_id, mode, options_of(pytestconfig), check)


def check_meta(item):
    api, operation_id = item.callspec.params["api"], item.callspec.params["operation_id"]
    return CheckMeta(api.area or AREA_REST, operation_id, frozenset({operation_fact(operation_id)}), api.name)
