"""Bridges: two legs whose media meet, on one time domain for as long as the bridge lasts.

The backend's bridges are kept by leg (any API's leg: they are a matter of the shared core).
Bridging says so on both legs' timelines (``bridged``, with_call the other); a leg is in one
bridge at a time, so bridging it elsewhere ends the bridge it was in. A bridge ends when
either leg leaves it or ends: the leg left behind says ``unbridged`` on its timeline, and the
two trees' time domains may part (meeting.py).
"""

from collections.abc import Callable

from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.meeting import Meeting
from conformance_emulator.backend.membership import leave_when_ended, require_live


class Bridge:
    """Two legs bridged: their trees share one time domain until ``end``."""

    def __init__(self, a: Leg, b: Leg, leave: Callable[[Leg], None]) -> None:
        self.legs = (a, b)
        self._meeting = Meeting(a.clock, b.clock)
        self._unwatch = [leave_when_ended(leg, lambda leg=leg: leave(leg)) for leg in self.legs]

    def partner(self, leg: Leg) -> Leg:
        return self.legs[1] if leg is self.legs[0] else self.legs[0]

    def end(self) -> None:
        for unwatch in self._unwatch:
            unwatch()
        self._meeting.end()


class Bridges:
    """The bridges between legs, each found by either of its legs."""

    def __init__(self) -> None:
        self._bridges: dict[str, Bridge] = {}  # by the sid of either leg

    def bridge(self, a: Leg, b: Leg) -> Bridge:
        """Bridge ``a`` and ``b``; each leaves any other bridge first. Bridging them again only says so again."""
        require_live(a, b)
        bridge = self._bridges.get(a.sid)
        if bridge is None or b not in bridge.legs:
            for leg in (a, b):
                self.leave(leg)
            bridge = self._bridges[a.sid] = self._bridges[b.sid] = Bridge(a, b, self.leave)
        for leg in (a, b):
            leg.record("bridged", with_call=bridge.partner(leg).sid)
        return bridge

    def partner(self, leg: Leg) -> Leg | None:
        """The leg bridged with ``leg``, if any."""
        bridge = self._bridges.get(leg.sid)
        return None if bridge is None else bridge.partner(leg)

    def leave(self, leg: Leg) -> None:
        """``leg`` leaves its bridge (if in one), which ends: the partner's timeline says ``unbridged``."""
        bridge = self._bridges.pop(leg.sid, None)
        if bridge is None:
            return
        partner = bridge.partner(leg)
        del self._bridges[partner.sid]
        partner.record("unbridged", with_call=leg.sid)  # before parting: then the partner's time may run on at once
        bridge.end()
