"""Bad input to the suite gets one clear error that says what to do, fast.

Each kind of bad input is checked where it is decided (option parsing, the probe, the
fixture and expectations loaders); a few runs of the suite as a user runs it prove the
error reaches the console as one line with exit status 4 and no traceback.
"""

import socket

import pytest

from conformance.core.target import TargetUnusable, probe
from conformance.gate import expectations
from conformance.options import read_options
from conformance.texml.fixtures import FixtureError, load_all
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from tests.suite_runner import CANARY_KEY, run_suite, run_suite_in_process

VALID_FIXTURE = "title: t\nrule: r\nseed: s\ndocuments: {start.xml: '<Response/>'}\nexpect: {requests: []}\n"


def _closed_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def _assert_one_clear_error(verdict, *phrases: str) -> None:
    assert verdict.returncode == 4, verdict.output
    assert not verdict.failures, "a usage error must not run checks"
    assert "Traceback" not in verdict.output
    for phrase in phrases:
        assert phrase in verdict.output


@pytest.mark.parametrize(
    ("args", "phrase"),
    [
        (["--target-url=ftp://example"], "is not an http(s) URL"),
        (["--target-url=http://127.0.0.1:notaport/v2", "--api-key=k"], "invalid port"),
        (["--target-url=http://127.0.0.1:8080/v2"], "needs an API key: pass --api-key"),
        (["--conformance", "--seed=abc"], "--seed='abc' must be an integer or 'random'"),
        (["--conformance", "--fuzz-examples=0"], "--fuzz-examples='0' must be an integer from 1"),
        (["--conformance", "--account-sid=a/b"], "--account-sid"),
        (["--conformance", "--profile=callcontrol"], "--profile='callcontrol' is not one of: contract, texml"),
        (["--conformance", "--expectations=missing.yaml"], "is not a file; `--write-expectations"),
        (["--conformance", "--harness-listen=nohost"], "must be HOST:PORT"),
    ],
    ids=["not http", "bad port", "no key", "bad seed", "zero examples", "account", "profile", "no file", "listen"],
)
def test_malformed_option_is_refused_with_the_fix(args, phrase, pytester, monkeypatch):
    monkeypatch.delenv("TELNYX_API_KEY", raising=False)
    config = pytester.parseconfig(*args)
    with pytest.raises(pytest.UsageError) as refused:
        read_options(config)
    assert phrase in str(refused.value)


def test_malformed_option_is_one_line_on_the_console(tmp_path):
    _assert_one_clear_error(run_suite(tmp_path, "--target-url=ftp://example"), "is not an http(s) URL")


def test_unreachable_target_is_refused_before_any_check_is_built(tmp_path):
    verdict = run_suite(tmp_path, f"--target-url=http://127.0.0.1:{_closed_port()}/v2", "--api-key=k")
    _assert_one_clear_error(verdict, "cannot reach the target", "--target-url")
    assert "collected" not in verdict.output, "the probe must come before collection"


def test_hanging_target_is_bounded_by_the_probe_timeout():
    # A socket that accepts connections but never answers.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/v2"
        with pytest.raises(TargetUnusable, match=r"did not answer within 0\.2 s"):
            probe(url, "k", {"account_sid": "AC1"}, timeout=0.2)


