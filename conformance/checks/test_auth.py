"""Every operation refuses requests without the right credentials: 401 with the documented code."""

import allure
import httpx

from conformance.core.exchange import send
from conformance.core.meta import AREA_AUTH, CheckMeta, error_code_fact, operation_fact
from conformance.options import apis_of
from conformance.rest import targeted
from conformance.rest.conclusion import conclude
from conformance.rest.contract import rest_contract

# Credentials that must be refused, per auth scheme (check id suffix -> headers for a key).
BAD_CREDENTIALS = {
    "bearer": {
        "no-authorization-header": lambda key: {},
        "wrong-bearer-key": lambda key: {"Authorization": f"Bearer {key}-not-this-one"},
        "key-without-bearer-scheme": lambda key: {"Authorization": key},
    },
}


def pytest_generate_tests(metafunc):
    params, ids = [], []
    for api in apis_of(metafunc.config):
        for operation in rest_contract(api).operations:
            for credentials in BAD_CREDENTIALS[api.auth]:
                params.append((api, operation.operation_id, credentials))
                ids.append(f"auth/{operation.operation_id}/{credentials}")
    metafunc.parametrize(("api", "operation_id", "credentials"), params, ids=ids)


def test_refuses_bad_credentials(api, operation_id, credentials, target, reporter, verdict):
    reporter.rule(credentials.replace("-", " "))
    allure.dynamic.title(f"{operation_id}: {credentials.replace('-', ' ')} → 401")
    contract = rest_contract(api)
    headers = BAD_CREDENTIALS[api.auth][credentials](target.api_key)
    request = targeted.valid_request(contract, operation_id, target, "v3:conformance-unknown", headers)
    with httpx.Client(timeout=target.request_timeout) as client:
        exchange = send(client, request)
    conclude(exchange, contract, target, reporter, verdict)


def check_meta(item):
    api, operation_id = item.callspec.params["api"], item.callspec.params["operation_id"]
    unauthenticated = rest_contract(api).errors["unauthenticated"]
    facts = {operation_fact(operation_id), error_code_fact(unauthenticated.status, unauthenticated.code)}
    return CheckMeta(api.area or AREA_AUTH, operation_id, frozenset(facts), api.name)
