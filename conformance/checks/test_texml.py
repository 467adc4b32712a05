"""TeXML execution semantics: one check per scenario file in fixtures/."""

import pytest

from conformance.core import rules
from conformance.core.failures import Failure
from conformance.core.meta import AREA_CALL_SETUP, AREA_CALLBACKS, AREA_MUSTACHE, AREA_VERBS, CheckMeta
from conformance.core.simulation import SimulationError
from conformance.core.trace import diff, followed
from conformance.texml.attachments import attach_scenario, describe_fixture
from conformance.texml.coverage import fixture_facts
from conformance.texml.fixtures import fixtures_of
from conformance_specs.apis import api

# Scenario folders that are not named after a verb.
FOLDER_AREAS = {"Callbacks": AREA_CALLBACKS, "Call": AREA_CALL_SETUP, "Mustache": AREA_MUSTACHE}


def pytest_generate_tests(metafunc):
    fixtures = fixtures_of(metafunc.config)
    metafunc.parametrize("fixture", fixtures, ids=[fixture.id for fixture in fixtures])


def test_texml_scenario(fixture, capabilities, scenario_runner, reporter, verdict, follows):
    reporter.rule(fixture.rule)
    describe_fixture(fixture)
    missing = capabilities.missing(fixture.needs)
    if missing:
        why = capabilities.why_none or "the target does not declare it"
        pytest.skip(f"not applicable: needs {', '.join(missing)} ({why})")
    try:
        result = verdict.during_setup(lambda: scenario_runner.run(fixture))
    except SimulationError as error:
        verdict.on([Failure(rules.SIMULATION_PROTOCOL_ANSWERS, str(error))], f"scenario {fixture.id}")
    trace_diff = diff(fixture.expect, result.observed, result.context)
    for source in followed(fixture.follows, result.observed, result.context):
        follows(source, f"the trace of {fixture.id} shows this behaviour")
    failures = result.failures(api("texml").callback_encoding)
    attach_scenario(result, trace_diff, reporter.redact, failing=bool(failures))
    verdict.on(failures, f"scenario {fixture.id} ({fixture.rule})", ("", trace_diff, ""))


def check_meta(item):
    fixture = item.callspec.params["fixture"]
    return CheckMeta(FOLDER_AREAS.get(fixture.verb, AREA_VERBS), fixture.verb, fixture_facts(fixture))
