"""Trace matching compares what the target sent exactly, unless a matcher says otherwise."""

import pytest

from conformance.core.trace import Context, value_problem

CONTEXT = Context("v3:call", "AC1", "+13125550111", "+13125550100")


@pytest.mark.parametrize(
    ("expected", "actual"),
    [("007", "7"), ("1", "1 "), (12, "12.0"), ("12", "12.0"), (0, "00"), (True, "1")],
    ids=["leading zeros", "trailing space", "integer vs decimal text", "text vs decimal text", "zero padded", "bool"],
)
def test_wire_text_that_differs_does_not_match(expected, actual):
    assert value_problem(expected, actual, CONTEXT) is not None


@pytest.mark.parametrize(
    ("expected", "actual"),
    [("007", "007"), (5, "5"), (30, 30.0), (2.5, 2.5), (True, "true"), ("<integer>", "7"), ("/0+7/", "007")],
    ids=["same text", "number written as text", "JSON numbers", "floats", "bool text", "matcher", "regex"],
)
def test_equal_values_and_matchers_match(expected, actual):
    assert value_problem(expected, actual, CONTEXT) is None


def test_a_list_matches_only_with_the_same_items_in_the_same_order():
    offered = [{"name": "X-A", "value": "1"}, {"name": "X-B", "value": "2"}]
    assert value_problem(list(offered), offered, CONTEXT) is None
    assert value_problem(offered[::-1], offered, CONTEXT) is not None
    assert value_problem(["PCMA"], ["PCMA", "PCMU"], CONTEXT) is not None
