"""What the suite costs the people who run it, beyond its checks.

Prints, in wall seconds (median of --repeat runs, same machine, same go):
  - one conformance run against the embedded emulator, and the project's own tests (`pytest tests -n 2`), with
    their ratio;
  - a run against a down target (refused before any check is built) next to a collection-only run;
  - an unrelated project's one-test pytest run with the plugin installed, with and without it loaded.
It is a measurement, not a test. Run from a checkout: python benchmarks/gate_costs.py [--repeat N] [--skip-tests]
"""

import argparse
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent
PYTEST = (sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider")


def timed(command: tuple[str, ...], cwd: Path) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=cwd, capture_output=True, check=False)
    return time.perf_counter() - started


def median(command: tuple[str, ...], cwd: Path, repeat: int) -> float:
    return statistics.median(timed(command, cwd) for _ in range(repeat))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-tests", action="store_true", help="leave out the (long) self-test run")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp())
    (scratch / "test_one.py").write_text("def test_one():\n    assert True\n")
    conformance = median((*PYTEST, "--conformance"), scratch, args.repeat)
    print(f"conformance run (embedded emulator): {conformance:6.1f} s")
    if not args.skip_tests:
        tests = timed((*PYTEST, "tests", "-n", "2"), CHECKOUT)
        print(f"project's own tests (-n 2):          {tests:6.1f} s  = {tests / conformance:.1f}x one conformance run")
    collect = median((*PYTEST, "--conformance", "--collect-only"), scratch, args.repeat)
    down = median((*PYTEST, f"--target-url=http://127.0.0.1:{closed_port()}/v2", "--api-key=k"), scratch, args.repeat)
    bare = median((*PYTEST, "test_one.py", "-p", "no:texml_conformance"), scratch, args.repeat)
    plugin = median((*PYTEST, "test_one.py"), scratch, args.repeat)
    print(f"collection only:                     {collect:6.2f} s  ({collect - bare:.2f} s beyond a bare pytest start)")
    print(f"down target refused:                 {down:6.2f} s  ({down - bare:.2f} s beyond a bare pytest start)")
    print(f"unrelated one-test run, plugin off:  {bare:6.2f} s")
    print(f"unrelated one-test run, plugin on:   {plugin:6.2f} s  ({100 * (plugin - bare) / bare:+.0f}%)")


if __name__ == "__main__":
    main()
