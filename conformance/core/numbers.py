"""Addresses for checks (numbers, SIP URIs): unique per session and xdist worker, so scripts find one call."""

import itertools
import os

_numbers = itertools.count(1000)
SIP_HOST = "conformance.invalid"


def unique_number() -> str:
    """A number no other check of this session uses (nor another xdist worker)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw")
    area = 312 + (int(worker) if worker.isdigit() else 0) % 600
    return f"+1{area}555{next(_numbers) % 10000:04d}"


def unique_sip_uri() -> str:
    """A SIP address no other check uses; .invalid never resolves, so no real network is ever reached."""
    return f"sip:{unique_number()}@{SIP_HOST}"
