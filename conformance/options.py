"""The suite's command-line options, read once and checked before anything runs.

Imported whenever pytest starts in an environment with the suite installed, so it
imports nothing beyond pytest and the standard library.
"""

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from conformance.core.meta import DEFAULT_PROFILE, PROFILES

if TYPE_CHECKING:
    from conformance_specs.apis import Api

DEFAULT_SEED = 20261121
DEFAULT_FUZZ_EXAMPLES = 25
MAX_FUZZ_EXAMPLES = 10_000
DEFAULT_REQUEST_TIMEOUT_S = 5.0
MAX_REQUEST_TIMEOUT_S = 120.0
DEFAULT_SCENARIO_TIMEOUT_S = 10.0
DEFAULT_ACCOUNT_SID = "AC00000000000000000000000000000000"
DEFAULT_SUMMARY_JSON = Path("reports/summary.json")


@dataclass(frozen=True)
class RunOptions:
    target_url: str | None
    api_key: str | None
    account_sid: str
    application_sid: str | None
    callback_url: str | None
    seed: int
    fuzz_examples: int
    request_timeout: float
    fixtures_dir: Path | None = None
    scenario_timeout: float = DEFAULT_SCENARIO_TIMEOUT_S
    harness_listen: tuple[str, int] = ("127.0.0.1", 0)
    profile: str = DEFAULT_PROFILE
    expectations: Path | None = None
    strict_expectations: bool = False
    write_expectations: Path | None = None
    summary_json: Path = DEFAULT_SUMMARY_JSON
    checks: tuple[str, ...] = ()
    fuzz_shrink: bool = True
    connection_id: str | None = None
    baseline: Path | None = None

    @property
    def embedded(self) -> bool:
        """No target given: the suite runs against its own reference emulator."""
        return self.target_url is None


OPTIONS = pytest.StashKey[RunOptions]()


def options_of(config: pytest.Config) -> RunOptions:
    """The options of the running session (read by the plugin at configure time)."""
    return config.stash[OPTIONS]


def apis_of(config: pytest.Config) -> "tuple[Api, ...]":
    """The APIs this session judges: every API value in specs/apis.yaml."""
    from conformance_specs.apis import all_apis

    return all_apis()


def wants_checks(config: pytest.Config) -> bool:
    """Whether this pytest run is a conformance run (the plugin stays asleep otherwise)."""
    return config.getoption("--target-url") is not None or bool(config.getoption("--conformance"))


def add_options(parser: pytest.Parser) -> None:
    group = parser.getgroup("texml-conformance", "TeXML / Call Control conformance suite")
    group.addoption(
        "--target-url",
        help="Base URL of the implementation under test, e.g. http://127.0.0.1:8080/v2. "
        "Without it the suite starts its reference emulator on a loopback port.",
    )
    group.addoption("--api-key", help="Bearer key for the target (default: $TELNYX_API_KEY).")
    group.addoption("--account-sid", default=DEFAULT_ACCOUNT_SID, help="Account used in /texml/Accounts/{sid} paths.")
    group.addoption("--application-sid", help="TeXML application for calls; created on the target when omitted.")
    group.addoption("--connection-id", help="Call Control application for Dial; created on the target when omitted.")
    group.addoption("--callback-url", help="URL at which the target reaches this suite's harness (remote targets).")
    group.addoption(
        "--seed",
        default=str(DEFAULT_SEED),
        help=f"Seed for generated cases: an integer, or 'random' "
        f"(default {DEFAULT_SEED}; the seed used is printed in the header).",
    )
    group.addoption(
        "--fuzz-examples",
        default=str(DEFAULT_FUZZ_EXAMPLES),
        help=f"Generated cases per operation and mode (default {DEFAULT_FUZZ_EXAMPLES}).",
    )
    group.addoption(
        "--no-shrink",
        action="store_true",
        help="Report a failing generated request as found, without minimising it first (faster).",
    )
    group.addoption(
        "--request-timeout",
        default=str(DEFAULT_REQUEST_TIMEOUT_S),
        help=f"Seconds to wait for each answer (default {DEFAULT_REQUEST_TIMEOUT_S}).",
    )
    group.addoption(
        "--harness-listen",
        default="127.0.0.1:0",
        help="HOST:PORT the harness listens on (default 127.0.0.1 and a free port; "
        "with --callback-url, that URL's port).",
    )
    group.addoption("--fixtures-dir", help="Folder of scenario files (default: the suite's own fixtures/).")
    group.addoption(
        "--scenario-timeout",
        default=str(DEFAULT_SCENARIO_TIMEOUT_S),
        help=f"Wall seconds a TeXML scenario may take before it fails (default {DEFAULT_SCENARIO_TIMEOUT_S}).",
    )
    group.addoption(
        "--profile",
        default=DEFAULT_PROFILE,
        help=f"Which checks apply: {' or '.join(PROFILES)} (default {DEFAULT_PROFILE}); "
        "checks outside it are reported as not applicable.",
    )
    group.addoption(
        "--expectations",
        help="YAML file of checks the target is known to fail or not support; the gate fails only on others.",
    )
    group.addoption(
        "--strict-expectations",
        action="store_true",
        help="Fail the gate when a check the expectations file says fails now passes (an unexpected pass).",
    )
    group.addoption(
        "--write-expectations",
        help="Write this run's failures (and still-expected ones) to PATH as an expectations file.",
    )
    group.addoption(
        "--summary-json",
        default=str(DEFAULT_SUMMARY_JSON),
        help=f"Where to write the per-area summary and coverage matrix (default {DEFAULT_SUMMARY_JSON}).",
    )
    group.addoption(
        "--check",
        action="append",
        default=[],
        help="Run only this check (its id as printed in failures and the summary); repeatable.",
    )
    group.addoption(
        "--baseline",
        help="A previous run's summary.json: print and write what changed since (new failures, fixes, "
        "checks added or removed, coverage gained or lost).",
    )
    group.addoption("--conformance", action="store_true", help="Run the conformance checks (implied by --target-url).")


