"""Mutants of the reference emulator: each breaks one documented rule.

A mutant is the emulator's Behaviour with one part replaced: a catalogue fact
(wrong default, off-by-one range), a verb handler, a step of the TeXML Interpreter
(documents, Mustache, updates) or of the Leg (connecting, status callbacks, ending),
a Call Control driver, command or webhook. Each names the scenario files that must
fail against it; the kill matrix requires every scenario to be named by at least one
mutant. An alternative is the emulator following another behaviour a source documents:
the scenarios it names must still pass.

One module per area, following the scenarios' folders, holds the replaced steps beside
the mutants and alternatives that use them (its MUTANTS and ALTERNATIVES); builders.py
holds the ways of replacing a part shared by every area. This package lists them in
the order of AREAS.
"""

from tests.mutants import (
    callcontrol_call,
    callcontrol_dial,
    callcontrol_gather,
    callcontrol_recording,
    callcontrol_speak_playback,
    callcontrol_webhooks,
    texml_call_recording,
    texml_call_setup,
    texml_callbacks,
    texml_documents,
    texml_gather,
    texml_hangup_reject_redirect,
    texml_mustache,
    texml_record,
    texml_say_play_pause,
)
from tests.mutants.builders import Alternative, Mutant
from tests.mutants.callcontrol_speak_playback import CALL_CONTROL_AUDIO_SCENARIOS, CALL_CONTROL_SPEECH_SCENARIOS
from tests.mutants.callcontrol_webhooks import CALL_CONTROL_SMOKE
from tests.mutants.texml_call_recording import CALL_RECORDED
from tests.mutants.texml_say_play_pause import MEDIA_SCENARIOS

__all__ = [
    "ALTERNATIVES",
    "AREAS",
    "CALL_CONTROL_AUDIO_SCENARIOS",
    "CALL_CONTROL_SMOKE",
    "CALL_CONTROL_SPEECH_SCENARIOS",
    "CALL_RECORDED",
    "MEDIA_SCENARIOS",
    "MUTANTS",
    "Alternative",
    "Mutant",
]

AREAS = (
    texml_documents,
    texml_say_play_pause,
    texml_hangup_reject_redirect,
    texml_gather,
    texml_record,
    texml_call_setup,
    texml_callbacks,
    texml_call_recording,
    texml_mustache,
    callcontrol_webhooks,
    callcontrol_dial,
    callcontrol_speak_playback,
    callcontrol_gather,
    callcontrol_recording,
    callcontrol_call,
)

MUTANTS: list[Mutant] = [mutant for area in AREAS for mutant in area.MUTANTS]
ALTERNATIVES: list[Alternative] = [alternative for area in AREAS for alternative in area.ALTERNATIVES]
