"""The release gate end to end: a known gap, its expectation, its fix; errors and profiles kept apart."""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import yaml

from conformance_emulator import EmulatorSettings, app, build_app
from conformance_emulator.server import BackgroundServer
from tests.mutants import MUTANTS
from tests.suite_runner import CANARY_KEY, run_suite_in_process

GAP = next(mutant for mutant in MUTANTS if mutant.name == "pause default 2 s")
GAP_CHECK = "texml/pause/default-length"
ONLY_PAUSE = ("-k", "pause")


@contextmanager
def serving(app: Any) -> Iterator[tuple[str, ...]]:
    with BackgroundServer(app) as server:
        yield (f"--target-url={server.url}/v2", f"--api-key={CANARY_KEY}")


def test_known_gap_fails_the_gate_until_expected_and_is_reported_once_fixed(tmp_path):
    expectations = tmp_path / "expectations.yaml"
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY), GAP.behaviour())) as target:
        gap = run_suite_in_process(tmp_path, *target, *ONLY_PAUSE, f"--write-expectations={expectations}")
        adopted = run_suite_in_process(tmp_path, *target, *ONLY_PAUSE, f"--expectations={expectations}")
    assert gap.returncode == 1 and gap.outcomes()[GAP_CHECK] == "failed", gap.output[-3000:]
    assert list(yaml.safe_load(expectations.read_text())["checks"]) == [GAP_CHECK]
    assert adopted.returncode == 0, adopted.output[-3000:]
    assert adopted.outcomes()[GAP_CHECK] == "expected failure"
    assert adopted.summary["gate"] == {"passed": True, "unexpected": []}

    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY))) as fixed:
        lenient = run_suite_in_process(tmp_path, *fixed, *ONLY_PAUSE, f"--expectations={expectations}")
        strict = run_suite_in_process(
            tmp_path, *fixed, *ONLY_PAUSE, f"--expectations={expectations}", "--strict-expectations"
        )
    assert lenient.returncode == 0 and lenient.outcomes()[GAP_CHECK] == "unexpected pass"
    assert f"1 unexpected pass(es): fixed? remove them from {expectations}" in lenient.output
    assert strict.returncode == 1 and strict.summary["gate"]["unexpected"] == [GAP_CHECK]


def test_old_style_expectations_keep_working_with_a_warning(tmp_path):
    old_key = "test_texml.py::test_texml_scenario[texml/pause/default-length]"
    expectations = tmp_path / "expectations.yaml"
    expectations.write_text(yaml.safe_dump({"version": 1, "checks": {old_key: {"expect": "fail", "reason": "2 s"}}}))
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY), GAP.behaviour())) as target:
        verdict = run_suite_in_process(tmp_path, *target, *ONLY_PAUSE, f"--expectations={expectations}")
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert verdict.outcomes()[GAP_CHECK] == "expected failure"
    assert f"{old_key} is now {GAP_CHECK}" in verdict.output


def test_not_supported_checks_are_not_applicable_never_passed(tmp_path):
    expectations = tmp_path / "expectations.yaml"
    entry = {"expect": "not-supported", "reason": "no Pause yet", "issue": "https://example.com/issues/7"}
    expectations.write_text(yaml.safe_dump({"version": 1, "checks": {GAP_CHECK: entry}}))
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY), GAP.behaviour())) as target:
        verdict = run_suite_in_process(tmp_path, *target, *ONLY_PAUSE, f"--expectations={expectations}")
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert verdict.outcomes()[GAP_CHECK] == "not applicable"
    detail = next(check["detail"] for check in verdict.summary["checks"] if check["id"] == GAP_CHECK)
    assert "no Pause yet (https://example.com/issues/7)" in detail


def test_contract_profile_makes_texml_checks_not_applicable(tmp_path):
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY))) as target:
        verdict = run_suite_in_process(
            tmp_path, *target, "--profile=contract", "-k", "pause or test_refuses_bad_credentials"
        )
    assert verdict.returncode == 0, verdict.output[-3000:]
    rows = {(row["area"], row["subject"]): row for row in verdict.summary["areas"]}
    assert rows["TeXML verbs", None]["not applicable"] == 3 and rows["TeXML verbs", None]["passed"] == 0
    assert rows["TeXML verbs", None]["conformance_percent"] is None
    assert rows["Authentication", None]["passed"] == 15


