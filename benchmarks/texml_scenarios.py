"""How much simulated call time the TeXML scenarios cover, and what it costs in wall time.

Prints: scenarios run, simulated seconds (the sum of each call's virtual length),
wall seconds of the scenarios themselves (in-process), and the wall time of
`pytest --conformance -k test_texml_scenario` as a user runs it, serially and with -n 2.

    python benchmarks/texml_scenarios.py [--repeat N]
"""

import argparse
import statistics
import subprocess
import sys
import time

from conformance.core.harness import Harness
from conformance.core.simulation import Simulation
from conformance.core.target import Target, provision_application
from conformance.options import DEFAULT_ACCOUNT_SID
from conformance.texml.fixtures import default_dir, load_all
from conformance.texml.scenario import ScenarioRunner
from conformance_emulator import EmulatorSettings, build_app
from conformance_emulator.server import BackgroundServer

KEY = "KEY_benchmark"


def in_process() -> tuple[int, float, float]:
    """(scenarios, simulated seconds, wall seconds) for one pass over every fixture."""
    fixtures = load_all(default_dir())
    harness = Harness().start()
    simulated = 0.0
    try:
        with BackgroundServer(build_app(EmulatorSettings(api_key=KEY))) as server:
            base_url = f"{server.url}/v2"
            application = provision_application(base_url, KEY, f"{harness.url}/unused")
            target = Target(base_url, KEY, DEFAULT_ACCOUNT_SID, application, embedded=False)
            with target.client() as client:
                runner, simulation = ScenarioRunner(target, harness, client, 10.0, settles=True), Simulation(client)
                started = time.perf_counter()
                for fixture in fixtures:
                    result = runner.run(fixture)
                    events = simulation.timeline(result.context.call_sid)["events"]
                    simulated += events[-1]["at"] if events else 0.0
                wall = time.perf_counter() - started
    finally:
        harness.stop()
    return len(fixtures), simulated, wall


def as_a_user(extra: list[str]) -> float:
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--conformance"]
    command += ["-k", "test_texml_scenario", *extra]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    passes = [in_process() for _ in range(args.repeat)]
    count, simulated = passes[0][0], passes[0][1]
    wall = statistics.median(p[2] for p in passes)
    print(f"scenarios: {count}")
    print(f"simulated call time: {simulated:.0f} s ({simulated / 3600:.2f} h)")
    print(f"scenario wall time (in-process, median of {args.repeat}): {wall:.2f} s")
    print(f"simulated seconds per wall second: {simulated / wall:.0f}")
    serial = statistics.median(as_a_user([]) for _ in range(args.repeat))
    parallel = statistics.median(as_a_user(["-n", "2"]) for _ in range(args.repeat))
    print(f"pytest --conformance -k test_texml_scenario (whole process, median): {serial:.2f} s")
    print(f"same with -n 2: {parallel:.2f} s")


if __name__ == "__main__":
    main()
