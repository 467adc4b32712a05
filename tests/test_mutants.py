"""Every scenario (TeXML and Call Control) passes against the reference emulator and fails against some mutant of it.

Scenarios run in-process here (harness, runner and emulator in this process) so the
whole mutant catalogue costs seconds; test_faulty_targets runs the suite end to end.
"""

from collections.abc import Iterator

import pytest

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.callcontrol.runner import CallControlRunner
from conformance.core.failures import ConformanceFailure
from conformance.core.harness import Harness
from conformance.core.simulation import discover
from conformance.core.target import Target, provision_application
from conformance.options import DEFAULT_ACCOUNT_SID
from conformance.texml.fixtures import default_dir, load_all
from conformance.texml.scenario import ScenarioRunner
from conformance_emulator import Behaviour, EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from conformance_specs.apis import api
from tests.faulty import FAULTS
from tests.mutants import ALTERNATIVES, MUTANTS, Alternative, Mutant
from tests.suite_runner import CANARY_KEY, run_suite

CALL_CONTROL = api("callcontrol")
FIXTURES = {fixture.id: fixture for fixture in load_all(default_dir())}
FIXTURES |= {fixture.id: fixture for fixture in callcontrol_fixtures.load_all(default_dir(), CALL_CONTROL)}
# A mutant that never ends a call must not cost the default 10 s per scenario.
DEADLINE_S = 3.0


@pytest.fixture(scope="module")
def harness() -> Iterator[Harness]:
    harness = Harness().start()
    yield harness
    harness.stop()


def problems_against(
    behaviour: Behaviour, fixture_ids: list[str], harness: Harness, settles: bool = True
) -> dict[str, list[str]]:
    """Each scenario's problems (empty when it passed) against the emulator with ``behaviour``."""
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY), behaviour)) as server:
        base_url = f"{server.url}/v2"
        application = provision_application(base_url, CANARY_KEY, f"{harness.url}/unused")
        target = Target(base_url, CANARY_KEY, DEFAULT_ACCOUNT_SID, application, embedded=False)
        found = {}
        call_control = CallControlRunner(CALL_CONTROL, target, harness, discover(target), DEADLINE_S)
        with target.client() as client:
            runner = ScenarioRunner(target, harness, client, DEADLINE_S, settles)
            for fixture_id in fixture_ids:
                try:
                    if fixture_id.startswith(callcontrol_fixtures.FOLDER):
                        found[fixture_id] = [str(f) for f in call_control.run(FIXTURES[fixture_id]).failures]
                    else:
                        result = runner.run(FIXTURES[fixture_id])
                        found[fixture_id] = [str(f) for f in result.failures(api("texml").callback_encoding)]
                except ConformanceFailure as failure:
                    found[fixture_id] = [str(failure)]
        return found


def test_reference_emulator_passes_every_scenario(harness):
    failing = {
        name: problems for name, problems in problems_against(Behaviour(), list(FIXTURES), harness).items() if problems
    }
    assert not failing


def test_reference_passes_without_the_settled_signal(harness):
    """Targets on protocol 1.0 get polled and a settle window; that path must judge the same."""
    callbacks = [name for name in FIXTURES if name.startswith(("texml/callbacks/", "texml/gather/"))]
    failing = {name: found for name, found in problems_against(Behaviour(), callbacks, harness, False).items() if found}
    assert not failing


@pytest.mark.parametrize("mutant", MUTANTS, ids=[mutant.name for mutant in MUTANTS])
def test_mutant_fails_the_scenarios_it_names(mutant: Mutant, harness):
    found = problems_against(mutant.behaviour(), list(mutant.kills), harness)
    survivors = [name for name, problems in found.items() if not problems]
    assert not survivors, f"{mutant.name} survived {survivors}"


@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=[alternative.name for alternative in ALTERNATIVES])
def test_documented_alternative_passes_the_scenarios_it_names(alternative: Alternative, harness):
    """Where the sources allow two behaviours, a target following the one the emulator does not still passes."""
    found = problems_against(alternative.behaviour(), list(alternative.passes), harness)
    failing = {name: problems for name, problems in found.items() if problems}
    assert not failing, f"{alternative.name} fails {failing}"


def test_mutant_and_alternative_names_are_unique():
    """Names are test ids and what rules and other tests look mutants up by; the areas must not share one."""
    names = [mutant.name for mutant in MUTANTS] + [alternative.name for alternative in ALTERNATIVES]
    assert sorted(name for name in set(names) if names.count(name) > 1) == []


def test_every_scenario_is_killed_by_some_mutant_or_fault():
    named = {name for mutant in MUTANTS for name in mutant.kills}
    assert named - set(FIXTURES) == set(), "mutants name scenarios that do not exist"
    # A fault (tests/faulty.py) run against a scenario's check kills it too (test_faulty_targets proves it).
    scenario_ids = {fixture.check_id: name for name, fixture in FIXTURES.items() if hasattr(fixture, "check_id")}
    named |= {scenario_ids[check] for fault in FAULTS for check in fault.checks if check in scenario_ids}
    named |= {check for fault in FAULTS for check in fault.checks if check in FIXTURES}
    assert set(FIXTURES) - named == set(), "scenarios no mutant or fault kills are not yet checks"


def test_target_without_the_protocol_gets_not_applicable(tmp_path):
    settings = EmulatorSettings(api_key=CANARY_KEY, simulation=False)
    with BackgroundServer(build_app(settings)) as server:
        verdict = run_suite(
            tmp_path,
            f"--target-url={server.url}/v2",
            f"--api-key={CANARY_KEY}",
            "-k",
            "test_texml_scenario",
        )
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert not verdict.failures
    assert verdict.passed == 0
    assert len(verdict.skipped) == len([name for name in FIXTURES if name.startswith("texml/")])
    assert all("not applicable" in reason for reason in verdict.skipped.values())
