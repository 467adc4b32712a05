"""The suite passes against the reference emulator and names the broken rule against each faulty target."""

import pytest

from emulator import EmulatorSettings, build_app
from emulator.server import BackgroundServer
from tests.faulty import FAULTS, Fault
from tests.suite_runner import CANARY_KEY, run_suite

FUZZ = "--fuzz-examples=10"
APPLICATION = "--application-sid=1293384261075731000"


def test_reference_emulator_passes_every_check(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}", FUZZ, APPLICATION)
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert not verdict.failures
    assert verdict.passed > 100


@pytest.mark.parametrize("fault", FAULTS, ids=[fault.name for fault in FAULTS])
def test_suite_names_the_broken_rule(fault: Fault, tmp_path):
    with BackgroundServer(fault.app(CANARY_KEY)) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}", FUZZ, APPLICATION)
    assert verdict.returncode == 1, verdict.output[-3000:]
    missing = set(fault.caught_by) - verdict.rules_broken()
    assert not missing, f"{fault.name}: rules {missing} never reported; reported {sorted(verdict.rules_broken())}"
