"""The API key never appears in the console, JUnit XML or Allure results, even when checks fail."""

from conformance_emulator.server import BackgroundServer
from tests.faulty import FAULTS
from tests.suite_runner import CANARY_KEY, run_suite_in_process


def test_api_key_never_written(tmp_path):
    fault = next(f for f in FAULTS if f.name == "400 instead of 422")
    results = tmp_path / "allure-results"
    with BackgroundServer(fault.app(CANARY_KEY)) as server:
        verdict = run_suite_in_process(
            tmp_path,
            f"--target-url={server.url}/v2",
            f"--api-key={CANARY_KEY}",
            "--fuzz-examples=5",
            "--application-sid=1",
            f"--alluredir={results}",
            "--check=rest/InitiateTexmlCall/Timeout=121->10033",
            "--check=fuzz/negative/InitiateTexmlCall",
            "--no-shrink",
        )
    assert verdict.failures, "the faulty target must produce failures with request details"
    assert CANARY_KEY not in verdict.output
    written = [path for path in tmp_path.rglob("*") if path.is_file()]
    assert any(path.suffix == ".txt" for path in results.iterdir()), "failures must carry attachments"
    leaking = [path.name for path in written if CANARY_KEY in path.read_text(errors="replace")]
    assert not leaking
    assert any("[REDACTED]" in path.read_text(errors="replace") for path in written)
