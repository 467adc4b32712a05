"""The suite passes against the reference emulator and names the broken rule against each faulty target."""

import pytest

from conformance.core.failures import SCENARIO_RULES
from conformance.rest.fuzz import SCHEMATHESIS_CHECKS
from conformance.rest.judge import RULES
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from tests.faulty import FAULTS, Fault
from tests.suite_runner import CANARY_KEY, run_suite

FUZZ = "--fuzz-examples=10"
APPLICATION = "--application-sid=1293384261075731000"
KNOWN_RULES = set(RULES) | SCENARIO_RULES | set(SCHEMATHESIS_CHECKS)
SCENARIO_EXECUTION_RULES = {"call_ends", "trace_matches", "simulation_protocol_answers"}


def test_reference_emulator_passes_every_check(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}", FUZZ, APPLICATION)
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert not verdict.failures
    assert verdict.passed > 100


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_suite_names_the_broken_rule(fault: Fault, tmp_path):
    with BackgroundServer(fault.app(CANARY_KEY)) as server:
        target = (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")
        verdict = run_suite(tmp_path, *target, FUZZ, APPLICATION, *_selection(fault), *fault.extra_args)
    assert verdict.returncode == 1, verdict.output[-3000:]
    missing = set(fault.caught_by) - verdict.rules_broken()
    assert not missing, f"{fault.name}: rules {missing} never reported; reported {sorted(verdict.rules_broken())}"
    assert verdict.rules_broken() <= KNOWN_RULES, "every reported rule must be a registered one"


def _selection(fault: Fault) -> tuple[str, ...]:
    """REST faults skip the TeXML scenarios (they prove nothing there and cost a pass over all of them)."""
    return () if set(fault.caught_by) & SCENARIO_EXECUTION_RULES else ("-k", "not test_texml_scenario")


def test_every_rule_is_broken_by_some_fault():
    """The kill matrix: a rule no faulty target breaks is not yet a check."""
    covered = {rule for fault in FAULTS for rule in fault.caught_by}
    assert KNOWN_RULES - covered == set()
