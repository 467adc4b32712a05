"""What the report records about a TeXML scenario: its description, what was served and what was observed."""

import json

import allure

from conformance.core.redact import Redactor
from conformance.texml.fixtures import Fixture
from conformance.texml.scenario import ScenarioResult

TEXT = allure.attachment_type.TEXT
XML = allure.attachment_type.XML
JSON = allure.attachment_type.JSON


def describe_fixture(fixture: Fixture) -> None:
    allure.dynamic.title(fixture.title)
    allure.dynamic.description(f"Rule: {fixture.rule}\n\nSource: {fixture.seed}\n\nScenario file: {fixture.id}.yaml")
    allure.dynamic.parameter("fixture", fixture.id)
    allure.dynamic.label("verb", fixture.verb)
    for fact in fixture.facts:
        allure.dynamic.label("fact", fact)


def attach_scenario(result: ScenarioResult, trace_diff: str, redact: Redactor, failing: bool) -> None:
    for path, text in result.scenario.documents.items():
        allure.attach(redact(text), f"document served: {path}", XML)
    recorded = "\n".join(request.describe() for request in result.scenario.snapshot())
    allure.attach(redact(recorded or "(none)"), "requests the target made", TEXT)
    timeline = json.dumps(result.observed.timeline, indent=2) if result.observed.timeline else "(not observed)"
    allure.attach(redact(timeline), "timeline", JSON if result.observed.timeline else TEXT)
    if failing:  # a passing scenario's trace is the expected one: no diff to read
        allure.attach(redact(trace_diff), "expected vs actual trace", TEXT)
