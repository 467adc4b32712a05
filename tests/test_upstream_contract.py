"""schemathesis with every check against the reference emulator: on this project's TeXML contract it finds
nothing; on the upstream slice, only failures an errata entry explains, and each errata marker still explains one.
"""

import json
from pathlib import Path

import pytest
import yaml

from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer
from conformance_specs import load, path
from conformance_specs.apis import api
from tests.faulty import rewrite_responses
from tests.suite_runner import CANARY_KEY
from tests.upstream_contract import (
    ERRATA,
    SLICE,
    Failure,
    RunError,
    covered_operations,
    dump,
    extract,
    judge,
    markers,
    read_report,
    run_schemathesis,
)

ROOT = Path(__file__).resolve().parents[1]


def _run(tmp_path: Path, app: object, operations: tuple[str, ...], spec: Path = SLICE, **options) -> list[Failure]:
    with BackgroundServer(app) as server:
        return run_schemathesis(f"{server.url}/v2", CANARY_KEY, tmp_path, operations=operations, spec=spec, **options)


def test_the_contract_gives_schemathesis_nothing(tmp_path):
    failures = _run(
        tmp_path, build_app(EmulatorSettings(api_key=CANARY_KEY)), covered_operations(), path("texml/rest.openapi.yaml")
    )
    assert not failures, "\n".join(failure.describe() for failure in failures)


def test_the_call_control_contract_gives_schemathesis_nothing(tmp_path):
    # With the project's schemathesis.toml, which says an unknown call is 422 90015 (errata E-038).
    failures = _run(
        tmp_path,
        build_app(EmulatorSettings(api_key=CANARY_KEY)),
        covered_operations("callcontrol"),
        path(api("callcontrol").contract_file),
        config=ROOT / "schemathesis.toml",
        max_examples=10,
    )
    assert not failures, "\n".join(failure.describe() for failure in failures)


def test_every_upstream_failure_is_explained_by_the_errata(tmp_path):
    operations = covered_operations()
    known = markers(load(ERRATA), operations)
    failures = _run(tmp_path, build_app(EmulatorSettings(api_key=CANARY_KEY)), operations)
    verdict = judge(failures, known)
    assert not verdict.unexplained, "no errata marker explains:\n" + "\n".join(
        failure.describe() for failure in verdict.unexplained
    )
    assert not verdict.stale, "errata markers that explain nothing any more (remove them):\n" + "\n".join(
        map(str, verdict.stale)
    )
    # Each marker carries weight: without it some failure goes unexplained, so this test would fail.
    for marker in known:
        without = judge(failures, [other for other in known if other != marker])
        assert without.unexplained, f"{marker} explains nothing another marker does not"


def _null_urls_in_applications(scope: dict, status: int, body: bytes) -> tuple[int, bytes]:
    """The emulator before E-065: a created application carried null for the URLs it was not given."""
    if status != 201 or not scope["path"].endswith("/texml_applications"):
        return status, body
    answer = json.loads(body)
    answer["data"] = {"voice_fallback_url": None, "status_callback": None, **answer["data"]}
    return status, json.dumps(answer).encode()


def test_a_regression_no_errata_entry_explains_is_named(tmp_path):
    app = rewrite_responses(build_app(EmulatorSettings(api_key=CANARY_KEY)), _null_urls_in_applications)
    operations = ("CreateTexmlApplication",)
    verdict = judge(_run(tmp_path, app, operations), markers(load(ERRATA), covered_operations()))
    assert {(failure.operation, failure.check) for failure in verdict.unexplained} == {
        ("CreateTexmlApplication", "response_schema_conformance")
    }
    assert all("null is not of type" in failure.describe() for failure in verdict.unexplained)


def test_the_slice_is_the_extract_of_itself_with_no_prose():
    """What `extract` writes from the full slice is a fixed point: no annotation left, every covered operation in."""
    text = SLICE.read_text(encoding="utf-8")
    assert dump(extract(yaml.safe_load(text), covered_operations())) == text
    ids = {op["operationId"] for item in yaml.safe_load(text)["paths"].values() for op in item.values()}
    assert set(covered_operations()) <= ids


@pytest.mark.parametrize(
    ("marker", "problem"),
    [
        ({"check": "status_code_conformance", "status": 401}, "needs check, operations and status"),
        ({"check": "c", "status": 401, "operations": ["GetTexmlCalls"], "why": "x"}, "needs check, operations"),
        ({"check": "c", "status": 401, "operations": ["FindTexmlApplications"]}, "not operations this check runs"),
        ({"check": "c", "status": 401, "operations": ["GetTexmlCalls"], "see": "E-999"}, "see names no errata"),
    ],
)
def test_a_malformed_marker_is_refused(marker, problem):
    errata = {"errata": [{"id": "E-070", "schemathesis": [marker]}]}
    with pytest.raises(ValueError, match=problem):
        markers(errata, covered_operations())


def test_a_run_that_errored_is_not_a_verdict():
    lines = [json.dumps({"NonFatalError": {"info": "connection refused"}}), json.dumps({"EngineFinished": {}})]
    with pytest.raises(RunError, match="NonFatalError"):
        read_report(lines, {})
    with pytest.raises(RunError, match="without finishing"):
        read_report([json.dumps({"EngineStarted": {}})], {})
