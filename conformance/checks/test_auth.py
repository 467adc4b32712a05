"""Every operation refuses requests without the right bearer key: 401, code 10009."""

import httpx
import pytest

from conformance import contract, targeted
from conformance.exchange import send
from conformance.judge import judge
from conformance.meta import AREA_AUTH, CheckMeta, error_code_fact, operation_fact
from specs.contract import ERROR_CODES

CREDENTIALS = {
    "no Authorization header": lambda key: {},
    "wrong bearer key": lambda key: {"Authorization": f"Bearer {key}-not-this-one"},
    "key without Bearer scheme": lambda key: {"Authorization": key},
}
OPERATIONS = [operation.operation_id for operation in contract.operations()]


@pytest.mark.parametrize("credentials", list(CREDENTIALS))
@pytest.mark.parametrize("operation_id", OPERATIONS)
def test_refuses_bad_credentials(operation_id, credentials, target, reporter):
    reporter.rule(credentials)
    headers = CREDENTIALS[credentials](target.api_key)
    request = targeted.valid_request(operation_id, target, "v3:conformance-unknown", headers)
    with httpx.Client(timeout=target.request_timeout) as client:
        exchange = send(client, request)
    reporter.verdict(exchange, judge(exchange, target.base_url, target.api_key), always_attach=True)


def check_meta(item):
    operation_id = item.callspec.params["operation_id"]
    unauthenticated = ERROR_CODES["unauthenticated"]
    facts = {operation_fact(operation_id), error_code_fact(unauthenticated["status"], unauthenticated["code"])}
    return CheckMeta(AREA_AUTH, operation_id, frozenset(facts))
