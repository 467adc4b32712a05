"""The suite awake: options read, the target opened before any check is built, fixtures for the checks.

Registered as a pytest plugin by conformance.plugin only in a conformance run.
"""

import shlex
import sys
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.callcontrol.fixtures import CALL_CONTROL_FIXTURES
from conformance.callcontrol.runner import CallControlRunner
from conformance.core.harness import Harness
from conformance.core.meta import CHECKS_DIR, DEFAULT_PROFILE
from conformance.core.redact import Redactor
from conformance.core.simulation import Capabilities, discover
from conformance.core.target import EmbeddedEmulator, Target, TargetUnusable, open_target
from conformance.core.verdict import Verdict
from conformance.gate import expectations, reporting
from conformance.gate.baseline import BaselineError
from conformance.gate.gate import CHECK_ID, Gate
from conformance.gate.reporting import Reporter
from conformance.options import (
    DEFAULT_ACCOUNT_SID,
    DEFAULT_REQUEST_TIMEOUT_S,
    DEFAULT_SCENARIO_TIMEOUT_S,
    OPTIONS,
    RunOptions,
    options_of,
)
from conformance.texml.fixtures import FIXTURES, FixtureError, default_dir, load_all
from conformance.texml.scenario import ScenarioRunner
from conformance_specs.apis import api

TARGET = pytest.StashKey[Target]()
EMULATOR = pytest.StashKey[EmbeddedEmulator | None]()
GATE = pytest.StashKey[Gate]()
CHECKS_NODE_PREFIX = "conformance/checks/"


def start(config: pytest.Config, options: RunOptions) -> None:
    """Register the suite's hooks, fixtures and gate for a run with these (checked) options."""
    config.stash[OPTIONS] = options
    if config.args_source is not pytest.Config.ArgsSource.ARGS:
        # The suite's checks run, not the project's testpaths: say so in the header too.
        config.args = [str(CHECKS_DIR)]
        config.args_source = pytest.Config.ArgsSource.ARGS
    try:
        loaded = expectations.load(options.expectations) if options.expectations else expectations.Loaded({}, {})
    except expectations.ExpectationsError as error:
        raise pytest.UsageError(f"texml-conformance: {error}") from None
    if loaded.migrated:
        old, new = next(iter(loaded.migrated.items()))
        config.issue_config_time_warning(
            pytest.PytestConfigWarning(
                f"texml-conformance: {options.expectations} keys {len(loaded.migrated)} check(s) by ids they had "
                f"before (pytest node ids, or a check id renamed since), read as today's ids "
                f"(e.g. {old} is now {new}); "
                f"rewrite it with --write-expectations={options.expectations}"
            ),
            stacklevel=2,
        )
    try:
        config.stash[GATE] = Gate(options, loaded.entries, target_label(options))
    except BaselineError as error:
        raise pytest.UsageError(f"texml-conformance: {error}") from None
    config.pluginmanager.register(config.stash[GATE], "texml-conformance-gate")
    config.pluginmanager.register(sys.modules[__name__], "texml-conformance-session")


