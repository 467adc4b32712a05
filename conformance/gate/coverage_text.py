"""The coverage figures as console lines: the seed facts first (the headline), the contract facts apart."""

import textwrap
from collections import Counter

from conformance.gate.coverage import Matrix
from conformance.gate.seed_coverage import SeedCoverage
from conformance_specs import facts

WIDTH = 110


def coverage_lines(seeds: SeedCoverage, matrix: Matrix) -> list[str]:
    totals = seeds.totals()
    lines = [
        f"seed facts: {totals['checked']}/{totals['total']} statements of the source documents proven by some check"
        f" ({percent(totals['checked'], totals['total'])})"
    ]
    titles = facts.titles()
    for seed, row in seeds.counts().items():
        head = f"  {seed} {titles.get(seed, '')}: {row['checked']}/{row['facts']}"
        subjects = ", ".join(f"{name} {tally['checked']}/{tally['facts']}" for name, tally in row["subjects"].items())
        lines += textwrap.wrap(f"{head}; {subjects}", WIDTH, subsequent_indent="      ")
    reasons = Counter(fact.unchecked.reason if fact.unchecked else "no check names it" for fact in seeds.unchecked)
    if reasons:
        why = ", ".join(f"{reason} {count}" for reason, count in reasons.most_common())
        lines.append(f"  unchecked, by reason: {why} (each listed in the summary JSON)")
    counts = matrix.counts()
    covered = sum(row["covered"] for row in counts.values())
    total = sum(row["facts"] for row in counts.values())
    per_kind = ", ".join(f"{kind} {row['covered']}/{row['facts']}" for kind, row in counts.items())
    lines.append(f"contract facts, counted apart: {covered}/{total} covered by some check ({per_kind})")
    return lines


def percent(part: int, whole: int) -> str:
    """A share cut (never rounded up) to one decimal, as the verdict's percentages are."""
    return f"{int(1000 * part / whole) / 10}%" if whole else "n/a"
