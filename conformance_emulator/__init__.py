"""Reference emulator of the Telnyx TeXML REST API.

It is the suite's embedded default target and the ground truth that proves every
check can pass. It reads the contracts in specs/ and never imports conformance/.
"""

from conformance_emulator.app import Behaviour, EmulatorSettings, build_app

__all__ = ["Behaviour", "EmulatorSettings", "build_app"]
