"""The kill matrix: which mutants of the reference emulator and which faulty targets fail which scenarios.

Reads the registries (tests/mutants/, tests/faulty.py) and the scenario files; that every
kill listed here really happens is what tests/test_mutants.py and tests/test_faulty_targets.py
prove. Prints one row per scenario folder (scenarios, mutants and faults aimed at it, scenarios
killed by at least one), then with --full every scenario and what kills it, as Markdown.

Run from a checkout: python benchmarks/kill_matrix.py [--full]
"""

import argparse
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.texml.fixtures import default_dir, load_all
from conformance_specs.apis import api
from tests.faulty import FAULTS
from tests.mutants import MUTANTS


def killers() -> dict[str, list[str]]:
    """Scenario id -> names of the mutants and faults that fail it."""
    scenarios = [fixture.id for fixture in load_all(default_dir())]
    scenarios += [fixture.id for fixture in callcontrol_fixtures.load_all(default_dir(), api("callcontrol"))]
    by_check = {f"callcontrol/{name.split('/', 1)[1]}": name for name in scenarios if name.startswith("call-control/")}
    found: dict[str, list[str]] = {name: [] for name in scenarios}
    for mutant in MUTANTS:
        for name in mutant.kills:
            found[name].append(f"mutant: {mutant.name}")
    for fault in FAULTS:
        for check in fault.checks:
            name = by_check.get(check, check)
            if name in found:
                found[name].append(f"fault: {fault.name}")
    return found


def folder(scenario: str) -> str:
    return scenario.rsplit("/", 1)[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", action="store_true", help="also list every scenario and what kills it")
    full = parser.parse_args().full
    matrix = killers()
    rows: dict[str, list[str]] = defaultdict(list)
    for scenario in matrix:
        rows[folder(scenario)].append(scenario)
    print("| scenario folder | scenarios | killed | mutants and faults aimed at it |")
    print("|---|---|---|---|")
    for name in sorted(rows):
        aimed = {killer for scenario in rows[name] for killer in matrix[scenario]}
        killed = sum(bool(matrix[scenario]) for scenario in rows[name])
        print(f"| {name} | {len(rows[name])} | {killed} | {len(aimed)} |")
    killed = sum(bool(found) for found in matrix.values())
    print(f"\n{len(matrix)} scenarios, {killed} killed; {len(MUTANTS)} mutants, {len(FAULTS)} faulty targets")
    if full:
        print("\n| scenario | killed by |\n|---|---|")
        for scenario in sorted(matrix):
            print(f"| {scenario} | {'; '.join(matrix[scenario]) or 'NOTHING'} |")


if __name__ == "__main__":
    main()
