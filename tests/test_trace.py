"""Trace matching compares what the target sent exactly, unless a matcher says otherwise."""

import pytest

from conformance.core.trace import Context, Observed, entry_problems, followed, value_problem

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


def test_base_in_an_expected_value_is_the_scenario_url():
    context = Context("v3:call", "AC1", "+13125550111", "+13125550100", "http://127.0.0.1:8000/s/7-x")
    assert value_problem("$BASE/media/a.wav", "http://127.0.0.1:8000/s/7-x/media/a.wav", context) is None
    assert value_problem("$BASE/media/a.wav", "http://127.0.0.1:8000/s/8-y/media/a.wav", context) is not None
    assert value_problem("$BASE/media/a.wav", "http://127.0.0.1/media/a.wav", context) is not None


def test_a_list_matches_only_with_the_same_items_in_the_same_order():
    offered = [{"name": "X-A", "value": "1"}, {"name": "X-B", "value": "2"}]
    assert value_problem(list(offered), offered, CONTEXT) is None
    assert value_problem(offered[::-1], offered, CONTEXT) is not None
    assert value_problem(["PCMA"], ["PCMA", "PCMU"], CONTEXT) is not None


@pytest.mark.parametrize(
    ("expected", "actual", "matches"),
    [
        ("<absent> or in-progress", None, True),
        ("<absent> or in-progress", "in-progress", True),
        ("<absent> or in-progress", "answered", False),
        ("<absent> or <account_sid>", "AC1", True),
        ("<absent> or <account_sid>", "AC2", False),
        ("<absent> or /outbound-api|outbound/", "outbound", True),
        ("<absent> or /outbound-api|outbound/", "inbound", False),
    ],
)
def test_absent_or_accepts_no_value_and_only_a_matching_one(expected, actual, matches):
    assert (value_problem(expected, actual, CONTEXT) is None) is matches


@pytest.mark.parametrize(
    ("actual", "matches"),
    [
        ({"RecordingUrl": "https://r.example/1.wav"}, True),
        ({"RecordingURL": "https://r.example/1.wav"}, True),
        ({"RecordingLink": "https://r.example/1.wav"}, False),
        ({"RecordingURL": "1.wav"}, False),
        ({"RecordingUrl": "1.wav", "RecordingURL": "https://r.example/1.wav"}, True),
    ],
    ids=["first spelling", "second spelling", "neither", "no URL", "one of two"],
)
def test_a_key_of_spellings_is_met_by_one_of_them(actual, matches):
    assert (not entry_problems({"RecordingUrl|RecordingURL": "<url>"}, actual, CONTEXT)) is matches


def test_a_key_of_spellings_is_absent_only_when_every_spelling_is():
    assert not entry_problems({"A|B": "<absent>"}, {}, CONTEXT)
    assert entry_problems({"A|B": "<absent>"}, {"B": "x"}, CONTEXT)


def test_followed_names_each_source_some_entry_matches():
    follows = {"callbacks": {"upstream": {"CallStatus": "no-answer"}, "seed": {"CallStatus": "canceled"}}}
    observed = Observed({"callbacks": [{"CallStatus": "ringing"}, {"CallStatus": "canceled"}]})
    assert followed(follows, observed, CONTEXT) == ["seed"]