def test_refused_key_and_wrong_base_path_are_reported(tmp_path):
    with BackgroundServer(build_app(EmulatorSettings(api_key=CANARY_KEY))) as server:
        refused = run_suite_in_process(tmp_path, f"--target-url={server.url}/v2", "--api-key=wrong-key")
        wrong_path = run_suite_in_process(tmp_path, f"--target-url={server.url}", f"--api-key={CANARY_KEY}")
    _assert_one_clear_error(refused, "refused the API key", "--api-key")
    _assert_one_clear_error(wrong_path, "is the base path right?")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (VALID_FIXTURE.replace("<Response/>", "<Response><Pasue/></Response>"), "Pasue"),
        (VALID_FIXTURE.replace("<Response/>", '<Response><Pause length="181"/></Response>'), "length"),
        (VALID_FIXTURE.replace("requests: []", "request: []"), "request"),
        ("facts: [Pause@lenght]\n" + VALID_FIXTURE, "Pause@lenght"),
        ("proves: [pause/waits-in-slience]\n" + VALID_FIXTURE, "pause/waits-in-slience"),
        ("behaviours: [pause/default-one-second]\n" + VALID_FIXTURE, "rename the key to proves:"),
        ("callee: sips\n" + VALID_FIXTURE, "sips"),
        ("start: inbound\ncallee: sip\n" + VALID_FIXTURE, "callee"),
        ("party: {auth_challenge: {username: u}}\n" + VALID_FIXTURE, "password"),
        (VALID_FIXTURE.replace("expect:", "malformed: {media/a.wav: x}\nexpect:"), "media/a.wav"),
    ],
    ids=[
        "unknown verb",
        "attribute out of range",
        "unknown channel",
        "unknown catalogue fact",
        "unknown seed fact",
        "the key proves: had before 0.2",
        "unknown kind of callee",
        "callee of an inbound call",
        "challenge without a password",
        "a document at the harness's audio",
    ],
)
def test_fixture_with_a_typo_names_the_file_and_the_typo(text, phrase, tmp_path):
    folder = tmp_path / "texml" / "pause"
    folder.mkdir(parents=True)
    (folder / "typo.yaml").write_text(text)
    with pytest.raises(FixtureError) as refused:
        load_all(tmp_path)
    assert "typo.yaml" in str(refused.value) and phrase in str(refused.value)


def test_a_party_that_challenges_needs_the_call_offer(tmp_path):
    folder = tmp_path / "texml" / "call"
    folder.mkdir(parents=True)
    (folder / "auth.yaml").write_text("party: {auth_challenge: {username: u, password: p}}\n" + VALID_FIXTURE)
    assert {"call-offer", "parties"} <= load_all(tmp_path)[0].needs


def test_fixture_with_a_typo_is_one_line_on_the_console(tmp_path):
    folder = tmp_path / "scenarios" / "texml" / "pause"
    folder.mkdir(parents=True)
    (folder / "typo.yaml").write_text(VALID_FIXTURE.replace("<Response/>", "<Response><Pasue/></Response>"))
    verdict = run_suite_in_process(tmp_path, "--conformance", f"--fixtures-dir={tmp_path / 'scenarios'}")
    _assert_one_clear_error(verdict, "typo.yaml", "Pasue")


def test_malformed_expectations_entry_says_what_to_fix(tmp_path):
    path = tmp_path / "expectations.yaml"
    path.write_text("version: 1\nchecks:\n  auth/GetTexmlCalls/x: {expect: maybe}\n")
    with pytest.raises(expectations.ExpectationsError) as refused:
        expectations.load(path)
    assert "'maybe' is not one of" in str(refused.value) and "reason" in str(refused.value)


@pytest.mark.parametrize(
    ("args", "phrases"),
    [
        (["--check=texml/pause/no-such"], ["--check names no check", "texml/pause/no-such"]),
        (["--expectations=EXPECTATIONS"], ["names 1 check(s) that do not exist", "texml/pause/no-such"]),
    ],
    ids=["unknown --check", "expectations naming no check"],
)
def test_a_check_id_that_does_not_exist_is_one_clear_error(args, phrases, tmp_path):
    path = tmp_path / "expectations.yaml"
    path.write_text("version: 1\nchecks:\n  texml/pause/no-such: {expect: fail, reason: r}\n")
    args = [arg.replace("EXPECTATIONS", str(path)) for arg in args]
    _assert_one_clear_error(run_suite_in_process(tmp_path, "--conformance", "--collect-only", *args), *phrases)
