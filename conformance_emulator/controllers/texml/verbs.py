"""What each TeXML verb does to a call. Attribute values arrive typed, defaults applied (specs/texml/verbs.yaml).

A handler acts on the interpreter's leg. It may return keys pressed while it listened
(nested in Gather), raise Redirected to continue with another document, or raise CallEnded.
"""

import itertools
import math
import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from lxml import etree

from conformance_emulator.backend.audio import UNREADABLE_SECONDS, audio_seconds
from conformance_emulator.backend.leg import CallEnded
from conformance_emulator.backend.recording import RECORDINGS
from conformance_emulator.controllers.texml.interpreter import Interpreter

Attributes = dict[str, Any]
Handler = Callable[..., Awaitable[str | None]]
# How long the media plane spends on a prompt: a spoken word, one play of an audio file it cannot read
# (a WAV file it fetches lasts as long as its frames say). No source states either (errata E-030).
SAY_SECONDS_PER_WORD = 0.4
PLAY_SECONDS = UNREADABLE_SECONDS
ALICE = "alice"


def _repetitions(loop: int) -> Any:
    return itertools.count() if loop == 0 else range(loop)


def _text(node: etree._Element) -> str:
    return (node.text or "").strip()


async def say(texml: Interpreter, node: etree._Element, attrs: Attributes, listen: bool = False) -> str | None:
    texml.leg.answer()
    text = _text(node)
    seconds = max(1.0, math.ceil(len(text.split()) * SAY_SECONDS_PER_WORD))
    # Only alice speaks other languages: man and woman always speak the default language (en-US).
    default = texml.catalogue.elements["Say"].attributes["language"].default
    language = attrs["language"] if attrs["voice"] == ALICE else default
    for _ in _repetitions(attrs["loop"]):
        texml.leg.record("say", text=text, voice=attrs["voice"], language=language)
        if keys := await texml.leg.play_sound(seconds, listen):
            return keys
    return None


async def play(texml: Interpreter, node: etree._Element, attrs: Attributes, listen: bool = False) -> str | None:
    texml.leg.answer()
    seconds = None if attrs["mediaStorage"] else await audio_seconds(texml.outbound, texml.resolve(_text(node)))
    for _ in _repetitions(attrs["loop"]):
        texml.leg.record("play", url=_text(node), media_storage=attrs["mediaStorage"])
        if keys := await texml.leg.play_sound(seconds or PLAY_SECONDS, listen):
            return keys
    return None


async def pause(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    texml.leg.answer()
    texml.leg.record("silence", length=attrs["length"])
    await texml.leg.spend(attrs["length"])


async def hangup(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    raise CallEnded("hangup-verb", "caller")


async def reject(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    texml.leg.record("rejected", reason=attrs["reason"])
    status = "busy" if attrs["reason"] == "busy" else "no-answer"
    raise CallEnded("rejected", "caller", status=status)


async def redirect(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    raise texml.go_to(_text(node), attrs["method"])


async def gather(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    texml.leg.answer()
    keys = None
    for child in node:
        if isinstance(child.tag, str) and child.tag in texml.verbs:
            keys = await texml.verbs[child.tag](texml, child, texml.catalogue.attributes_of(child), listen=True)
            if keys:
                break  # a key press stops the prompts (barge-in)
    digits = await _collect(texml, attrs, keys)
    if not digits:
        return  # no input: the document goes on with the next verb
    valid = attrs["validDigits"]
    if len(digits) < attrs["minDigits"] or (valid and any(key not in valid for key in digits)):
        target = attrs["invalidDigitsAction"] or attrs["action"]
    else:
        target = attrs["action"]
    if target:
        # CallSidLegacy as seed 004's example and upstream's TexmlGather schema send it (errata E-164).
        raise texml.go_to(target, texml.setup.url_method, Digits=digits, CallSidLegacy=texml.leg.setup.sid)


async def _collect(texml: Interpreter, attrs: Attributes, keys: str | None) -> str:
    """Digits gathered until the finish key, the digit limit or ``timeout`` seconds without a key."""
    accepts_dtmf = "dtmf" in attrs["input"].split()
    limit = attrs["numDigits"] or attrs["maxDigits"]
    finish = attrs["finishOnKey"] or ""
    digits = ""
    while True:
        if keys is None:
            keys = await texml.leg.spend(attrs["timeout"], listen=True)
            if keys is None:
                return digits
        for key in keys if accepts_dtmf else "":
            if key in finish:
                return digits
            digits += key
            if len(digits) >= limit:
                return digits
        keys = None


async def record(texml: Interpreter, node: etree._Element, attrs: Attributes) -> None:
    texml.leg.answer()
    if attrs["playBeep"]:
        texml.leg.record("beep")
    texml.leg.record("record-start")
    started = texml.leg.clock.elapsed
    deadline = started + (attrs["maxLength"] or math.inf)
    finished_by, reason = None, "max-length"
    try:
        while finished_by is None:
            keys = await texml.leg.spend(deadline - texml.leg.clock.elapsed, listen=True)
            if keys is None:
                break
            finished_by = next((key for key in keys if key in attrs["finishOnKey"]), None)
            reason = "finish-key" if finished_by else reason
    except CallEnded as end:
        url, duration = _recorded(texml, attrs, started, "hangup")
        if attrs["action"] and end.source == "callee":
            # The far end hung up: action still learns of the recording (Digits hangup, errata E-091),
            # but the call is over, so the document it answers with is not run.
            extra = {"RecordingUrl": url, "RecordingDuration": duration, "Digits": "hangup"}
            texml.leg.notify(texml.resolve(attrs["action"]), attrs["method"], texml.request_params(extra))
        raise
    url, duration = _recorded(texml, attrs, started, reason)
    if attrs["action"]:
        extra = {"RecordingUrl": url, "RecordingDuration": duration}
        if finished_by:
            extra["Digits"] = finished_by
        raise texml.go_to(attrs["action"], attrs["method"], **extra)


def _recorded(texml: Interpreter, attrs: Attributes, started: float, reason: str) -> tuple[str, str]:
    """Close the recording: timeline, recording status callback; returns its URL and duration."""
    duration = str(int(texml.leg.clock.elapsed - started))
    texml.leg.record("record-stop", duration=int(duration), reason=reason)
    sid = secrets.token_hex(16)
    url = f"{RECORDINGS}/{sid}.wav"
    if attrs["recordingStatusCallback"]:
        params = {
            "AccountSid": texml.leg.setup.account_sid,
            "CallSid": texml.leg.sid,
            "RecordingSid": sid,
            "RecordingUrl": url,
            "RecordingStatus": "completed",
            "RecordingDuration": duration,
            "RecordingChannels": "1",
            "RecordingSource": "RecordVerb",
        }
        texml.leg.notify(
            texml.resolve(attrs["recordingStatusCallback"]), attrs["recordingStatusCallbackMethod"], params
        )
    return url, duration


VERBS: dict[str, Handler] = {
    "Say": say,
    "Play": play,
    "Pause": pause,
    "Hangup": hangup,
    "Reject": reject,
    "Redirect": redirect,
    "Gather": gather,
    "Record": record,
}
