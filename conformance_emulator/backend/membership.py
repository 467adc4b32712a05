"""A leg's membership of a resource (bridge, queue, conference) ends when the leg does.

A resource watches each member's leg, so a member that hangs up leaves without whoever
drives the leg having to say so; a driver that must report the leaving first (Call
Control's call.dequeued before call.hangup) makes the leg leave itself, and the watch
then finds nothing left to do.
"""

from collections.abc import Callable

from conformance_emulator.backend.leg import TERMINAL, Leg


def require_live(*legs: Leg) -> None:
    """ValueError for a leg that has ended: it could never leave, so it may not join."""
    for leg in legs:
        if leg.status in TERMINAL:
            raise ValueError(f"{leg.sid} has ended")


def leave_when_ended(leg: Leg, leave: Callable[[], None]) -> Callable[[], None]:
    """Call ``leave`` when ``leg`` reaches a final status; what is returned stops watching (a member that left)."""

    def ended(leg: Leg, status: str) -> None:
        if status in TERMINAL:
            leave()

    leg.listeners.append(ended)
    return lambda: leg.listeners.remove(ended)
