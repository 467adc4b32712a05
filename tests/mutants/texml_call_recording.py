"""The recording of a whole TeXML call InitiateCall asks for: Record, channels, track, trim, the silence timeout
and the recording status callbacks (scenarios texml/call/record-*, texml/call/recording-*)."""

import math

from conformance_emulator.backend.leg import Leg
from conformance_emulator.backend.recording import CallRecordingSetup, Recording, Sound
from tests.mutants.builders import (
    Alternative,
    Mutant,
    _first_word_only,
    _initiate_body_changed,
    _without,
    leg_class,
)


def _absent_reported_completed(self: Leg, recording: Recording, status: str, length: float | None) -> None:
    Leg._recording_callback(self, recording, "completed" if status == "absent" else status, length)


class _SilenceTimedFromStart(Recording):
    """Counts the silence timeout from the start of the recording, not from the first sound heard."""

    def silence_stop(self, sounds: list[Sound]) -> float:
        timeout = self.setup.silence_timeout
        if not timeout:
            return math.inf
        last_end = self.started_at
        for start, end in self.heard(sounds, math.inf):
            if start - last_end >= timeout:
                break
            last_end = end
        return last_end + timeout


def _silence_timed_from_start(self: Leg, setup: CallRecordingSetup) -> None:
    Leg.start_recording(self, setup)
    assert self.recording is not None
    self.recording = _SilenceTimedFromStart(**vars(self.recording))


# Every scenario of a call InitiateCall asks to record: with Record ignored, none of them records.
CALL_RECORDED = tuple(
    f"texml/call/{name}"
    for name in (
        "record-whole-call",
        "record-dual-channels",
        "recording-status-callback-events",
        "recording-absent",
        "recording-track-default-both",
        "recording-track-inbound",
        "recording-do-not-trim",
        "recording-timeout-stops-on-silence",
        "send-recording-url-false",
    )
)


MUTANTS: list[Mutant] = [
    Mutant("Record ignored", CALL_RECORDED, _initiate_body_changed(_without("Record"))),
    Mutant(
        "calls recorded by default",
        ("texml/call/record-not-by-default",),
        _initiate_body_changed(lambda body: {"Record": True, **body}),
    ),
    Mutant(
        "RecordingStatusCallback ignored",
        ("texml/call/record-whole-call", "texml/call/recording-status-callback-events"),
        _initiate_body_changed(_without("RecordingStatusCallback")),
    ),
    Mutant(
        "RecordingChannels default dual",
        ("texml/call/record-whole-call",),
        _initiate_body_changed(lambda body: {"RecordingChannels": "dual", **body}),
    ),
    Mutant(
        "RecordingChannels ignored",
        ("texml/call/record-dual-channels",),
        _initiate_body_changed(_without("RecordingChannels")),
    ),
    Mutant(
        "RecordingStatusCallbackMethod default GET",
        ("texml/call/record-whole-call",),
        _initiate_body_changed(lambda body: {"RecordingStatusCallbackMethod": "GET", **body}),
    ),
    Mutant(
        "RecordingStatusCallbackMethod ignored",
        ("texml/call/recording-status-callback-events",),
        _initiate_body_changed(_without("RecordingStatusCallbackMethod")),
    ),
    Mutant(
        "recording callbacks for every state by default",
        ("texml/call/record-whole-call",),
        _initiate_body_changed(lambda body: {"RecordingStatusCallbackEvent": "in-progress completed absent", **body}),
    ),
    Mutant(
        "RecordingStatusCallbackEvent keeps only its first state",
        (
            "texml/call/recording-status-callback-events",
            "texml/call/recording-absent",
        ),
        _initiate_body_changed(_first_word_only("RecordingStatusCallbackEvent")),
    ),
    Mutant(
        "a silent recording reported completed",
        ("texml/call/recording-absent",),
        leg_class(_recording_callback=_absent_reported_completed),
    ),
    Mutant(
        "RecordingTrack default inbound",
        ("texml/call/record-whole-call", "texml/call/recording-track-default-both"),
        _initiate_body_changed(lambda body: {"RecordingTrack": "inbound", **body}),
    ),
    Mutant(
        "RecordingTrack ignored",
        ("texml/call/recording-track-inbound",),
        _initiate_body_changed(_without("RecordingTrack")),
    ),
    Mutant(
        "Trim default do-not-trim",
        ("texml/call/record-whole-call", "texml/call/recording-track-default-both"),
        _initiate_body_changed(lambda body: {"Trim": "do-not-trim", **body}),
    ),
    Mutant(
        "Trim ignored",
        ("texml/call/recording-do-not-trim", "texml/call/recording-timeout-stops-on-silence"),
        _initiate_body_changed(_without("Trim")),
    ),
    Mutant(
        "RecordingTimeout ignored",
        ("texml/call/recording-timeout-stops-on-silence",),
        _initiate_body_changed(_without("RecordingTimeout")),
    ),
    Mutant(
        "RecordingTimeout default 3 s, not 0 (never)",
        ("texml/call/record-whole-call",),
        _initiate_body_changed(lambda body: {"RecordingTimeout": 3, **body}),
    ),
    Mutant(
        "RecordingTimeout counted before anything was heard",
        ("texml/call/recording-timeout-stops-on-silence",),
        leg_class(start_recording=_silence_timed_from_start),
    ),
    Mutant(
        "SendRecordingUrl default false",
        ("texml/call/record-whole-call", "texml/call/recording-status-callback-events"),
        _initiate_body_changed(lambda body: {"SendRecordingUrl": False, **body}),
    ),
    Mutant(
        "SendRecordingUrl ignored",
        ("texml/call/send-recording-url-false",),
        _initiate_body_changed(_without("SendRecordingUrl")),
    ),
]


ALTERNATIVES: list[Alternative] = []
