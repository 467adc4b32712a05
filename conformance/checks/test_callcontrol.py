"""Call Control semantics: one check per scenario file in fixtures/call-control/."""

import json

import allure
import pytest

from conformance.callcontrol.fixtures import fixtures_of
from conformance.core.meta import AREA_CALL_CONTROL, CheckMeta, callback_event_fact, seed_fact
from conformance.core.trace import diff


def pytest_generate_tests(metafunc):
    fixtures = fixtures_of(metafunc.config)
    metafunc.parametrize("fixture", fixtures, ids=[fixture.check_id for fixture in fixtures])


def test_callcontrol_scenario(fixture, capabilities, callcontrol_runner, reporter, verdict, follows):
    reporter.rule(fixture.rule)
    allure.dynamic.title(fixture.title)
    allure.dynamic.description(f"Rule: {fixture.rule}\n\nSource: {fixture.seed}\n\nScenario file: {fixture.id}.yaml")
    missing = capabilities.missing(fixture.needs)
    if missing:
        why = capabilities.why_none or "the target does not declare it"
        pytest.skip(f"not applicable: needs {', '.join(missing)} ({why})")
    result = verdict.during_setup(lambda: callcontrol_runner.run(fixture))
    trace_diff = diff(fixture.expect, result.observed, result.context)
    allure.attach(
        reporter.redact(json.dumps(result.observed.channels, indent=2)), "observed trace", allure.attachment_type.JSON
    )
    if result.failures:  # a passing scenario's trace is the expected one: no diff to read
        allure.attach(reporter.redact(trace_diff), "expected vs actual trace", allure.attachment_type.TEXT)
    if result.follows and not result.failures:
        follows(result.follows, f"the trace of {fixture.id} shows this behaviour")
    verdict.on(result.failures, f"scenario {fixture.id} ({fixture.rule})", ("", trace_diff, ""))


def check_meta(item):
    fixture = item.callspec.params["fixture"]
    events = {entry["event_type"] for entry in fixture.expect.get("webhooks", ()) if "event_type" in entry}
    facts = {callback_event_fact("webhook", event) for event in events} | set(map(seed_fact, fixture.proves))
    return CheckMeta(AREA_CALL_CONTROL, fixture.command.capitalize(), frozenset(facts), "callcontrol")
