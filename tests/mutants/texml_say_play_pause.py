"""TeXML <Say>, <Play> and <Pause>: defaults, ranges, loops, voices and languages, keys heard during a prompt;
and the alternative of speech, audio and the beep lasting other lengths (scenarios texml/say/, texml/play/,
texml/pause/; errata E-030, E-150)."""

import itertools
import re
from collections.abc import Callable
from typing import Any

from conformance.texml.fixtures import default_dir, load_all
from conformance_emulator import Behaviour
from conformance_emulator.backend.audio import audio_seconds
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.controller import TexmlBehaviour
from conformance_emulator.controllers.texml.interpreter import Interpreter
from tests.mutants.builders import (
    Alternative,
    Attrs,
    Mutant,
    attrs_changed,
    catalogue_fact,
    verb,
)


def _nested_content_ignored() -> Behaviour:
    """Say and Play that act on nothing: the text or address nested in them is lost."""

    def emptied(real: Callable[..., Any]) -> Callable[..., Any]:
        async def handler(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> Any:
            node.text = ""
            return await real(texml, node, attrs, **kwargs)

        return handler

    table = {**verbs.VERBS, "Say": emptied(verbs.say), "Play": emptied(verbs.play)}
    return Behaviour(texml=TexmlBehaviour(verbs=table))


async def _pause_returns_at_once(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.answer()
    texml.leg.record("silence", length=attrs["length"])


async def _say_language_for_every_voice(
    texml: Interpreter, node: Any, attrs: Attrs, listen: bool = False
) -> str | None:
    texml.leg.answer()
    texml.leg.record("say", text=(node.text or "").strip(), voice=attrs["voice"], language=attrs["language"])
    return await texml.leg.spend(1, listen)


async def _play_deaf_in_gather(texml: Interpreter, node: Any, attrs: Attrs, listen: bool = False) -> str | None:
    return await verbs.play(texml, node, attrs)


# -- media of other lengths (errata E-030, E-150: no source states them) -----------------------------


def _repetitions(loop: int) -> Any:
    return itertools.count() if loop == 0 else range(loop)


async def _say_slowly(texml: Interpreter, node: Any, attrs: Attrs, listen: bool = False) -> str | None:
    """Speech of 2.5 s a word, at least 2 s (the emulator speaks 0.4 s a word, at least 1 s)."""
    texml.leg.answer()
    text = (node.text or "").strip()
    default = texml.catalogue.elements["Say"].attributes["language"].default
    language = attrs["language"] if attrs["voice"] == verbs.ALICE else default
    for _ in _repetitions(attrs["loop"]):
        texml.leg.record("say", text=text, voice=attrs["voice"], language=language)
        if keys := await texml.leg.play_sound(max(2.0, 2.5 * len(text.split())), listen):
            return keys
    return None


async def _play_after_gaps(texml: Interpreter, node: Any, attrs: Attrs, listen: bool = False) -> str | None:
    """Each repetition of the audio fetched anew, 0.5 s after the one before; audio it cannot read lasts 5 s."""
    texml.leg.answer()
    url = (node.text or "").strip()
    for count in _repetitions(attrs["loop"]):
        if count and (keys := await texml.leg.spend(0.5, listen)):
            return keys
        seconds = None if attrs["mediaStorage"] else await audio_seconds(texml.outbound, texml.resolve(url))
        texml.leg.record("play", url=url, media_storage=attrs["mediaStorage"])
        if keys := await texml.leg.play_sound(seconds or 5.0, listen):
            return keys
    return None


async def _record_after_a_long_beep(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """A beep that lasts 1 s, the longest errata E-150 accepts (the emulator's takes no time)."""
    if attrs["playBeep"]:
        texml.leg.answer()
        texml.leg.record("beep")
        await texml.leg.play_sound(1.0)
    await verbs.record(texml, node, {**attrs, "playBeep": False})


def _media_of_other_lengths() -> Behaviour:
    table = {**verbs.VERBS, "Say": _say_slowly, "Play": _play_after_gaps, "Record": _record_after_a_long_beep}
    return Behaviour(texml=TexmlBehaviour(verbs=table))


# Every TeXML scenario whose documents say, play or record something: none may depend on how long speech,
# audio or the beep last beyond what the sources and the scenario fix (errata E-030, E-150, E-151).
MEDIA_SCENARIOS = tuple(
    fixture.id
    for fixture in load_all(default_dir())
    if re.search(r"<(Say|Play|Record)\b", "".join(fixture.documents.values()))
)


MUTANTS: list[Mutant] = [
    # Say and Play
    Mutant("nested text and addresses ignored", ("texml/say/defaults", "texml/play/defaults"), _nested_content_ignored),
    # Pause
    Mutant("pause default 2 s", ("texml/pause/default-length",), catalogue_fact("Pause", "length", default=2)),
    Mutant("pause max clamped to 179", ("texml/pause/length-maximum",), catalogue_fact("Pause", "length", max=179)),
    Mutant("pause min clamped to 2", ("texml/pause/length-minimum",), catalogue_fact("Pause", "length", min=2)),
    Mutant(
        "pause returns at once",
        ("texml/pause/length-minimum", "texml/document/verbs-run-in-order"),
        verb("Pause", _pause_returns_at_once),
    ),
    # Say
    Mutant("say default voice woman", ("texml/say/defaults",), catalogue_fact("Say", "voice", default="woman")),
    Mutant("say voice ignored", ("texml/say/voice-woman",), attrs_changed("Say", lambda a: {**a, "voice": "man"})),
    Mutant(
        "say language ignored",
        ("texml/say/voice-alice-language",),
        attrs_changed("Say", lambda a: {**a, "language": "en-US"}),
    ),
    Mutant(
        "say loop one short",
        ("texml/say/loop-three",),
        attrs_changed("Say", lambda a: {**a, "loop": max(a["loop"] - 1, 1)}),
    ),
    Mutant("say loop max clamped to 99", ("texml/say/loop-maximum",), catalogue_fact("Say", "loop", max=99)),
    Mutant(
        "say language default de-DE",
        ("texml/say/alice-default-language",),
        catalogue_fact("Say", "language", default="de-DE"),
    ),
    Mutant(
        "say language for every voice",
        ("texml/say/language-ignored-without-alice",),
        verb("Say", _say_language_for_every_voice),
    ),
    Mutant(
        "say loop 0 plays once",
        ("texml/say/loop-zero-is-infinite",),
        attrs_changed("Say", lambda a: {**a, "loop": a["loop"] or 1}),
    ),
    # Play
    Mutant("play loop ignored", ("texml/play/loop-two",), attrs_changed("Play", lambda a: {**a, "loop": 1})),
    Mutant("play loop max clamped to 99", ("texml/play/loop-maximum",), catalogue_fact("Play", "loop", max=99)),
    Mutant(
        "play loop 0 plays once",
        ("texml/play/loop-zero-is-infinite",),
        attrs_changed("Play", lambda a: {**a, "loop": a["loop"] or 1}),
    ),
    Mutant(
        "play mediaStorage default true", ("texml/play/defaults",), catalogue_fact("Play", "mediaStorage", default=True)
    ),
    Mutant(
        "play mediaStorage ignored",
        ("texml/play/media-storage",),
        attrs_changed("Play", lambda a: {**a, "mediaStorage": False}),
    ),
    Mutant(
        "play inside Gather deaf to keys",
        ("texml/play/nested-in-gather-stops-on-key",),
        verb("Play", _play_deaf_in_gather),
    ),
]


# Documented alternative (errata E-030, E-150).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "Say, Play and the beep last other lengths than the emulator's (errata E-030, E-150)",
        MEDIA_SCENARIOS,
        _media_of_other_lengths,
    ),
]
