"""Bad input to the suite gets one clear error that says what to do, fast."""

import socket
import time

import pytest

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from tests.suite_runner import CANARY_KEY, run_suite

DEADLINE_S = 5.0


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _assert_one_clear_error(verdict, *phrases: str) -> None:
    assert verdict.returncode == 4, verdict.output
    assert not verdict.failures, "a usage error must not run checks"
    assert "Traceback" not in verdict.output
    for phrase in phrases:
        assert phrase in verdict.output


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["--target-url=ftp://example"], ["is not an http(s) URL"]),
        (["--target-url=http://127.0.0.1:notaport/v2", "--api-key=k"], ["invalid port"]),
        (["--target-url=http://127.0.0.1:8080/v2"], ["needs an API key", "--api-key"]),
        (["--conformance", "--seed=abc"], ["--seed='abc' must be an integer or 'random'"]),
        (["--conformance", "--fuzz-examples=0"], ["--fuzz-examples='0' must be an integer from 1"]),
        (["--conformance", "--account-sid=a/b"], ["--account-sid"]),
        (["--conformance", "--profile=callcontrol"], ["--profile='callcontrol' is not one of: contract, texml"]),
        (["--conformance", "--expectations=missing.yaml"], ["is not a file", "--write-expectations"]),
        (["--conformance", "--check=test_auth.py::test_nope"], ["--check names no check"]),
    ],
    ids=[
        "not http",
        "bad port",
        "no key",
        "bad seed",
        "zero examples",
        "account with slash",
        "unknown profile",
        "missing expectations",
        "unknown check",
    ],
)
def test_malformed_option(args, phrases, tmp_path):
    _assert_one_clear_error(run_suite(tmp_path, *args), *phrases)


def test_unreachable_target_fails_fast(tmp_path):
    started = time.monotonic()
    verdict = run_suite(tmp_path, f"--target-url=http://127.0.0.1:{_closed_port()}/v2", "--api-key=k")
    _assert_one_clear_error(verdict, "cannot reach the target", "--target-url")
    # The clock includes interpreter start and collection; the probe itself must answer well within it.
    assert time.monotonic() - started < 3 * DEADLINE_S


def test_refused_key_is_reported(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}/v2", "--api-key=wrong-key")
    _assert_one_clear_error(verdict, "refused the API key", "--api-key")


def test_wrong_base_path_is_reported(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        verdict = run_suite(tmp_path, f"--target-url={server.url}", f"--api-key={CANARY_KEY}")
    _assert_one_clear_error(verdict, "is the base path right?")


def test_hanging_target_is_bounded(tmp_path):
    # A socket that accepts connections but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        started = time.monotonic()
        verdict = run_suite(tmp_path, f"--target-url=http://127.0.0.1:{port}/v2", "--api-key=k")
    _assert_one_clear_error(verdict, "did not answer within")
    assert time.monotonic() - started < 3 * DEADLINE_S


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        (
            "title: t\nrule: r\nseed: s\ndocuments: {start.xml: '<Response><Pasue/></Response>'}\n"
            "expect: {requests: []}\n",
            ["typo.yaml", "Pasue"],
        ),
        (
            "title: t\nrule: r\nseed: s\ndocuments: {start.xml: '<Response><Pause length=\"181\"/></Response>'}\n"
            "expect: {requests: []}\n",
            ["typo.yaml", "length"],
        ),
        (
            "title: t\nrule: r\nseed: s\ndocuments: {start.xml: '<Response/>'}\nexpect: {request: []}\n",
            ["typo.yaml", "request"],
        ),
        (
            "title: t\nrule: r\nseed: s\nfacts: [Pause@lenght]\ndocuments: {start.xml: '<Response/>'}\n"
            "expect: {requests: []}\n",
            ["typo.yaml", "Pause@lenght"],
        ),
    ],
    ids=["unknown verb", "attribute out of range", "unknown channel", "unknown catalogue fact"],
)
def test_fixture_with_a_typo_is_one_clear_error(text, phrases, tmp_path):
    folder = tmp_path / "scenarios" / "texml" / "pause"
    folder.mkdir(parents=True)
    (folder / "typo.yaml").write_text(text)
    verdict = run_suite(tmp_path, "--conformance", f"--fixtures-dir={tmp_path / 'scenarios'}")
    assert verdict.returncode == 4, verdict.output[-2000:]
    assert "Traceback" not in verdict.output
    for phrase in phrases:
        assert phrase in verdict.output


@pytest.mark.parametrize(
    ("text", "phrases"),
    [
        ("version: 1\nchecks:\n  test_auth.py::test_x: {expect: maybe}\n", ["'maybe' is not one of", "reason"]),
        (
            "version: 1\nchecks:\n"
            "  test_texml.py::test_texml_scenario[texml/pause/no-such]: {expect: fail, reason: r}\n",
            ["names 1 check(s) that do not exist", "texml/pause/no-such"],
        ),
    ],
    ids=["malformed entry", "check that does not exist"],
)
def test_bad_expectations_file(text, phrases, tmp_path):
    path = tmp_path / "expectations.yaml"
    path.write_text(text)
    _assert_one_clear_error(run_suite(tmp_path, "--conformance", f"--expectations={path}"), *phrases)
