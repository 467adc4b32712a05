"""Expectations files and outcome decisions, piece by piece."""

from collections import Counter
from types import SimpleNamespace

import pytest

from conformance.core.failures import ConformanceFailure, InfrastructureError
from conformance.gate import expectations
from conformance.gate.expectations import Expectation, ExpectationsError
from conformance.gate.outcomes import decide, is_conformance_failure
from conformance.gate.summary import CheckResult, Summary, conformance_percent

EXPECTED = Expectation("fail", "voice ignored", "https://example.com/issues/3")


def report(when: str, outcome: str) -> SimpleNamespace:
    return SimpleNamespace(
        when=when,
        outcome=outcome,
        passed=outcome == "passed",
        skipped=outcome == "skipped",
        failed=outcome == "failed",
        longrepr=None,
    )


def call(error: BaseException | None) -> SimpleNamespace:
    return SimpleNamespace(excinfo=None if error is None else SimpleNamespace(value=error))


def test_a_broken_rule_is_a_failure_and_anything_else_an_error():
    assert decide(report("call", "failed"), call(ConformanceFailure("x")), None, False) == "failed"
    assert decide(report("call", "failed"), call(InfrastructureError("x")), None, False) == "error"
    assert decide(report("setup", "failed"), call(ConformanceFailure("x")), None, False) == "error"
    assert decide(report("setup", "passed"), call(None), None, False) is None
    assert decide(report("setup", "skipped"), call(None), None, False) == "not applicable"


def test_hypothesis_groups_of_broken_rules_are_failures():
    group = ExceptionGroup("two bugs", [ConformanceFailure("a"), ConformanceFailure("b")])
    mixed = ExceptionGroup("mixed", [ConformanceFailure("a"), ValueError("b")])
    assert is_conformance_failure(group)
    assert not is_conformance_failure(mixed)


def test_an_expected_failure_is_rewritten_like_pytest_xfail():
    failed = report("call", "failed")
    assert decide(failed, call(ConformanceFailure("x")), EXPECTED, False) == "expected failure"
    assert failed.outcome == "skipped" and failed.wasxfail == "voice ignored (https://example.com/issues/3)"


def test_an_expected_failure_that_errors_stays_an_error():
    errored = report("call", "failed")
    assert decide(errored, call(InfrastructureError("x")), EXPECTED, False) == "error"
    assert errored.outcome == "failed"


def test_an_unexpected_pass_fails_the_gate_only_when_strict():
    lenient, strict = report("call", "passed"), report("call", "passed")
    assert decide(lenient, call(None), EXPECTED, False) == "unexpected pass"
    assert decide(strict, call(None), EXPECTED, True) == "unexpected pass"
    assert lenient.outcome == "passed" and strict.outcome == "failed"
    assert "remove its entry" in strict.longrepr


def test_expectations_round_trip(tmp_path):
    path = tmp_path / "expectations.yaml"
    path.write_text(expectations.dump({"auth/GetTexmlCall/wrong-bearer-key": EXPECTED}, "emulator 1.2"))
    assert expectations.load(path).entries == {"auth/GetTexmlCall/wrong-bearer-key": EXPECTED}


def test_old_style_keys_read_as_the_new_check_ids(tmp_path):
    old = "test_texml.py::test_texml_scenario[texml/pause/default-length]"
    path = tmp_path / "expectations.yaml"
    path.write_text(expectations.dump({old: EXPECTED}, "emulator 1.2"))
    loaded = expectations.load(path)
    assert loaded.entries == {"texml/pause/default-length": EXPECTED}
    assert loaded.migrated == {old: "texml/pause/default-length"}


def test_a_renamed_check_id_reads_as_its_new_id(tmp_path):
    old = "rest/DialCall/timeout_secs=600->accepted"  # renamed when errata E-131 ruled 600 disputed
    path = tmp_path / "expectations.yaml"
    path.write_text(expectations.dump({old: EXPECTED}, "emulator 1.2"))
    assert expectations.load(path).entries == {"rest/DialCall/timeout_secs=600->accepted-or-10033": EXPECTED}


def test_old_style_key_naming_no_check_is_one_clear_error(tmp_path):
    path = tmp_path / "expectations.yaml"
    path.write_text(expectations.dump({"test_auth.py::test_gone[x]": EXPECTED}, "emulator 1.2"))
    with pytest.raises(ExpectationsError, match=r"old node-id form name no check: test_auth\.py::test_gone"):
        expectations.load(path)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("version: 1\nchecks: [a]\n", "checks: ['a'] is not of type 'object'"),
        ("version: 2\nchecks: {}\n", "version: 1 was expected"),
        ("version: 1\nchecks:\n  texml/a/b: {expect: fail}\n", "'reason' is a required property"),
        ("version: 1\nchecks:\n  whatever: {expect: fail, reason: r}\n", "'whatever' does not match"),
        ("version: 1\nchecks: {a: [\n", "not valid YAML"),
    ],
)
def test_malformed_expectations_say_what_to_fix(tmp_path, text, says):
    path = tmp_path / "expectations.yaml"
    path.write_text(text)
    with pytest.raises(ExpectationsError, match="--expectations=") as raised:
        expectations.load(path)
    assert says in str(raised.value)


def test_unknown_checks_are_judged_only_in_families_that_were_collected():
    collected = {"auth/GetTexmlCall/wrong-bearer-key"}
    listed = ["auth/GetTexmlCall/wrong-bearer-key", "auth/GetTexmlCall/typo", "texml/pause/not-collected"]
    assert expectations.unknown_checks(listed, collected) == ["auth/GetTexmlCall/typo"]


def test_conformance_counts_passes_over_judged_checks():
    summary = Summary()
    for index, outcome in enumerate(["passed", "passed", "failed", "expected failure", "not applicable"]):
        summary.add(CheckResult(f"c{index}", "TeXML verbs", "Say", outcome))
    assert summary.as_json()["totals"]["conformance_percent"] == 50.0
    assert [r.check for r in summary.unexpected(strict=False)] == ["c2"]


def test_one_broken_rule_in_thousands_is_never_shown_as_100_percent():
    assert conformance_percent(Counter({"passed": 19999, "failed": 1})) == 99.99
    assert conformance_percent(Counter({"passed": 2, "expected failure": 1})) == 66.66
    assert conformance_percent(Counter({"not applicable": 3})) is None
