"""TeXML execution semantics: one check per scenario file in fixtures/."""

import pytest

from conformance import runtime
from conformance.coverage import fixture_facts
from conformance.failures import ConformanceFailure, Failure
from conformance.meta import AREA_CALL_SETUP, AREA_CALLBACKS, AREA_MUSTACHE, AREA_VERBS, CheckMeta
from conformance.simulation import SimulationError
from conformance.trace import diff

FIXTURES = runtime.fixtures()


@pytest.mark.parametrize("fixture", FIXTURES, ids=[fixture.id for fixture in FIXTURES])
def test_texml_scenario(fixture, capabilities, scenario_runner, reporter):
    reporter.rule(fixture.rule)
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


# Scenario folders that are not named after a verb.
FOLDER_AREAS = {"Callbacks": AREA_CALLBACKS, "Call": AREA_CALL_SETUP, "Mustache": AREA_MUSTACHE}


def check_meta(item):
    fixture = item.callspec.params["fixture"]
    return CheckMeta(FOLDER_AREAS.get(fixture.verb, AREA_VERBS), fixture.verb, fixture_facts(fixture))
