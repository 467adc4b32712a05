"""A method the contract does not declare for a path is refused: 404 or 405, and a 405 says what the path takes."""

import allure
import httpx

from conformance.core.exchange import send
from conformance.core.meta import AREA_REST, CheckMeta, operation_fact
from conformance.options import apis_of
from conformance.rest import targeted
from conformance.rest.conclusion import conclude
from conformance.rest.contract import rest_contract
from conformance.rest.resources import UNKNOWN_ID
from conformance.rest.targeted import VALID_URL

PROBED = ("DELETE", "PUT", "PATCH", "POST", "GET")


def pytest_generate_tests(metafunc):
    params, ids = [], []
    for api in apis_of(metafunc.config):
        contract = rest_contract(api)
        for path in dict.fromkeys(operation.path for operation in contract.operations):
            declared = {op.method.upper() for op in contract.operations if op.path == path}
            method = next(method for method in PROBED if method not in declared)
            first = next(op.operation_id for op in contract.operations if op.path == path)
            params.append((api, path, method, first))
            ids.append(f"rest/{first}/method={method}->405")
    metafunc.parametrize(("api", "path", "method", "operation_id"), params, ids=ids)


def test_undeclared_method_is_refused(api, path, method, operation_id, target, reporter, verdict):
    reporter.rule("an undeclared method is refused, naming the methods the path takes")
    allure.dynamic.title(f"{path}: {method} is not declared → 404 or 405 with Allow")
    contract = rest_contract(api)
    url = targeted.url_for(contract, contract.operation(operation_id), target, UNKNOWN_ID)
    request = httpx.Request(method, url, headers=api.auth_headers(target.api_key), params={"Url": VALID_URL})
    with httpx.Client(timeout=target.request_timeout) as client:
        exchange = send(client, request)
    conclude(exchange, contract, target, reporter, verdict)


def check_meta(item):
    api, operation_id = item.callspec.params["api"], item.callspec.params["operation_id"]
    return CheckMeta(api.area or AREA_REST, operation_id, frozenset({operation_fact(operation_id)}), api.name)
