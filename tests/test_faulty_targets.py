"""The suite passes against the reference emulator and names the broken rule against each faulty target.

Each faulty target runs in a subprocess, as a user would run the suite, but only against
the checks meant to catch it: the proof is the same, at a fraction of a full run's cost.
"""

import shlex

import pytest

from conformance.core.rules import RULES
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from tests.faulty import FAULTS, FORM_CALL, Fault, reads_form_calls_as_json
from tests.mutants import MUTANTS
from tests.suite_runner import CANARY_KEY, run_suite, run_suite_in_process
from tests.variants import VARIANTS, Variant

FAST = ("--fuzz-examples=10", "--no-shrink", "--application-sid=1293384261075731000", "--connection-id=1")


def test_reference_emulator_passes_every_check(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}", *FAST)
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert not verdict.failures
    assert verdict.passed == len(verdict.summary["checks"]) > 200


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_suite_names_the_broken_rule(fault: Fault, tmp_path):
    selection = [f"--check={check}" for check in fault.checks]
    with BackgroundServer(fault.app(CANARY_KEY)) as server:
        target = (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")
        verdict = run_suite_in_process(tmp_path, *target, *FAST, *selection, *fault.extra_args)
    assert verdict.returncode == 1, verdict.output[-3000:]
    missing = fault.caught_by - verdict.rules_broken()
    assert not missing, f"{fault.name}: rules {missing} never reported; reported {sorted(verdict.rules_broken())}"
    assert verdict.rules_broken() <= set(RULES), "every reported rule must be a registered one"
    for check, message in verdict.failures.items():
        assert f"--check={shlex.quote(check)}" in message, f"{check} failed without its own rerun line:\n{message}"


@pytest.mark.parametrize("variant", VARIANTS, ids=[variant.name for variant in VARIANTS])
def test_documented_variant_passes(variant: Variant, tmp_path):
    """A target following the other source where two disagree fails no check, and the checks say which it follows."""
    selection = [f"--check={check}" for check in (*variant.reports, *variant.checks)]
    with BackgroundServer(variant.app(CANARY_KEY)) as server:
        target = (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")
        verdict = run_suite_in_process(tmp_path, *target, *FAST, *selection)
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert not verdict.failures
    details = {check["id"]: check["detail"] for check in verdict.summary["checks"]}
    assert set(details) == {*variant.reports, *variant.checks}
    for check, source in variant.reports.items():
        assert source in details[check], f"{check}: {details[check]!r} does not name {source!r}"


def test_every_rule_names_proofs_that_exist():
    """The kill matrix: every registered rule is broken by some fault or mutant that exists and is run."""
    known = {f"fault:{fault.name}" for fault in FAULTS} | {f"mutant:{mutant.name}" for mutant in MUTANTS}
    unknown = {rule.name: sorted(set(rule.proven_by) - known) for rule in RULES.values() if set(rule.proven_by) - known}
    assert not unknown, f"rules name proofs that do not exist: {unknown}"
    assert all(fault.caught_by for fault in FAULTS), "a fault that proves no rule is not yet a proof"


def test_a_target_reading_form_calls_as_json_passes_and_is_reported(tmp_path):
    """The other documented answer to a form-encoded InitiateCall (errata E-121) passes, labelled with its source."""
    app = reads_form_calls_as_json(build_app(EmulatorSettings(api_key=CANARY_KEY)), CANARY_KEY)
    with BackgroundServer(app) as server:
        target = (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")
        results = tmp_path / "allure"
        verdict = run_suite_in_process(tmp_path, *target, *FAST, f"--check={FORM_CALL}", f"--alluredir={results}")
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert verdict.passed == 1
    labels = "".join(path.read_text() for path in results.glob("*-result.json"))
    assert "seed 004's form-encoded call request" in labels
