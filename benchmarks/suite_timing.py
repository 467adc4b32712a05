"""Wall time of the conformance suite against the embedded emulator, per fuzz depth.

Prints figures; it is a measurement, not a test. Run: python benchmarks/suite_timing.py [--repeat N]
"""

import argparse
import re
import statistics
import subprocess
import sys
import tempfile
import time

DEPTHS = (10, 25, 100)


def run_once(fuzz_examples: int) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as scratch:
        started = time.perf_counter()
        completed = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "--conformance",
                "-q",
                "-p",
                "no:cacheprovider",
                f"--fuzz-examples={fuzz_examples}",
            ],
            capture_output=True,
            text=True,
            cwd=scratch,
            check=False,
        )
        elapsed = time.perf_counter() - started
    summary = re.findall(r"^(\d+ passed.*?) in ", completed.stdout, re.MULTILINE)
    return elapsed, summary[-1] if summary else completed.stdout[-300:]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(f"{'fuzz-examples':>13}  {'median s':>8}  {'min s':>6}  outcome")
    for depth in DEPTHS:
        runs = [run_once(depth) for _ in range(args.repeat)]
        times = [elapsed for elapsed, _ in runs]
        print(f"{depth:>13}  {statistics.median(times):>8.1f}  {min(times):>6.1f}  {runs[-1][1]}")


if __name__ == "__main__":
    main()
