"""TeXML execution semantics: one check per scenario file in fixtures/."""

import pytest

from conformance import runtime
from conformance.failures import ConformanceFailure, Failure
from conformance.simulation import SimulationError
from conformance.trace import diff

FIXTURES = runtime.fixtures()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.id for fixture in FIXTURES])
def test_texml_scenario(fixture, capabilities, scenario_runner, reporter):
    reporter.label("TeXML semantics", fixture.verb, fixture.rule)
    reporter.describe_fixture(fixture)
    missing = capabilities.missing(fixture.needs)
    if missing:
        why = capabilities.why_none or "the target does not declare it"
        pytest.skip(f"not applicable: needs {', '.join(missing)} ({why})")
    try:
        result = scenario_runner.run(fixture)
    except SimulationError as error:
        raise ConformanceFailure(f"1 rule(s) broken:\n  {Failure('simulation_protocol_answers', str(error))}") from None
    reporter.scenario(result, diff(fixture.expect, result.observed, result.context))