def target_label(options: RunOptions) -> str:
    """The target as reports show it: never with credentials."""
    if options.target_url is None:
        return "embedded reference emulator"
    parts = urlsplit(options.target_url)
    host_and_port = parts.netloc.rpartition("@")[2]  # user:password@ removed, [IPv6] brackets kept
    return urlunsplit((parts.scheme, host_and_port, parts.path, "", ""))


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = options_of(config)
    return [
        f"texml-conformance: target={target_label(options)} seed={options.seed} fuzz-examples={options.fuzz_examples} "
        f"profile={options.profile} expectations={options.expectations or 'none'}"
    ]


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Open the target before any check is built (a remote one was already probed at configure time)."""
    config = session.config
    options = options_of(config)
    if config.option.collectonly or _is_xdist_controller(config):
        return  # under xdist the workers open the target
    try:
        config.stash[TARGET], config.stash[EMULATOR] = open_target(options)
        config.stash[GATE].target_apis = config.stash[TARGET].apis
    except TargetUnusable as error:
        raise pytest.UsageError(f"texml-conformance: {error}") from None


def _is_xdist_controller(config: pytest.Config) -> bool:
    return not hasattr(config, "workerinput") and config.getoption("dist", "no") != "no"


@pytest.hookimpl(tryfirst=True)
def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Module | None:
    """Name the check modules by the package they ship in, wherever it is installed.

    pytest names a module by its path from the rootdir, so an installed suite would print
    (and write into Allure full names and --lf caches) ``.tox/.../site-packages/conformance/...``.
    """
    if module_path.parent != CHECKS_DIR:
        return None
    return pytest.Module.from_parent(parent, path=module_path, nodeid=f"{CHECKS_NODE_PREFIX}{module_path.name}")


@pytest.hookimpl(tryfirst=True)
def pytest_collection(session: pytest.Session) -> None:
    """Load and check the scenario files before the checks that run them are built."""
    options = options_of(session.config)
    folder = options.fixtures_dir or default_dir()
    try:
        session.config.stash[FIXTURES] = load_all(folder)
        session.config.stash[CALL_CONTROL_FIXTURES] = callcontrol_fixtures.load_all(folder, api("callcontrol"))
    except FixtureError as error:
        raise pytest.UsageError(f"texml-conformance: bad fixture: {error}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    emulator = config.stash.get(EMULATOR, None)
    if emulator is not None:
        emulator.stop()


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config) -> Target:
    """The implementation under test (started or probed once per session)."""
    return pytestconfig.stash[TARGET]


@pytest.fixture(scope="session")
def redact(target: Target) -> Redactor:
    return Redactor([target.api_key])


@pytest.fixture(scope="session")
def reporter(redact: Redactor) -> Reporter:
    return Reporter(redact)


@pytest.fixture
def follows(request: pytest.FixtureRequest) -> Callable[[str, str], None]:
    """``follows(source, why)``: which of several documented behaviours the target showed (errata E-130 on)."""
    return partial(reporting.follows, request.node)


@pytest.fixture
def verdict(redact: Redactor, request: pytest.FixtureRequest) -> Verdict:
    """Raises the check's failure, with the line that reruns exactly this check."""
    options = options_of(request.config)
    return Verdict(redact, rerun_command(options), request.node.stash[CHECK_ID])


def rerun_command(options: RunOptions) -> str:
    """The command that reruns a check exactly: every option that changes what runs or how (key left out)."""
    parts = ["pytest", "--conformance" if options.embedded else f"--target-url={target_label(options)} --api-key=KEY"]
    parts += [f"--seed={options.seed}", f"--fuzz-examples={options.fuzz_examples}"]
    for name, value, default in _changed_options(options):
        if value != default:
            parts.append(name if value is True else f"{name}={shlex.quote(str(value))}")
    return " ".join(parts)


def _changed_options(options: RunOptions) -> list[tuple[str, object, object]]:
    """(option, value in this run, its default); paths absolute, so the line works from any folder."""

    def absolute(path: Path | None) -> str | None:
        return None if path is None else str(path.resolve())

    return [
        ("--account-sid", options.account_sid, DEFAULT_ACCOUNT_SID),
        ("--application-sid", options.application_sid, None),
        ("--connection-id", options.connection_id, None),
        ("--callback-url", options.callback_url, None),
        ("--harness-listen", ":".join(map(str, options.harness_listen)), "127.0.0.1:0"),
        ("--fixtures-dir", absolute(options.fixtures_dir), None),
        ("--profile", options.profile, DEFAULT_PROFILE),
        ("--request-timeout", options.request_timeout, DEFAULT_REQUEST_TIMEOUT_S),
        ("--scenario-timeout", options.scenario_timeout, DEFAULT_SCENARIO_TIMEOUT_S),
        ("--expectations", absolute(options.expectations), None),
        ("--strict-expectations", options.strict_expectations, False),
        ("--no-shrink", not options.fuzz_shrink, False),
    ]


@pytest.fixture(scope="session")
def capabilities(target: Target, pytestconfig: pytest.Config) -> Capabilities:
    """What the target declared through the simulation control protocol (discovered once)."""
    found = discover(target)
    pytestconfig.stash[GATE].note_capabilities(sorted(found.names))
    return found


@pytest.fixture(scope="session")
def harness(pytestconfig: pytest.Config) -> Iterator[Harness]:
    options = options_of(pytestconfig)
    host, port = options.harness_listen
    harness = Harness(public_url=options.callback_url, host=host, port=port).start()
    yield harness
    harness.stop()


@pytest.fixture(scope="session")
def scenario_runner(
    target: Target, harness: Harness, capabilities: Capabilities, pytestconfig: pytest.Config
) -> Iterator[ScenarioRunner]:
    settles = "settled" in capabilities.names
    with target.client() as client:
        yield ScenarioRunner(target, harness, client, options_of(pytestconfig).scenario_timeout, settles)


@pytest.fixture(scope="session")
def callcontrol_runner(
    target: Target, harness: Harness, capabilities: Capabilities, pytestconfig: pytest.Config
) -> CallControlRunner:
    return CallControlRunner(
        api("callcontrol"), target, harness, capabilities, options_of(pytestconfig).scenario_timeout
    )
