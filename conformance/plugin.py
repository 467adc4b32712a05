"""The pytest plugin: options, the target, and collection of the conformance checks."""

from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

from conformance import expectations, runtime
from conformance.fixtures import FixtureError, default_dir, load_all
from conformance.gate import Gate
from conformance.harness import Harness
from conformance.meta import CHECKS_DIR, is_check
from conformance.options import RunOptions, add_options, read_options
from conformance.redact import Redactor
from conformance.reporting import Reporter
from conformance.scenario import ScenarioRunner
from conformance.simulation import Capabilities, discover
from conformance.target import EmbeddedEmulator, Target, TargetUnusable, open_target

OPTIONS = pytest.StashKey[RunOptions]()
TARGET = pytest.StashKey[Target]()
EMULATOR = pytest.StashKey[EmbeddedEmulator | None]()
GATE = pytest.StashKey[Gate]()


def pytest_addoption(parser: pytest.Parser) -> None:
    add_options(parser)


def pytest_configure(config: pytest.Config) -> None:
    options = read_options(config)
    config.stash[OPTIONS] = options
    runtime.set_options(options)
    wants_checks = options.target_url is not None or config.getoption("--conformance")
    if wants_checks and config.args_source is not pytest.Config.ArgsSource.ARGS:
        config.args = [str(CHECKS_DIR)]
    try:
        runtime.set_fixtures(load_all(options.fixtures_dir or default_dir()))
    except FixtureError as error:
        raise pytest.UsageError(f"texml-conformance: bad fixture: {error}") from None
    try:
        expected = expectations.load(options.expectations) if options.expectations else {}
    except expectations.ExpectationsError as error:
        raise pytest.UsageError(f"texml-conformance: {error}") from None
    config.addinivalue_line("markers", "operation(operation_id): the REST operation a hand-written check exercises")
    config.stash[GATE] = Gate(options, expected, target_label(options))
    config.pluginmanager.register(config.stash[GATE], "texml-conformance-gate")


def target_label(options: RunOptions) -> str:
    """The target as reports show it: never with credentials."""
    if options.target_url is None:
        return "embedded reference emulator"
    parts = urlsplit(options.target_url)
    host_and_port = parts.netloc.rpartition("@")[2]  # user:password@ removed, [IPv6] brackets kept
    return urlunsplit((parts.scheme, host_and_port, parts.path, "", ""))


def pytest_report_header(config: pytest.Config) -> list[str]:
    options = config.stash[OPTIONS]
    target = target_label(options)
    return [
        f"texml-conformance: target={target} seed={options.seed} fuzz-examples={options.fuzz_examples} "
        f"profile={options.profile} expectations={options.expectations or 'none'}"
    ]


def pytest_collection_finish(session: pytest.Session) -> None:
    if session.config.option.collectonly or not any(map(is_check, session.items)):
        return
    config = session.config
    try:
        target, emulator = open_target(config.stash[OPTIONS])
    except TargetUnusable as error:
        pytest.exit(f"texml-conformance: {error}", returncode=pytest.ExitCode.USAGE_ERROR)
    config.stash[TARGET], config.stash[EMULATOR] = target, emulator


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
def reporter(redact: Redactor, pytestconfig: pytest.Config) -> Reporter:
    return Reporter(redact, rerun_command(pytestconfig.stash[OPTIONS]))


def rerun_command(options: RunOptions) -> str:
    """The command that reruns one check against the same target with the same seed (key left out)."""
    target = "--conformance" if options.target_url is None else f"--target-url={target_label(options)} --api-key=KEY"
    return f"pytest {target} --seed={options.seed} --fuzz-examples={options.fuzz_examples}"


@pytest.fixture(scope="session")
def capabilities(target: Target, pytestconfig: pytest.Config) -> Capabilities:
    """What the target declared through the simulation control protocol (discovered once)."""
    found = discover(target)
    pytestconfig.stash[GATE].note_capabilities(sorted(found.names))
    return found


@pytest.fixture(scope="session")
def harness(pytestconfig: pytest.Config) -> Iterator[Harness]:
    options = pytestconfig.stash[OPTIONS]
    host, port = options.harness_listen
    harness = Harness(public_url=options.callback_url, host=host, port=port).start()
    yield harness
    harness.stop()


@pytest.fixture(scope="session")
def scenario_runner(target: Target, harness: Harness, pytestconfig: pytest.Config) -> Iterator[ScenarioRunner]:
    with target.client() as client:
        yield ScenarioRunner(target, harness, client, pytestconfig.stash[OPTIONS].scenario_timeout)
