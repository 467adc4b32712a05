"""Targeted cases come from the API value and its contract, so every constraint there has a check."""

from conformance.rest.contract import rest_contract
from conformance.rest.targeted import REMOVE, all_cases
from conformance_specs.apis import api

CONTRACT = rest_contract(api("texml"))
INITIATE = CONTRACT.rules.component("InitiateCallRequest")
CASES = all_cases(CONTRACT)


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
