"""Targeted cases come from the API value and its contract, so every constraint there has a check."""

import json

import pytest

from conformance.core.target import Target
from conformance.rest.contract import rest_contract
from conformance.rest.resources import UNKNOWN_ID
from conformance.rest.targeted import FORM, REMOVE, all_cases, build_request, valid_request
from conformance_specs.apis import all_apis, api

CONTRACT = rest_contract(api("texml"))
INITIATE = CONTRACT.rules.component("InitiateCallRequest")
CASES = all_cases(CONTRACT)
TARGET = Target("http://127.0.0.1:9/v2", "KEY", "AC" + "0" * 32, "1293384261075731000", False, connection_id="1")


def test_every_range_bound_has_a_rejected_and_an_accepted_case():
    cases = {(c.member, c.value, c.keyword) for c in CASES if c.operation_id == "InitiateTexmlCall"}
    for name, prop in INITIATE["properties"].items():
        if "minimum" in prop:
            assert (name, prop["minimum"] - 1, "minimum") in cases
            assert (name, prop["minimum"], None) in cases
        if "maximum" in prop:
            assert (name, prop["maximum"] + 1, "maximum") in cases
            assert (name, prop["maximum"], None) in cases


def test_every_required_member_and_enum_has_a_case():
    cases = {(c.member, c.keyword) for c in CASES if c.operation_id == "InitiateTexmlCall"}
    assert all((name, "required") in cases for name in INITIATE["required"])
    assert all((name, "enum") in cases for name, prop in INITIATE["properties"].items() if "enum" in prop)


def test_members_that_exclude_each_other_are_sent_together():
    conflicts = [c for c in CASES if c.keyword == "oneOf"]
    assert [(c.operation_id, c.member, c.expected_pointers) for c in conflicts] == [
        ("InitiateTexmlCall", "Texml", ("/Texml", "/Url"))
    ]


def test_case_ids_are_unique_and_name_what_is_checked():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))
    assert "rest/InitiateTexmlCall/Timeout=121->10033" in ids
    assert "rest/UpdateTexmlCall/form:Status='not-a-documented-value'->10032" in ids
    assert "rest/GetTexmlCalls/query:Page='twelve'->10026" in ids
    assert any(case.value is REMOVE for case in CASES)


@pytest.mark.parametrize("api_value", all_apis(), ids=lambda value: value.name)
def test_every_valid_request_keeps_every_rule_of_its_contract(api_value):
    """Checks that break one thing (a wrong key, a call's state) send this request: it must break nothing else."""
    contract = rest_contract(api_value)
    for operation in contract.operations:
        if operation.body_component is None:
            continue
        request = valid_request(contract, operation.operation_id, TARGET, UNKNOWN_ID, {})
        body = json.loads(request.content) if request.content else None
        broken = contract.rules.body_violations(operation.body_component, body)
        assert body is not None and not broken, f"{operation.operation_id}: {body} breaks {broken}"


def test_nested_members_get_cases_named_by_their_path():
    """Members of an object, or of each entry of a list of objects, are broken one at a time too."""
    ids = {case.id for case in all_cases(rest_contract(api("callcontrol")))}
    assert "rest/DialCall/answering_machine_detection_config.total_analysis_time_millis='twelve'->10026" in ids
    assert "rest/DialCall/custom_headers[0].name=(absent)->10004" in ids
    assert "rest/DialCall/custom_headers[0]='not-an-object'->10026" in ids
    assert "rest/AnswerCall/sip_headers[0].name='not-a-documented-value'->10032" in ids
    nested = [case for case in CASES if case.path]
    entry = next(case for case in nested if case.member == "CustomHeaders[0].name" and case.keyword == "required")
    # The contract fact it proves names every entry of the list; its error names the entry it broke.
    assert (entry.constrained, entry.expected_pointers) == (
        "CustomHeaders[].name",
        ("/CustomHeaders/0/name", "/CustomHeaders/0", "/CustomHeaders"),  # it, or a member holding it (E-142)
    )
    assert "rest/InitiateTexmlCall/CustomHeaders[0].value=12345->10026" in {case.id for case in nested}
    assert not [case.id for case in nested if case.media_type == FORM], "a form body cannot hold a nested member"


@pytest.mark.parametrize("api_value", all_apis(), ids=lambda value: value.name)
def test_a_nested_case_breaks_its_rule_and_nothing_else(api_value):
    """The value around a nested member keeps every rule: the contract sees only the rule under test broken, at the
    nested member's pointer (a wrong type of an enumerated member breaks its enum too, as at the top level)."""
    contract = rest_contract(api_value)
    for case in (case for case in all_cases(contract) if case.path):
        body = json.loads(build_request(contract, case, TARGET, UNKNOWN_ID).content)
        component = contract.operation(case.operation_id).body_component
        broken = contract.rules.body_violations(component, body)
        assert {violation.pointer for violation in broken} == {case.expected_pointers[0]}, (case.id, broken)
        assert case.keyword in {violation.keyword for violation in broken}, (case.id, broken)
