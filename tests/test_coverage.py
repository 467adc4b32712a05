"""The coverage matrix: no spec fact silently loses its checks, and the matrix itself can tell."""

from pathlib import Path

import pytest
import yaml

from conformance.core.meta import attribute_fact, operation_fact
from conformance.gate import coverage
from conformance_specs import behaviours
from conformance_specs.apis import all_apis
from tests.suite_runner import run_suite_in_process

KNOWN_GAPS = Path(__file__).with_name("uncovered-facts.yaml")


@pytest.fixture(scope="module")
def suite_coverage(tmp_path_factory) -> dict:
    """The coverage the suite itself reports: collect its checks (nothing runs) and read the summary."""
    verdict = run_suite_in_process(tmp_path_factory.mktemp("collect"), "--conformance", "--collect-only")
    assert verdict.returncode == 0, verdict.output[-3000:]
    return verdict.summary["coverage"]


def test_no_fact_loses_its_coverage(suite_coverage):
    known_gaps = {fact for facts in yaml.safe_load(KNOWN_GAPS.read_text()).values() for fact in facts}
    uncovered = set(suite_coverage["uncovered"])
    lost = uncovered - known_gaps
    gained = known_gaps - uncovered
    assert not lost, f"these facts lost every check covering them: {sorted(lost)}"
    assert not gained, f"these facts are covered now; delete them from {KNOWN_GAPS.name}: {sorted(gained)}"


def test_every_kind_of_fact_is_in_the_matrix(suite_coverage):
    kinds = suite_coverage["counts"]
    assert set(kinds) == {
        "operation",
        "constraint",
        "verb",
        "attribute",
        "callback event",
        "callback field",
        "error code",
        "webhook event",
        "behaviour",
    }
    assert kinds["operation"] == {"facts": 33, "covered": 33}


def test_a_fact_whose_only_check_is_gone_is_listed_uncovered():
    pause_length = attribute_fact("Pause", "length")
    with_check = coverage.build(all_apis(), [("check-a", frozenset({pause_length, operation_fact("GetTexmlCall")}))])
    without = coverage.build(all_apis(), [("check-b", frozenset({operation_fact("GetTexmlCall")}))])
    assert pause_length not in {fact.id for fact in with_check.uncovered}
    assert pause_length in {fact.id for fact in without.uncovered}
    assert with_check.covering[operation_fact("GetTexmlCall")] == ("check-a",)


def test_facts_a_check_names_but_the_specs_do_not_state_are_ignored():
    matrix = coverage.build(all_apis(), [("check-a", frozenset({"verb:Teleport"}))])
    assert "verb:Teleport" not in matrix.covering


def test_every_behaviour_stated_as_another_fact_names_a_fact_the_specs_state():
    facts = {fact.id for fact in coverage.spec_facts(all_apis())}
    for api in all_apis():
        if api.behaviours_file is None:
            continue
        for statement in behaviours.statements(api.behaviours_file).values():
            assert set(statement.stated_as) <= facts, f"{statement.id}: no such fact {set(statement.stated_as) - facts}"