def drops_connection_on_call_reads(app: Callable) -> Callable:
    """The target's process dies mid-answer on an authenticated GET of one call: the exchange never completes."""

    async def wrapped(scope: dict, receive: Callable, send: Callable) -> None:
        authorized = (b"authorization", f"Bearer {CANARY_KEY}".encode()) in scope.get("headers", [])
        if scope["type"] == "http" and scope["method"] == "GET" and "/Calls/" in scope["path"] and authorized:
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"100")]})
            raise ConnectionAbortedError("the target's worker died")
        await app(scope, receive, send)

    return wrapped


def test_a_broken_connection_is_an_error_not_a_conformance_failure(tmp_path):
    app = drops_connection_on_call_reads(build_app(EmulatorSettings(api_key=CANARY_KEY)))
    with serving(app) as target:
        verdict = run_suite_in_process(tmp_path, *target, "-k", "test_created_call_is_retrievable")
    check = "calls/GetTexmlCall/created-call-is-retrievable"
    assert verdict.returncode == 1, verdict.output[-3000:]
    assert verdict.outcomes() == {check: "error"}
    assert verdict.summary["totals"]["failed"] == 0 and verdict.summary["totals"]["error"] == 1
    assert "InfrastructureError" in json.dumps(verdict.summary["checks"])


def test_a_target_without_call_control_gets_its_checks_as_not_applicable(tmp_path):
    settings = EmulatorSettings(api_key=CANARY_KEY, callcontrol=False)
    with serving(build_app(settings)) as target:
        verdict = run_suite_in_process(tmp_path, *target, "-k", "SpeakCall or auth/GetTexmlCalls or call-control-call")
    assert verdict.returncode == 0, verdict.output[-3000:]
    outcomes = verdict.outcomes()
    call_control = {check: outcome for check, outcome in outcomes.items() if "SpeakCall" in check}
    assert call_control and set(call_control.values()) == {"not applicable"}
    # TeXML checks that need a Call Control call to keep apart have nothing to judge either.
    apart = {check: outcome for check, outcome in outcomes.items() if "call-control-call" in check}
    assert len(apart) == 3 and set(apart.values()) == {"not applicable"}, apart
    assert outcomes["auth/GetTexmlCalls/wrong-bearer-key"] == "passed"
    rows = {(row["area"], row["subject"]): row for row in verdict.summary["areas"]}
    assert rows["Call Control", None]["failed"] == 0 and rows["Call Control", None]["conformance_percent"] is None


def test_a_target_on_protocol_1_2_gets_the_refusal_scenarios_as_not_applicable(tmp_path, monkeypatch):
    # Such a target would refuse the party scripts (unknown members): the scenarios must never get that far.
    new = {"callcontrol-refer-refusal", "callcontrol-recording-failure"}
    monkeypatch.setattr(app, "CALLCONTROL_CAPABILITIES", [c for c in app.CALLCONTROL_CAPABILITIES if c not in new])
    checks = {
        "callcontrol/refer/sip-refer-progress": "passed",
        "callcontrol/refer/refused-by-the-far-end": "not applicable",
        "callcontrol/record_start/storage-failure-reported": "not applicable",
    }
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY))) as target:
        verdict = run_suite_in_process(tmp_path, *target, *(f"--check={check}" for check in checks))
    assert verdict.returncode == 0, verdict.output[-3000:]
    assert verdict.outcomes() == checks
    skipped = {check for check, outcome in checks.items() if outcome == "not applicable"}
    assert set(verdict.skipped) == skipped, verdict.skipped
    assert all("needs callcontrol-re" in reason for reason in verdict.skipped.values()), verdict.skipped


def test_baseline_shows_what_broke_and_what_was_fixed_since(tmp_path):
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY))) as fixed:
        before = run_suite_in_process(tmp_path, *fixed, *ONLY_PAUSE)
    previous = tmp_path / "previous-summary.json"
    previous.write_text(json.dumps(before.summary))
    with serving(build_app(EmulatorSettings(api_key=CANARY_KEY), GAP.behaviour())) as broken:
        after = run_suite_in_process(tmp_path, *broken, *ONLY_PAUSE, f"--baseline={previous}")
    changes = after.summary["baseline"]
    assert changes["new_failures"] == [GAP_CHECK] and changes["fixed"] == []
    assert changes["added"] == changes["removed"] == []
    assert f"since {previous}:" in after.output and f"    {GAP_CHECK}" in after.output
