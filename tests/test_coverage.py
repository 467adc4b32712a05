"""Coverage: no seed fact or contract fact silently loses its checks, and the figures can tell."""

from pathlib import Path

import pytest
import yaml

from conformance.core.meta import SEED_PREFIX, attribute_fact, operation_fact, seed_fact
from conformance.gate import coverage, seed_coverage
from conformance_specs import facts
from conformance_specs.apis import all_apis
from tests.suite_runner import run_suite_in_process

KNOWN_GAPS = Path(__file__).with_name("uncovered-facts.yaml")


@pytest.fixture(scope="module")
def suite_coverage(tmp_path_factory) -> dict:
    """The coverage the suite itself reports: collect its checks (nothing runs) and read the summary."""
    verdict = run_suite_in_process(tmp_path_factory.mktemp("collect"), "--conformance", "--collect-only")
    assert verdict.returncode == 0, verdict.output[-3000:]
    return verdict.summary["coverage"]


def test_every_seed_fact_is_proven_or_says_why(suite_coverage):
    seeds = suite_coverage["seed_facts"]
    proven = {fact["id"] for fact in seeds["facts"] if fact["checks"]}
    said_why = {fact.id for fact in facts.seed_facts().values() if fact.unchecked}
    lost = {fact["id"] for fact in seeds["facts"]} - proven - said_why
    assert not lost, f"no check proves these seed facts; add one, or say why under 'unchecked': {sorted(lost)}"
    gained = proven & said_why
    assert not gained, f"these seed facts are proven now; delete their 'unchecked': {sorted(gained)}"


def test_the_headline_counts_seed_facts_only(suite_coverage):
    seeds = suite_coverage["seed_facts"]
    catalogue = facts.seed_facts()
    assert seeds["total"] == len(catalogue)
    assert sum(row["facts"] for row in seeds["seeds"].values()) == len(catalogue)
    assert {fact["id"] for fact in seeds["facts"]} == set(catalogue)
    assert not any(fact["id"].startswith(SEED_PREFIX) for fact in suite_coverage["contract_facts"]["facts"])


def test_no_contract_fact_loses_its_coverage(suite_coverage):
    known_gaps = {fact for facts in yaml.safe_load(KNOWN_GAPS.read_text()).values() for fact in facts}
    uncovered = set(suite_coverage["contract_facts"]["uncovered"])
    lost = uncovered - known_gaps
    gained = known_gaps - uncovered
    assert not lost, f"these facts lost every check covering them: {sorted(lost)}"
    assert not gained, f"these facts are covered now; delete them from {KNOWN_GAPS.name}: {sorted(gained)}"


def test_every_kind_of_contract_fact_is_in_the_matrix(suite_coverage):
    kinds = suite_coverage["contract_facts"]["counts"]
    assert set(kinds) == {
        "operation",
        "constraint",
        "verb",
        "attribute",
        "callback event",
        "callback field",
        "error code",
        "webhook event",
    }
    assert kinds["operation"] == {"facts": 33, "covered": 33}


def test_a_fact_whose_only_check_is_gone_is_listed_uncovered():
    pause_length = attribute_fact("Pause", "length")
    with_check = coverage.build(all_apis(), [("check-a", frozenset({pause_length, operation_fact("GetTexmlCall")}))])
    without = coverage.build(all_apis(), [("check-b", frozenset({operation_fact("GetTexmlCall")}))])
    assert pause_length not in {fact.id for fact in with_check.uncovered}
    assert pause_length in {fact.id for fact in without.uncovered}
    assert with_check.covering[operation_fact("GetTexmlCall")] == ("check-a",)


def test_a_seed_fact_is_proven_by_its_checks_or_by_all_of_its_evidence():
    catalogue = facts.seed_facts()
    with_evidence = next(fact for fact in catalogue.values() if len(fact.proven_by) > 1)
    evidence = [name for name in with_evidence.proven_by if not name.startswith(SEED_PREFIX)]
    every = [(f"check-{index}", frozenset({name})) for index, name in enumerate(evidence)]
    all_but_one = every[1:]
    proven = seed_coverage.build(coverage.build(all_apis(), every), every)
    unproven = seed_coverage.build(coverage.build(all_apis(), all_but_one), all_but_one)
    if len(evidence) == len(with_evidence.proven_by):
        assert proven.proving[with_evidence.id]
    assert not unproven.proving[with_evidence.id]
    named = [("check-direct", frozenset({seed_fact(with_evidence.id)}))]
    assert seed_coverage.build(coverage.build(all_apis(), named), named).proving[with_evidence.id] == ("check-direct",)


def test_a_check_naming_no_seed_fact_is_refused():
    named = [("check-a", frozenset({seed_fact("pause/waits-in-slience")}))]
    with pytest.raises(seed_coverage.UnknownFact, match="pause/waits-in-slience"):
        seed_coverage.build(coverage.build(all_apis(), named), named)


def test_contract_facts_a_check_names_but_the_specs_do_not_state_are_ignored():
    matrix = coverage.build(all_apis(), [("check-a", frozenset({"verb:Teleport"}))])
    assert "verb:Teleport" not in matrix.covering


def test_every_proven_by_names_a_fact_that_exists():
    contract = {fact.id for fact in coverage.spec_facts(all_apis())}
    catalogue = facts.seed_facts()
    for fact in catalogue.values():
        for name in fact.proven_by:
            known = name.removeprefix(SEED_PREFIX) in catalogue if name.startswith(SEED_PREFIX) else name in contract
            assert known, f"{fact.id}: proven_by names {name!r}, which is no fact"
