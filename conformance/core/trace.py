"""Expected traces against what happened: channels matched in order, interleaved freely.

A trace is a set of named channels: for TeXML ``requests`` (document fetches and action
requests, in arrival order), ``callbacks`` (status callbacks, ordered by SequenceNumber) and
``recording_callbacks``; for Call Control ``webhooks`` and ``commands``; for both ``timeline``
(the target's media events). Each expected channel lists every entry it must contain, in
order; nothing is checked across channels.

Values in an expected entry are literals or matchers:
  <any> <absent> <call_sid> <account_sid> <from> <to> <e164> <integer> <timestamp> <url>
  /regex/ (matched against the whole value)
  $BASE within a value stands for the scenario's URL, as in its documents (the audio a Play plays);
  $WSBASE for the same URL with ws:// or wss:// (the streams the harness accepts, errata E-155)
  "<absent> or X": the parameter may be left out, but a value sent must satisfy X (any of the
  above), for parameters no source requires yet whose value, when sent, is still a fact
  (errata E-120: Direction and CallStatus on document fetches)
Entry keys: ``path`` and ``method`` for requests; ``event`` and ``lasts`` (seconds until the
next event) for the timeline; ``repeat`` (N, or "N+" for at least N) anywhere; any other
key is a parameter or field of the entry. A key naming spellings joined by ``|``
(``RecordingUrl|RecordingURL``) is met when one of them carries a matching value (with
``<absent>``: when none is sent), for names the sources spell differently (errata E-017).

``followed`` says which documented alternatives a target took: a fixture's ``follows:`` maps a
channel to {source: entry}, and each source some entry of that channel matches is reported.
"""

import difflib
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

E164 = re.compile(r"^\+[1-9][0-9]{1,14}$")
INTEGER = re.compile(r"^-?[0-9]+$")
SPACED_TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d+)?Z$")
STRUCTURAL_KEYS = frozenset({"repeat", "lasts"})
ABSENT_OR = "<absent> or "
# The one channel read from the target (simulation protocol); every other arrives at the harness.
TIMELINE = "timeline"


@dataclass(frozen=True)
class Context:
    """The identities of this scenario's call, for the <call_sid>-style matchers."""

    call_sid: str
    account_sid: str
    from_: str
    to: str
    base: str = "$BASE"  # the scenario's URL, for $BASE in expected values

    @property
    def ws_base(self) -> str:
        """The scenario's URL with ws:// or wss://, for $WSBASE in expected values."""
        return websocket_url(self.base)


@dataclass(frozen=True)
class Observed:
    channels: dict[str, list[dict[str, Any]]]

    def channel(self, name: str) -> list[dict[str, Any]]:
        return self.channels.get(name, [])

    @property
    def timeline(self) -> list[dict[str, Any]]:
        return self.channel(TIMELINE)


def websocket_url(url: str) -> str:
    """``url`` (http:// or https://) with the WebSocket scheme of the same security (ws:// or wss://)."""
    return "ws" + url.removeprefix("http") if url.startswith(("http://", "https://")) else url


def value_problem(expected: Any, actual: Any, context: Context) -> str | None:
    """None when ``actual`` satisfies ``expected``; otherwise why not."""
    if isinstance(expected, str) and "$WSBASE" in expected:
        expected = expected.replace("$WSBASE", context.ws_base)
    if isinstance(expected, str) and "$BASE" in expected:
        expected = expected.replace("$BASE", context.base)
    if isinstance(expected, str) and expected.startswith(ABSENT_OR):
        return None if actual is None else value_problem(expected.removeprefix(ABSENT_OR), actual, context)
    if expected == "<absent>":
        return None if actual is None else f"should be absent, is {actual!r}"
    if actual is None:
        return "is missing"
    if expected == "<any>":
        return None
    if isinstance(expected, str) and expected.startswith("<") and expected.endswith(">"):
        return _kind_problem(expected[1:-1], str(actual), context)
    if isinstance(expected, str) and len(expected) > 1 and expected.startswith("/") and expected.endswith("/"):
        return None if re.fullmatch(expected[1:-1], str(actual)) else f"{actual!r} does not match {expected}"
    if _same(expected, actual):
        return None
    return f"is {actual!r}, expected {expected!r}"


def _same(expected: Any, actual: Any) -> bool:
    """Wire text is compared exactly ("007" is not "7"); numbers the target sent as JSON numbers, as numbers."""
    if isinstance(expected, bool) or isinstance(actual, bool):
        return str(expected).lower() == str(actual).lower()
    if isinstance(actual, str):
        return str(expected) == actual
    if isinstance(expected, int | float) and isinstance(actual, int | float):
        return math.isclose(expected, actual, abs_tol=1e-6)
    return expected == actual


def _kind_problem(kind: str, actual: str, context: Context) -> str | None:
    identities = {"call_sid": context.call_sid, "account_sid": context.account_sid, "from": context.from_}
    identities["call_control_id"] = context.call_sid
    identities["to"] = context.to
    if kind in identities:
        return (
            None if actual == identities[kind] else f"is {actual!r}, expected this call's {kind} {identities[kind]!r}"
        )
    checks: dict[str, Callable[[str], bool]] = {
        "e164": lambda v: bool(E164.match(v)),
        "integer": lambda v: bool(INTEGER.match(v)),
        "timestamp": _is_timestamp,
        "url": lambda v: urlsplit(v).scheme in ("http", "https") and bool(urlsplit(v).netloc),
    }
    if kind not in checks:
        raise ValueError(f"unknown matcher <{kind}>")
    return None if checks[kind](actual) else f"{actual!r} is not a {kind}"