def read_options(config: pytest.Config) -> RunOptions:
    """The options as typed; raises pytest.UsageError with the fix when one is malformed."""
    target_url = config.getoption("--target-url")
    if target_url is not None:
        target_url = _checked_url("--target-url", target_url)
    callback_url = config.getoption("--callback-url")
    if callback_url is not None:
        callback_url = _checked_url("--callback-url", callback_url)
    api_key = config.getoption("--api-key") or os.environ.get("TELNYX_API_KEY")
    if target_url is not None and not api_key:
        raise pytest.UsageError("--target-url needs an API key: pass --api-key=KEY or set TELNYX_API_KEY.")
    return RunOptions(
        target_url=target_url,
        api_key=api_key,
        account_sid=_checked_text("--account-sid", config.getoption("--account-sid")),
        application_sid=config.getoption("--application-sid"),
        callback_url=callback_url,
        seed=_checked_seed(config.getoption("--seed")),
        fuzz_examples=_checked_count("--fuzz-examples", config.getoption("--fuzz-examples")),
        request_timeout=_checked_timeout("--request-timeout", config.getoption("--request-timeout")),
        fixtures_dir=_checked_folder(config.getoption("--fixtures-dir")),
        scenario_timeout=_checked_timeout("--scenario-timeout", config.getoption("--scenario-timeout")),
        harness_listen=_checked_listen(config.getoption("--harness-listen"), callback_url),
        profile=_checked_profile(config.getoption("--profile")),
        expectations=_checked_file("--expectations", config.getoption("--expectations")),
        strict_expectations=config.getoption("--strict-expectations"),
        write_expectations=_optional_path(config.getoption("--write-expectations")),
        summary_json=Path(config.getoption("--summary-json")),
        checks=tuple(config.getoption("--check")),
        fuzz_shrink=not config.getoption("--no-shrink"),
        connection_id=config.getoption("--connection-id"),
        baseline=_checked_file("--baseline", config.getoption("--baseline"), "give the summary.json of an earlier run"),
    )


def _checked_url(name: str, value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise pytest.UsageError(f"{name}={value!r} is not an http(s) URL; expected e.g. http://127.0.0.1:8080/v2")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError:
        raise pytest.UsageError(
            f"{name}={value!r} has an invalid port; expected e.g. http://127.0.0.1:8080/v2"
        ) from None
    return value.rstrip("/")


def _checked_text(name: str, value: str) -> str:
    if not value or "/" in value or value.strip() != value:
        raise pytest.UsageError(f"{name}={value!r} must be a non-empty identifier without '/' or spaces.")
    return value


def _checked_seed(value: str) -> int:
    if value == "random":
        return secrets.randbelow(2**32)
    try:
        return int(value)
    except ValueError:
        raise pytest.UsageError(f"--seed={value!r} must be an integer or 'random'.") from None


def _checked_count(name: str, value: str) -> int:
    try:
        count = int(value)
    except ValueError:
        count = 0
    if not 1 <= count <= MAX_FUZZ_EXAMPLES:
        raise pytest.UsageError(f"{name}={value!r} must be an integer from 1 to {MAX_FUZZ_EXAMPLES}.")
    return count


def _checked_timeout(name: str, value: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds <= MAX_REQUEST_TIMEOUT_S:
        raise pytest.UsageError(f"{name}={value!r} must be a number of seconds, above 0, at most 120.")
    return seconds


def _checked_folder(value: str | None) -> Path | None:
    if value is None:
        return None
    if not Path(value).is_dir():
        raise pytest.UsageError(f"--fixtures-dir={value!r} is not a folder.")
    return Path(value)


def _checked_profile(value: str) -> str:
    if value not in PROFILES:
        raise pytest.UsageError(f"--profile={value!r} is not one of: {', '.join(PROFILES)}.")
    return value


def _checked_file(
    name: str, value: str | None, hint: str = "`--write-expectations=PATH` writes one from a run"
) -> Path | None:
    if value is None:
        return None
    if not Path(value).is_file():
        raise pytest.UsageError(f"{name}={value!r} is not a file; {hint}.")
    return Path(value)


def _optional_path(value: str | None) -> Path | None:
    return None if value is None else Path(value)


def _checked_listen(value: str, callback_url: str | None) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise pytest.UsageError(f"--harness-listen={value!r} must be HOST:PORT, e.g. 127.0.0.1:8765.")
    if int(port) == 0 and callback_url is not None:
        # The target reaches the harness at --callback-url, so listen on that URL's port.
        return host, urlsplit(callback_url).port or 80
    return host, int(port)
