"""Targeted cases come from specs/, so every constraint there has a check."""

import conformance_specs as specs
from conformance.rest.targeted import REMOVE, all_cases
from conformance_specs.contract import TEXML_REST


def test_every_range_bound_has_a_rejected_and_an_accepted_case():
    properties = specs.load(TEXML_REST)["components"]["schemas"]["InitiateCallRequest"]["properties"]
    cases = {(c.member, c.value, c.keyword) for c in all_cases() if c.operation_id == "InitiateTexmlCall"}
    for name, prop in properties.items():
        if "minimum" in prop:
            assert (name, prop["minimum"] - 1, "minimum") in cases
            assert (name, prop["minimum"], None) in cases
        if "maximum" in prop:
            assert (name, prop["maximum"] + 1, "maximum") in cases
            assert (name, prop["maximum"], None) in cases


def test_every_required_member_and_enum_has_a_case():
    schema = specs.load(TEXML_REST)["components"]["schemas"]["InitiateCallRequest"]
    cases = {(c.member, c.keyword) for c in all_cases() if c.operation_id == "InitiateTexmlCall"}
    assert all((name, "required") in cases for name in schema["required"])
    assert all((name, "enum") in cases for name, prop in schema["properties"].items() if "enum" in prop)


def test_case_ids_are_unique_and_readable():
    ids = [case.id for case in all_cases()]
    assert len(ids) == len(set(ids))
    assert "InitiateTexmlCall:body:Timeout=121->10033" in ids
    assert any(case.value is REMOVE for case in all_cases())