def _is_timestamp(value: str) -> bool:
    """RFC 2822 (the seed's prose), ISO 8601 (upstream) or '2021-04-28 21:51:13.59Z' (the seed's examples)."""
    if SPACED_TIMESTAMP.match(value):
        return True
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
        return True
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value) is not None
    except (TypeError, ValueError, IndexError):
        return False


def entry_problems(expected: Mapping[str, Any], actual: Mapping[str, Any], context: Context) -> list[str]:
    problems = []
    for key, want in expected.items():
        if key in STRUCTURAL_KEYS:
            continue
        problem = _key_problem(key, want, actual, context)
        if problem:
            problems.append(f"{key} {problem}")
    return problems


def _key_problem(key: str, want: Any, actual: Mapping[str, Any], context: Context) -> str | None:
    """The problem of one expected key; ``A|B`` is met when one spelling matches (``<absent>``: when none is sent)."""
    if "|" not in key:
        return value_problem(want, actual.get(key), context)
    problems = {name: value_problem(want, actual.get(name), context) for name in key.split("|")}
    wrong = [f"as {name}: {problem}" for name, problem in problems.items() if problem]
    if want == "<absent>" or len(wrong) == len(problems):
        return "; ".join(wrong) or None
    return None


def followed(follows: Mapping[str, Mapping[str, Mapping[str, Any]]], observed: Observed, context: Context) -> list[str]:
    """The sources of a fixture's ``follows:`` whose entry some entry of its channel matches."""
    return [
        source
        for channel, sources in follows.items()
        for source, entry in sources.items()
        if any(not entry_problems(entry, actual, context) for actual in observed.channel(channel))
    ]


def _repeat(entry: Mapping[str, Any]) -> tuple[int, bool]:
    """(minimum count, whether more are allowed)."""
    repeat = entry.get("repeat", 1)
    if isinstance(repeat, str):
        return int(repeat.rstrip("+")), True
    return int(repeat), False


def channel_problems(
    name: str, expected: list[dict[str, Any]], actual: list[dict[str, Any]], context: Context
) -> list[str]:
    """Every way ``actual`` departs from ``expected`` on one channel (empty when it matches)."""
    position = 0
    for index, entry in enumerate(expected):
        least, open_ended = _repeat(entry)
        count = 0
        while position < len(actual) and (open_ended or count < least):
            problems = entry_problems(entry, actual[position], context)
            problems += _duration_problems(entry, actual, position)
            if problems and count >= least:
                break
            if problems:
                return [f"{name}[{position}] (expected entry {index + 1}): " + "; ".join(problems)]
            position, count = position + 1, count + 1
        if count < least:
            return [f"{name}: expected entry {index + 1} ({describe(entry)}) {least} time(s), saw it {count}"]
    if position < len(actual):
        return [f"{name}: unexpected extra entry {name}[{position}]: {describe(actual[position])}"]
    return []


def _duration_problems(entry: Mapping[str, Any], actual: list[dict[str, Any]], position: int) -> list[str]:
    if "lasts" not in entry:
        return []
    if position + 1 >= len(actual):
        return ["lasts: no later event to measure against"]
    lasted = float(actual[position + 1]["at"]) - float(actual[position]["at"])
    if math.isclose(lasted, float(entry["lasts"]), abs_tol=1e-3):
        return []
    return [f"lasted {lasted:g} s, expected {entry['lasts']} s"]


def missing_entries(expect: Mapping[str, list[dict[str, Any]]], observed: Observed) -> bool:
    """Whether some request channel holds fewer entries than expected, so more may still arrive."""
    return any(
        len(observed.channel(name)) < sum(_repeat(entry)[0] for entry in expected)
        for name, expected in expect.items()
        if name != TIMELINE
    )


def mismatches(expect: Mapping[str, list[dict[str, Any]]], observed: Observed, context: Context) -> list[str]:
    found = []
    for name, expected in expect.items():
        found += channel_problems(name, expected, observed.channel(name), context)
    return found


def describe(entry: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value}" for key, value in entry.items())


def diff(expect: Mapping[str, list[dict[str, Any]]], observed: Observed, context: Context) -> str:
    """A unified diff per channel: expected entries against actual ones, shown through the expected keys.

    An actual value that satisfies its matcher is shown as the matcher, so only real
    differences stand out. The mismatch list stays the authority; this is for reading.
    """
    blocks = []
    for name, expected in expect.items():
        actual = observed.channel(name)
        want = [describe(entry) for entry in expected]
        got = []
        for index, item in enumerate(actual):
            template = expected[min(index, len(expected) - 1)] if expected else item
            keys = [key for key in template if key not in STRUCTURAL_KEYS]
            got.append(describe({key: _shown(template[key], _spelled(key, item), context) for key in keys}))
        lines = difflib.unified_diff(want, got, f"expected {name}", f"actual {name}", lineterm="", n=100)
        blocks.append("\n".join(lines) or f"{name}: as expected")
    return "\n\n".join(blocks)


def _spelled(key: str, item: Mapping[str, Any]) -> Any:
    """The value of ``key`` in an actual entry; for ``A|B``, of the first spelling it carries."""
    return next((item[name] for name in key.split("|") if item.get(name) is not None), None)


def _shown(expected: Any, actual: Any, context: Context) -> Any:
    return expected if value_problem(expected, actual, context) is None else ("<absent>" if actual is None else actual)
