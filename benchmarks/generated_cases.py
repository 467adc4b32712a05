"""Generated cases per operation and mode at a given depth and seed, counted in-process.

Run twice with the same seed to see that generation is deterministic.
Run: python benchmarks/generated_cases.py [--fuzz-examples N] [--seed S]
"""

import argparse
import collections
import os
import tempfile

import pytest

import conformance.rest.fuzz


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fuzz-examples", type=int, default=25)
    parser.add_argument("--seed", default="20261121")
    args = parser.parse_args()
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    original = conformance.rest.fuzz.answer_failures

    def counting(case, contract, target, positive):  # noqa: ANN001 - same signature as answer_failures
        counts[(case.operation.label, "positive" if positive else "negative")] += 1
        return original(case, contract, target, positive)

    class CountCases:
        def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
            import conformance.checks.test_fuzz as fuzz_module

            fuzz_module.answer_failures = counting

    os.chdir(tempfile.mkdtemp())
    pytest.main(
        [
            "--conformance",
            "-q",
            "-p",
            "no:cacheprovider",
            "-k",
            "test_generated_requests",
            f"--fuzz-examples={args.fuzz_examples}",
            f"--seed={args.seed}",
        ],
        plugins=[CountCases()],
    )
    for (label, mode), count in sorted(counts.items()):
        print(f"{count:6d}  {mode:8s}  {label}")
    print(f"{sum(counts.values()):6d}  total")


if __name__ == "__main__":
    main()
