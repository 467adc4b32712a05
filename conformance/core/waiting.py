"""Waiting on a condition the target decides, with a deadline: the one polling loop of the suite.

Used only where the target offers nothing to wait on (a listing it calls eventually
consistent, a timeline event the simulation protocol cannot long-poll); the interval
starts small and doubles, so a quick target costs milliseconds.
"""

import time
from collections.abc import Callable

START_S, MAX_S = 0.005, 0.1


def poll(condition: Callable[[], bool], deadline_s: float) -> bool:
    """Ask ``condition`` until it holds (True) or ``deadline_s`` seconds pass (False)."""
    deadline, interval = time.monotonic() + deadline_s, START_S
    while not condition():
        if time.monotonic() + interval > deadline:
            return False
        time.sleep(interval)
        interval = min(interval * 2, MAX_S)
    return True
