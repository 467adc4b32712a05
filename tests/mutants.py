"""Mutants of the reference emulator: each breaks one documented TeXML rule.

A mutant is the emulator's Behaviour with one part replaced: a catalogue fact
(wrong default, off-by-one range), a verb handler, a step of the TeXML Interpreter
(documents, Mustache, updates) or a step of the Leg (connecting, status callbacks,
ending). Each names the scenario files that must fail against it; the kill matrix
requires every scenario to be named by at least one mutant.
"""

import base64
import copy
import dataclasses
import itertools
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from lxml import etree

from conformance.callcontrol import fixtures as callcontrol_fixtures
from conformance.texml.fixtures import default_dir, load_all
from conformance_emulator import Behaviour
from conformance_emulator.backend.audio import audio_seconds
from conformance_emulator.backend.leg import CallEnded, Leg, Offer
from conformance_emulator.backend.notifier import Webhook
from conformance_emulator.backend.outbound import FORM, JSON
from conformance_emulator.backend.recording import CallRecordingSetup, Recording, Sound
from conformance_emulator.backend.signing import Signer
from conformance_emulator.controllers.callcontrol import webhooks
from conformance_emulator.controllers.callcontrol.controller import CallControlBehaviour, CallControlController
from conformance_emulator.controllers.callcontrol.driver import CallDriver
from conformance_emulator.controllers.callcontrol.media import Action, Gather, Playback, Speak
from conformance_emulator.controllers.texml import verbs
from conformance_emulator.controllers.texml.controller import TexmlBehaviour
from conformance_emulator.controllers.texml.interpreter import XML_PARSER, Fetch, Interpreter, Redirected
from conformance_emulator.controllers.texml.mustache import TemplateError
from conformance_emulator.controllers.texml.setup import outbound_setup
from conformance_specs.apis import api
from conformance_specs.catalogue import Catalogue, load

Attrs = dict[str, Any]


@dataclass(frozen=True)
class Mutant:
    name: str
    kills: tuple[str, ...]  # scenario ids (fixtures/<id>.yaml) that must fail
    behaviour: Callable[[], Behaviour]


@dataclass(frozen=True)
class Alternative:
    """The emulator following another behaviour a source documents (the errata say which): the scenarios it
    names must still pass, so a ruling that accepts both is shown to accept both."""

    name: str
    passes: tuple[str, ...]  # scenario ids (fixtures/<id>.yaml) that must pass
    behaviour: Callable[[], Behaviour]


def catalogue_fact(element: str, attribute: str, **changes: Any) -> Callable[[], Behaviour]:
    """The emulator reading a catalogue in which one attribute's default or range is wrong."""

    def build() -> Behaviour:
        real = load()
        old = real.elements[element]
        attributes = {**old.attributes, attribute: dataclasses.replace(old.attributes[attribute], **changes)}
        elements = {**real.elements, element: dataclasses.replace(old, attributes=attributes)}
        return Behaviour(texml=TexmlBehaviour(catalogue=Catalogue(real.root, real.dtmf_alphabet, elements)))

    return build


def verb(name: str, handler: Callable[..., Any]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(texml=TexmlBehaviour(verbs={**verbs.VERBS, name: handler}))


def attrs_changed(name: str, change: Callable[[Attrs], Attrs]) -> Callable[[], Behaviour]:
    """A verb that misreads its attributes (``change`` rewrites them before the real handler runs)."""
    real = verbs.VERBS[name]

    async def handler(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> Any:
        return await real(texml, node, change(dict(attrs)), **kwargs)

    return verb(name, handler)


def interpreter_class(**overrides: Any) -> Callable[[], Behaviour]:
    """The TeXML interpreter with some steps replaced."""
    return lambda: Behaviour(
        texml=TexmlBehaviour(interpreter_class=type("MutantInterpreter", (Interpreter,), overrides))
    )


def leg_class(**overrides: Any) -> Callable[[], Behaviour]:
    """The call leg with some steps replaced."""
    mutant = type("MutantLeg", (Leg,), overrides)
    return lambda: Behaviour(leg_class=mutant)


def template_rewritten(pattern: str, replacement: str) -> Callable[[], Behaviour]:
    """Mustache that misreads a construct: the template is rewritten before rendering."""

    def render(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
        return Interpreter.render(self, re.sub(pattern, replacement, template, flags=re.DOTALL), params)

    return interpreter_class(render=render)


# -- replaced steps --------------------------------------------------------------------------


async def _ignored(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> None:
    return None


async def _reject_after_answering(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.answer()
    await verbs.reject(texml, node, attrs)


async def _reject_continues(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.record("rejected", reason=attrs["reason"])


async def _gather_digits_keep_finish_key(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Ends at the finish key as the real Gather does, but sends it in Digits with the keys before it (E-160)."""
    finish = attrs["finishOnKey"] or ""
    attrs = {**attrs, "finishOnKey": None, "numDigits": None}
    keys = await texml.leg.spend(attrs["timeout"], listen=True)
    digits = ""
    while keys:
        digits += keys
        if any(key in finish for key in keys):
            break
        keys = await texml.leg.spend(attrs["timeout"], listen=True)
    if digits and attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits=digits, CallSidLegacy=texml.leg.setup.sid)


def _gather_action_changed(change: Callable[[dict[str, str]], dict[str, str]]) -> Callable[[], Behaviour]:
    """The real Gather, whose request to action (or invalidDigitsAction) carries parameters ``change`` rewrote."""

    async def handler(texml: Interpreter, node: Any, attrs: Attrs) -> None:
        try:
            await verbs.gather(texml, node, attrs)
        except Redirected as moved:
            raise Redirected(dataclasses.replace(moved.fetch, extra=change(dict(moved.fetch.extra)))) from None

    return verb("Gather", handler)


async def _gather_timeout_from_start(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Counts the timeout from the start of the gather instead of from the last digit."""
    texml.leg.answer()
    deadline, digits = texml.leg.clock.elapsed + attrs["timeout"], ""
    while (left := deadline - texml.leg.clock.elapsed) > 0:
        keys = await texml.leg.spend(left, listen=True)
        if keys is None:
            break
        digits += keys
    if digits and attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits=digits)


async def _gather_without_prompts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    for child in list(node):
        node.remove(child)
    await verbs.gather(texml, node, attrs)


async def _gather_action_posts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.setup = dataclasses.replace(texml.setup, url_method="POST")
    await verbs.gather(texml, node, attrs)


async def _record_key_any(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    await verbs.record(texml, node, {**attrs, "finishOnKey": load().dtmf_alphabet})


async def _record_digits_always(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Sends Digits even when no key ended the recording."""
    try:
        await verbs.record(texml, node, attrs)
    except Redirected as moved:
        extra = {**moved.fetch.extra, "Digits": moved.fetch.extra.get("Digits", "hangup")}
        raise Redirected(dataclasses.replace(moved.fetch, extra=extra)) from None


async def _gather_empty_digits_to_action(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Requests action with empty Digits when nothing was pressed, instead of going on with the document."""
    await verbs.gather(texml, node, attrs)
    if attrs["action"]:
        raise texml.go_to(attrs["action"], texml.setup.url_method, Digits="")


async def _gather_invalid_digits_action_posts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Requests invalidDigitsAction with POST whatever the application's method."""
    try:
        await verbs.gather(texml, node, attrs)
    except Redirected as moved:
        invalid = attrs["invalidDigitsAction"]
        if invalid and moved.fetch.url == texml.resolve(invalid):
            raise Redirected(dataclasses.replace(moved.fetch, method="POST")) from None
        raise


class _PromptTimedOut(Exception):
    pass


class _LegUntil:
    """A leg whose time stops at ``deadline``: spending beyond it raises _PromptTimedOut."""

    def __init__(self, leg: Leg, deadline: float) -> None:
        self._leg, self._deadline = leg, deadline

    def __getattr__(self, name: str) -> Any:
        return getattr(self._leg, name)

    async def spend(self, seconds: float, listen: bool = False) -> str | None:
        left = self._deadline - self._leg.clock.elapsed
        if left <= 0:
            raise _PromptTimedOut
        keys = await self._leg.spend(min(seconds, left), listen)
        if keys is None and seconds > left:
            raise _PromptTimedOut
        return keys

    async def play_sound(self, seconds: float, listen: bool = False) -> str | None:
        # The leg's own play_sound, spending through this wrapper so the deadline holds for prompts too.
        return await Leg.play_sound(self, seconds, listen)  # type: ignore[arg-type]


async def _gather_timeout_during_prompts(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Starts the timeout with the nested prompts: once it passes without a key, the prompts are cut and the gather
    ends with no input."""
    deadline = texml.leg.clock.elapsed + attrs["timeout"]

    def cut(handler: Callable[..., Any]) -> Callable[..., Any]:
        async def prompt(interpreter: Interpreter, child: Any, child_attrs: Attrs, listen: bool = False) -> Any:
            timed = copy.copy(interpreter)
            timed.leg = _LegUntil(interpreter.leg, deadline)  # type: ignore[assignment]
            return await handler(timed, child, child_attrs, listen=listen)

        return prompt

    timed = copy.copy(texml)
    timed.verbs = {**texml.verbs, "Say": cut(texml.verbs["Say"]), "Play": cut(texml.verbs["Play"])}
    try:
        await verbs.gather(timed, node, attrs)
    except _PromptTimedOut:
        return


class _LegNotNotifying:
    """A leg that never sends the requests it is asked to send to ``url``."""

    def __init__(self, leg: Leg, url: str) -> None:
        self._leg, self._url = leg, url

    def __getattr__(self, name: str) -> Any:
        return getattr(self._leg, name)

    def notify(self, url: str, *args: Any) -> None:
        if url != self._url:
            self._leg.notify(url, *args)


async def _record_action_skipped_on_hangup(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Tells action nothing when the far end hangs up during the recording."""
    quiet = copy.copy(texml)
    if attrs["action"]:
        quiet.leg = _LegNotNotifying(texml.leg, texml.resolve(attrs["action"]))  # type: ignore[assignment]
    await verbs.record(quiet, node, attrs)


def _inbound_status_callback_ignored(self: Leg, setup: Any, *args: Any) -> None:
    if setup.direction == "inbound":
        setup = dataclasses.replace(setup, status_callback=None)
    Leg.__init__(self, setup, *args)


def _status_params_without(name: str) -> Callable[..., dict[str, str]]:
    def status_params(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
        return {k: v for k, v in Leg.status_params(self, status, hangup_source).items() if k != name}

    return status_params


def _status_params_reversed(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    params = Leg.status_params(self, status, hangup_source)
    params["SequenceNumber"] = str(10 - int(params["SequenceNumber"]))
    return params


def _leg_setup_changed(**changes: Any) -> Callable[[], Behaviour]:
    """A leg that misreads how it was asked for (status callbacks, timeout)."""

    def __init__(self: Leg, setup: Any, *args: Any) -> None:
        Leg.__init__(self, dataclasses.replace(setup, **changes), *args)

    return leg_class(__init__=__init__)


def _texml_setup_changed(**changes: Any) -> Callable[[], Behaviour]:
    """An interpreter that misreads where the first document comes from."""

    def __init__(self: Interpreter, leg: Leg, setup: Any, *args: Any) -> None:
        Interpreter.__init__(self, leg, dataclasses.replace(setup, **changes), *args)

    return interpreter_class(__init__=__init__)


def _initiate_body_changed(change: Callable[[dict[str, Any]], dict[str, Any]]) -> Callable[[], Behaviour]:
    """InitiateCall misreading its body (``change`` rewrites it before the call is set up)."""

    def setup(sid: str, account_sid: str, body: dict[str, Any], application: Any) -> Any:
        return outbound_setup(sid, account_sid, change(dict(body)), application)

    return lambda: Behaviour(texml=TexmlBehaviour(outbound_setup=setup))


def _offer_changed(change: Callable[[dict[str, Any], Offer], Offer]) -> Callable[[], Behaviour]:
    """InitiateCall building what the far end is offered wrongly (``change`` rewrites the offer from the body)."""

    def setup(sid: str, account_sid: str, body: dict[str, Any], application: Any) -> Any:
        leg, documents = outbound_setup(sid, account_sid, body, application)
        assert leg.offer is not None, "every outbound TeXML call makes an offer"
        return dataclasses.replace(leg, offer=change(body, leg.offer)), documents

    return lambda: Behaviour(texml=TexmlBehaviour(outbound_setup=setup))


def _first_custom_header_only(body: dict[str, Any]) -> dict[str, Any]:
    if body.get("CustomHeaders"):
        body["CustomHeaders"] = body["CustomHeaders"][:1]
    return body


def _first_codec_only(body: dict[str, Any]) -> dict[str, Any]:
    if "PreferredCodecs" in body:
        body["PreferredCodecs"] = body["PreferredCodecs"].split(",")[0]
    return body


async def _auth_refusal_as_busy(self: Leg) -> None:
    """Reports the far end refusing the call's credentials (a 403) as busy instead of failed."""
    try:
        await Leg.connect(self)
    except CallEnded as end:
        if self.authenticated():
            raise
        raise CallEnded(end.cause, end.source, status="busy") from None


def _application_ignored(*members: str) -> Callable[[], Behaviour]:
    """InitiateCall not inheriting ``members`` from the TeXML application the call names."""

    def setup(sid: str, account_sid: str, body: dict[str, Any], application: Any) -> Any:
        kept = {k: v for k, v in (application or {}).items() if k not in members}
        return outbound_setup(sid, account_sid, body, kept)

    return lambda: Behaviour(texml=TexmlBehaviour(outbound_setup=setup))


def _without(name: str) -> Callable[[dict[str, Any]], dict[str, Any]]:
    return lambda body: {k: v for k, v in body.items() if k != name}


def _first_event_only(body: dict[str, Any]) -> dict[str, Any]:
    if "StatusCallbackEvent" in body:
        body["StatusCallbackEvent"] = body["StatusCallbackEvent"].split(" ")[0]
    return body


def _first_recording_event_only(body: dict[str, Any]) -> dict[str, Any]:
    if "RecordingStatusCallbackEvent" in body:
        body["RecordingStatusCallbackEvent"] = body["RecordingStatusCallbackEvent"].split(" ")[0]
    return body


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


def _party_changed(**changes: Any) -> Callable[[], Behaviour]:
    def __init__(self: Leg, setup: Any, party: Any, *args: Any) -> None:
        Leg.__init__(self, setup, dataclasses.replace(party, **changes), *args)

    return leg_class(__init__=__init__)


def _callbacks_without(name: str) -> Callable[..., None]:
    """Every callback loses ``name`` (status callbacks never carry the recording fields this removes)."""

    def notify(self: Leg, url: str, method: str, params: Mapping[str, str], *args: Any) -> None:
        Leg.notify(self, url, method, {k: v for k, v in params.items() if k != name}, *args)

    return notify


def _query_only(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
    sent = Interpreter.request_params(self)
    return {k: v for k, v in Interpreter.template_params(self, fetch).items() if k not in sent}


def _interrupt_ignored(self: Interpreter, reason: Any) -> bool:
    return False


def _api_hangup_always_completed(self: Interpreter, reason: Any) -> bool:
    """Ends a call through the API as completed, even one that never connected."""
    if isinstance(reason, CallEnded):
        reason = CallEnded(reason.cause, reason.source, status="completed")
    return Interpreter.interrupt(self, reason)


async def _busy_answers(self: Leg) -> None:
    self.party = dataclasses.replace(self.party, outcome="answer")
    await Leg.connect(self)


def _failed_as_busy(self: Leg) -> Any:
    if self.party.outcome == "failed":
        self.party = dataclasses.replace(self.party, outcome="busy")
    return Leg.connect(self)


def _unanswered_as_completed(self: Leg, end: CallEnded) -> None:
    """Reports a call that rang out unanswered as completed, as if it had connected (errata E-122)."""
    if end.status == "no-answer":
        end = CallEnded(end.cause, end.source, status="completed")
    Leg.finish(self, end)


def _unanswered_duration_rounded_up(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Gives a call that never connected a CallDuration of 1 s (errata E-056)."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params and self.answered_at is None:
        params["CallDuration"] = "1"
    return params


def _unanswered_as_canceled(self: Leg, end: CallEnded) -> None:
    """Reports a call that rang out unanswered as canceled, in the Timeout member's words (errata E-122)."""
    if end.status == "no-answer":
        end = CallEnded(end.cause, end.source, status="canceled")
    Leg.finish(self, end)


async def _busy_or_failed_without_ringing(self: Leg) -> None:
    """A busy or failed far end ends the call straight after initiated, with no ringing callback (errata E-124)."""
    if self.setup.direction != "inbound" and self.party.outcome in ("busy", "failed"):
        self.set_status("initiated")
        raise CallEnded(self.party.outcome, "callee", status=self.party.outcome)
    await Leg.connect(self)


def _no_duration_before_answer(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Leaves CallDuration out for a call that never connected (upstream: only with a start and end time)."""
    params = Leg.status_params(self, status, hangup_source)
    return {k: v for k, v in params.items() if k != "CallDuration" or self.answered_at is not None}


def _set_status_noting_initiation(self: Leg, status: str, hangup_source: str | None = None) -> None:
    if status == "initiated":
        self.initiated_at = self.clock.elapsed  # type: ignore[attr-defined]
    Leg.set_status(self, status, hangup_source)


def _duration_from_initiation(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Counts an answered call's CallDuration from its start (initiated), ringing included (errata E-161)."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params and self.answered_at is not None:
        started = getattr(self, "initiated_at", self.answered_at)
        params["CallDuration"] = str(int(self.clock.elapsed - started))
    return params


def _duration_in_milliseconds(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    """Gives CallDuration in milliseconds, where every source says seconds."""
    params = Leg.status_params(self, status, hangup_source)
    if "CallDuration" in params:
        params["CallDuration"] = str(int(params["CallDuration"]) * 1000)
    return params


def _call_sid_legacy_of_another_call(self: Leg, status: str, hangup_source: str | None) -> dict[str, str]:
    params = Leg.status_params(self, status, hangup_source)
    params["CallSidLegacy"] = params["CallSid"] + "-other"
    return params


def _end_as_crash(self: Leg, end: CallEnded) -> None:
    if end.cause == "invalid-document":
        raise RuntimeError("crashed")
    Leg.finish(self, end)


# -- documents, request parameters, Say, Play, Hangup ---------------------------------------


def _render_bottom_up(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Runs a document's verbs from the last to the first."""
    root = etree.fromstring(Interpreter.render(self, template, params).encode(), XML_PARSER)
    root[:] = list(reversed(root))
    return etree.tostring(root, encoding="unicode")


def _render_refusing_declarations(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Reads only documents without an XML declaration (the call ends as on an invalid document)."""
    if template.lstrip().startswith("<?xml"):
        raise TemplateError("declaration")
    return Interpreter.render(self, template, params)


def _render_any_letter_case(self: Interpreter, template: str, params: Mapping[str, Any]) -> str:
    """Reads element names without regard to letter case (<say> as <Say>)."""
    names = {name.lower(): name for name in self.verbs}

    def canonical(match: re.Match[str]) -> str:
        return match.group(1) + names.get(match.group(2).lower(), match.group(2))

    return Interpreter.render(self, re.sub(r"(</?)(\w+)", canonical, template), params)


def _inbound_without_url(self: Interpreter, leg: Leg, setup: Any, *args: Any) -> None:
    """An incoming call that never asks its application for a document."""
    if leg.setup.direction == "inbound":
        setup = dataclasses.replace(setup, url=None)
    Interpreter.__init__(self, leg, setup, *args)


def _first_fetch_only(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Sends From and To with the first document request only."""
    params = Interpreter.request_params(self, extra)
    if self.document is not None:
        params = {k: v for k, v in params.items() if k not in ("From", "To")}
    return params


def _numbers_without_plus(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    params = Interpreter.request_params(self, extra)
    return {k: v.lstrip("+") if k in ("From", "To") else v for k, v in params.items()}


def _request_param_changed(name: str, change: Callable[[Interpreter, str], str]) -> Callable[..., dict[str, str]]:
    """Document and action requests whose ``name`` (when sent) is rewritten by ``change``."""

    def request_params(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
        params = Interpreter.request_params(self, extra)
        return {k: change(self, v) if k == name else v for k, v in params.items()}

    return request_params


def _opposite_direction(texml: Interpreter, direction: str) -> str:
    return "outbound-api" if direction == "inbound" else "inbound"


def _record_url_renamed(name: str, value: Callable[[str], str]) -> Callable[..., dict[str, str]]:
    """Record's action request carries the recording's URL as ``name`` with ``value(url)`` (errata E-017)."""

    def request_params(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
        extra = dict(extra)
        if "RecordingUrl" in extra:
            extra[name] = value(extra.pop("RecordingUrl"))
        return Interpreter.request_params(self, extra)

    return request_params


def _seed_request_parameters_only(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Fetches carry CallSid, From and To (seed 004's table); only Gather's action adds AccountSid (errata E-120)."""
    dropped = {"CallStatus", "Direction"} | (set() if "Digits" in extra else {"AccountSid"})
    return {k: v for k, v in Interpreter.request_params(self, extra).items() if k not in dropped}


def _list_keeps_last_item(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
    params = Interpreter.template_params(self, fetch)
    return {k: v[-1:] if isinstance(v, list) else v for k, v in params.items()}


def _template_without(name: str) -> Callable[..., dict[str, Any]]:
    def template_params(self: Interpreter, fetch: Fetch | None) -> dict[str, Any]:
        return {k: v for k, v in Interpreter.template_params(self, fetch).items() if k != name}

    return template_params


async def _redirect_as_subroutine(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    """Runs the linked document, then comes back to the rest of the current one."""
    try:
        await verbs.redirect(texml, node, attrs)
    except Redirected as moved:
        current = texml.document
        await texml.run_document(moved.fetch, first=False)
        texml.document = current


async def _pause_returns_at_once(texml: Interpreter, node: Any, attrs: Attrs) -> None:
    texml.leg.answer()
    texml.leg.record("silence", length=attrs["length"])


async def _say_language_for_every_voice(
    texml: Interpreter, node: Any, attrs: Attrs, listen: bool = False
) -> str | None:
    texml.leg.answer()
    texml.leg.record("say", text=(node.text or "").strip(), voice=attrs["voice"], language=attrs["language"])
    return await texml.leg.spend(1, listen)


def _nested_content_ignored() -> Behaviour:
    """Say and Play that act on nothing: the text or address nested in them is lost."""

    def emptied(real: Callable[..., Any]) -> Callable[..., Any]:
        async def handler(texml: Interpreter, node: Any, attrs: Attrs, **kwargs: Any) -> Any:
            node.text = ""
            return await real(texml, node, attrs, **kwargs)

        return handler

    table = {**verbs.VERBS, "Say": emptied(verbs.say), "Play": emptied(verbs.play)}
    return Behaviour(texml=TexmlBehaviour(verbs=table))


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


def _recording_duration_in_ms(self: Interpreter, extra: Mapping[str, str] = {}) -> dict[str, str]:
    """Record's action request gives RecordingDuration in milliseconds, not the seconds seed 004 says."""
    extra = dict(extra)
    if "RecordingDuration" in extra:
        extra["RecordingDuration"] = str(int(extra["RecordingDuration"]) * 1000)
    return Interpreter.request_params(self, extra)


def _every_end_by_caller(self: Leg, end: CallEnded) -> None:
    Leg.finish(self, CallEnded(end.cause, "caller", end.status))


# -- Call Control webhooks -------------------------------------------------------------------


class _UnsignedSigner(Signer):
    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        return {}


class _BodyOnlySigner(Signer):
    """Signs the body alone, without the '<timestamp>|' prefix upstream signs."""

    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        signature = base64.b64encode(self._key.sign(body).signature).decode()
        return {"telnyx-timestamp": str(timestamp), "telnyx-signature-ed25519": signature}


class _StaleSigner(Signer):
    def headers(self, body: bytes, timestamp: int) -> dict[str, str]:
        return Signer.headers(self, body, timestamp - 400)


class _ConnectionIdAsNumber(CallDriver):
    """Webhook payloads carry connection_id as a number where the contract says string."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.connection_id = 12345  # type: ignore[assignment]


class _ClientStateDropped(CallDriver):
    """Forgets every client_state a command sets."""

    @property
    def client_state(self) -> str | None:
        return None

    @client_state.setter
    def client_state(self, value: str | None) -> None:
        pass


def driver(driver_class: type[CallDriver]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=driver_class))


Body = dict[str, Any]


def command_changed(action: str, change: Callable[[Body], Body]) -> Callable[[], Behaviour]:
    """A command that misreads its body (``change`` rewrites it before the real handler runs)."""

    def build() -> Behaviour:
        real = getattr(CallControlController(None, None), "_" + action)  # type: ignore[arg-type]
        handler = lambda call, body: real(call, change(dict(body)))  # noqa: E731
        return Behaviour(callcontrol=CallControlBehaviour(commands={action: handler}))

    return build


def command_ignored(action: str) -> Callable[[], Behaviour]:
    """A command answered ok that does nothing."""
    return lambda: Behaviour(callcontrol=CallControlBehaviour(commands={action: lambda call, body: None}))


def defaulted(**defaults: Any) -> Callable[[Body], Body]:
    """A body in which the members left out take other defaults than the contract's."""
    return lambda body: {**defaults, **body}


def without(*members: str) -> Callable[[Body], Body]:
    return lambda body: {key: value for key, value in body.items() if key not in members}


def shifted(member: str, by: int) -> Callable[[Body], Body]:
    """A member read one off (only when given: the contract's default is kept)."""
    return lambda body: {**body, member: body[member] + by} if isinstance(body.get(member), int) else body


Payload = dict[str, Any]


class _RewritingChannel:
    """A leg's callback channel whose webhooks are rewritten (or dropped, when ``change`` gives None) when queued."""

    def __init__(self, channel: Any, change: Callable[[str, Payload], Payload | None]) -> None:
        self._channel, self._change = channel, change

    def __getattr__(self, name: str) -> Any:
        return getattr(self._channel, name)

    def put_webhook(self, webhook: Webhook) -> None:
        data = dict(webhook.envelope["data"])
        payload = self._change(data["event_type"], dict(data["payload"]))
        if payload is None:
            return
        self._channel.put_webhook(dataclasses.replace(webhook, envelope={"data": {**data, "payload": payload}}))


def webhooks_changed(change: Callable[[str, Payload], Payload | None]) -> Callable[[], Behaviour]:
    class Rewriting(CallDriver):
        def __init__(self, leg: Leg, *args: Any, **kwargs: Any) -> None:
            leg.callbacks = _RewritingChannel(leg.callbacks, change)  # type: ignore[assignment]
            super().__init__(leg, *args, **kwargs)

    return driver(Rewriting)


def webhook_dropped(event_type: str) -> Callable[[], Behaviour]:
    return webhooks_changed(lambda event, payload: None if event == event_type else payload)


def member_replaced(events: str, member: str, old: Any, new: Any) -> Callable[[], Behaviour]:
    """Webhooks whose event_type matches ``events`` (a regex) say ``new`` where they should say ``old``."""

    def change(event: str, payload: Payload) -> Payload:
        if re.fullmatch(events, event) and payload.get(member) == old:
            return {**payload, member: new}
        return payload

    return webhooks_changed(change)


def member_changed(event_type: str, member: str, change: Callable[[Any], Any]) -> Callable[[], Behaviour]:
    def rewrite(event: str, payload: Payload) -> Payload:
        return {**payload, member: change(payload.get(member))} if event == event_type else payload

    return webhooks_changed(rewrite)


def _from_and_to_swapped(event: str, payload: Payload) -> Payload:
    if "from" in payload and "to" in payload:
        return {**payload, "from": payload["to"], "to": payload["from"]}
    return payload


def _leg_setup_shifted(**deltas: int) -> Callable[[], Behaviour]:
    """A leg whose numeric settings (timeout, time_limit) are one off, whether given or defaulted."""

    def __init__(self: Leg, setup: Any, *args: Any) -> None:
        changes = {name: getattr(setup, name) + delta for name, delta in deltas.items()}
        Leg.__init__(self, dataclasses.replace(setup, **changes), *args)

    return leg_class(__init__=__init__)


def answer_settings_changed(change: Callable[[Body], Body]) -> Callable[[], Behaviour]:
    """A leg that misreads what Dial asked to happen once the call is answered."""

    class Misread(CallDriver):
        def answered_now(self) -> None:
            self.answer_settings = change(dict(self.answer_settings))
            super().answered_now()

    return driver(Misread)


class _DialClientStateIgnored(CallDriver):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.client_state = None


class _CommandIdsForgotten(CallDriver):
    """Never remembers a command_id, so a repeated command acts again."""

    @property
    def command_ids(self) -> set[str]:
        return set()

    @command_ids.setter
    def command_ids(self, value: set[str]) -> None:
        pass


class _AnyIdIsKnown(set[str]):
    def __contains__(self, item: object) -> bool:
        return bool(self)


class _EveryCommandIdARepeat(CallDriver):
    """Takes any command_id for a repeat once one was used."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command_ids = _AnyIdIsKnown()


class _EndedCallTakesCommands(CallDriver):
    @property
    def ended(self) -> bool:
        return False


class _AnsweredFromTheStart(CallDriver):
    @property
    def answered(self) -> bool:
        return True


class _NeverBridges(CallDriver):
    def bridge(self, other: CallDriver) -> None:
        pass


class _ReferAlwaysCompletes(CallDriver):
    """Takes any final answer to a REFER for success: a refusal comes as call.refer.completed."""

    def refer(self, sip_address: str) -> None:
        self.leg.record("refer", sip_address=sip_address)
        webhooks.send(self, "call.refer.started", sip_notify_response=100)
        webhooks.send(self, "call.refer.completed", sip_notify_response=self.leg.party.refer_response)


class _ReferHangsUp(CallDriver):
    """Drops the call once a REFER is answered, as if it had been transferred even when it was refused."""

    def refer(self, sip_address: str) -> None:
        super().refer(sip_address)
        self.hang_up(CallEnded("hangup", "caller"))


class _RecordingLostOnHangup(CallDriver):
    """Drops a running recording when the application hangs up, so it is never stopped nor saved."""

    def hang_up(self, end: CallEnded) -> None:
        self.recording = None
        super().hang_up(end)


class _StorageFailureHidden(CallDriver):
    """Never notices that storing a recording failed: it reports the recording saved all the same."""

    def stop_recording(self, reason: str) -> None:
        self.leg.party = dataclasses.replace(self.leg.party, recording_error=None)
        super().stop_recording(reason)


class _StorageFailureHangsUp(CallDriver):
    """Ends the call when a recording cannot be stored."""

    def stop_recording(self, reason: str) -> None:
        failed = self.recording is not None and self.leg.party.recording_error is not None
        super().stop_recording(reason)
        if failed and not self.ended:
            self.hang_up(CallEnded("hangup", "caller"))


# -- Call Control audio of other timing (errata E-030, E-153: no source fixes it) ------------------------

GAP_SECONDS = 0.5


@dataclass
class _PlaybackAfterGaps(Playback):
    """Each repetition of the audio (a loop's, or a gather's prompt played again after a timeout) starts 0.5 s
    after the one before ends; audio it cannot read lasts 5 s (the emulator: no gap, 3 s)."""

    _gap: bool = False
    _started: bool = False

    async def prepare(self, driver: CallDriver) -> None:
        await Playback.prepare(self, driver)
        self.seconds = self.seconds or 5.0

    def start(self, driver: CallDriver) -> None:
        if not self._started:
            self._started = True
            Playback.start(self, driver)
            return
        self._left, self._gap = 0, True  # the gather's next try: its prompt plays after a gap
        self.deadline = driver.leg.clock.elapsed + GAP_SECONDS

    def due(self, driver: CallDriver) -> bool:
        if self._gap:
            self._gap = False
            if self._left <= 0:
                Playback.start(self, driver)
            else:
                self._once(driver)
            return False
        if self._left > 1:
            self._left -= 1
            self._gap = True
            self.deadline = driver.leg.clock.elapsed + GAP_SECONDS
            return False
        return Playback.due(self, driver)


@dataclass
class _GatherTimingFromThePrompt(Gather):
    """Counts timeout_millis from the start of the prompt, where upstream counts it from the prompt's end."""

    _prompt_at: float = 0.0

    def _attempt(self, driver: CallDriver, prompt: Action | None) -> None:
        self._prompt_at = driver.leg.clock.elapsed
        Gather._attempt(self, driver, prompt)

    def _listen(self, driver: CallDriver) -> None:
        Gather._listen(self, driver)
        self._ends_at = self._prompt_at + self.overall
        self.deadline = min(self._prompt_at + self.first, self._ends_at)


def _gather_timing_from_the_prompt(action: str) -> Callable[[], Behaviour]:
    """gather_using_audio or gather_using_speak counting timeout_millis from the start of each prompt."""

    def build() -> Behaviour:
        real = getattr(CallControlController(None, None), "_" + action)  # type: ignore[arg-type]

        def handler(call: CallDriver, body: Body) -> None:
            real(call, body)
            call.media[-1].__class__ = _GatherTimingFromThePrompt

        return Behaviour(callcontrol=CallControlBehaviour(commands={action: handler}))

    return build


def _playbacks_after_gaps() -> Behaviour:
    """playback_start and gather_using_audio as the emulator runs them, their audio played by _PlaybackAfterGaps."""
    controller = CallControlController(None, None)  # type: ignore[arg-type]

    def with_gaps(action: str) -> Callable[[CallDriver, Body], Any]:
        real = getattr(controller, "_" + action)

        def handler(call: CallDriver, body: Body) -> Any:
            result = real(call, body)
            queued = call.media[-1]
            for playback in (queued, getattr(queued, "prompt", None), getattr(queued, "invalid_prompt", None)):
                if type(playback) is Playback:
                    playback.__class__ = _PlaybackAfterGaps
            return result

        return handler

    commands = {action: with_gaps(action) for action in ("playback_start", "gather_using_audio")}
    return Behaviour(callcontrol=CallControlBehaviour(commands=commands))


# -- Call Control speech of another length (errata E-030, E-154: no source states it) -------------------

SLOW_SECONDS_PER_WORD = 1.1


@dataclass
class _SlowerSpeech(Speak):
    """Speech of 1.1 s a word, not rounded (the emulator: 0.4 s a word rounded up to whole seconds, at least 1 s)."""

    def _once(self, driver: CallDriver) -> None:
        driver.leg.record("say", text=self.payload, voice=self.voice, language=self.language)
        self.deadline = driver.leg.clock.elapsed + SLOW_SECONDS_PER_WORD * len(self.payload.split())


def _slower_speech() -> Behaviour:
    """speak and gather_using_speak as the emulator runs them, their speech (and prompts) said by _SlowerSpeech."""
    controller = CallControlController(None, None)  # type: ignore[arg-type]

    def slower(action: str) -> Callable[[CallDriver, Body], Any]:
        real = getattr(controller, "_" + action)

        def handler(call: CallDriver, body: Body) -> Any:
            before = len(call.media)
            result = real(call, body)
            for queued in list(call.media)[before:]:
                for speech in (queued, getattr(queued, "prompt", None), getattr(queued, "invalid_prompt", None)):
                    if type(speech) is Speak:
                        speech.__class__ = _SlowerSpeech
            return result

        return handler

    commands = {action: slower(action) for action in ("speak", "gather_using_speak")}
    return Behaviour(callcontrol=CallControlBehaviour(commands=commands))


def signer(signer_class: type[Signer]) -> Callable[[], Behaviour]:
    return lambda: Behaviour(signer_class=signer_class)


CALL_CONTROL_SMOKE = ("call-control/speak/speaks-the-payload",)
# Every TeXML scenario whose documents say, play or record something: none may depend on how long speech,
# audio or the beep last beyond what the sources and the scenario fix (errata E-030, E-150, E-151).
MEDIA_SCENARIOS = tuple(
    fixture.id
    for fixture in load_all(default_dir())
    if re.search(r"<(Say|Play|Record)\b", "".join(fixture.documents.values()))
)
# Every Call Control scenario that plays audio (playback_start, gather_using_audio): none may depend on gaps
# between repetitions of it, nor on how long audio the harness does not serve lasts (errata E-030, E-153).
CALL_CONTROL_AUDIO_SCENARIOS = tuple(
    fixture.id
    for fixture in callcontrol_fixtures.load_all(default_dir(), api("callcontrol"))
    if any(reaction.send in ("playback_start", "gather_using_audio") for reaction in fixture.reactions)
)
# Every Call Control scenario that speaks (speak, gather_using_speak): none may depend on how long its speech
# lasts (errata E-030, E-154).
CALL_CONTROL_SPEECH_SCENARIOS = tuple(
    fixture.id
    for fixture in callcontrol_fixtures.load_all(default_dir(), api("callcontrol"))
    if any(reaction.send in ("speak", "gather_using_speak") for reaction in fixture.reactions)
)
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


def _notify_as_json(self: Leg, url: str, method: str, params: Mapping[str, str], encoding: str = FORM) -> None:
    Leg.notify(self, url, method, params, JSON)


MUTANTS: list[Mutant] = [
    # Documents
    Mutant("verbs run bottom up", ("texml/document/verbs-run-in-order",), interpreter_class(render=_render_bottom_up)),
    Mutant(
        "XML declaration refused",
        ("texml/document/declaration-and-comments",),
        interpreter_class(render=_render_refusing_declarations),
    ),
    Mutant(
        "any root element runs",
        ("texml/document/root-must-be-response",),
        template_rewritten(r"^\s*<Document>(.*)</Document>\s*$", r"<Response>\1</Response>"),
    ),
    Mutant(
        "verb names in any letter case",
        ("texml/document/verbs-case-sensitive",),
        interpreter_class(render=_render_any_letter_case),
    ),
    Mutant(
        "inbound call ignores the application's URL",
        ("texml/reject/first-verb-never-answers",),
        interpreter_class(__init__=_inbound_without_url),
    ),
    Mutant(
        "From and To on the first fetch only",
        ("texml/document/request-parameters",),
        interpreter_class(request_params=_first_fetch_only),
    ),
    Mutant(
        "numbers sent without the plus",
        ("texml/document/request-parameters",),
        interpreter_class(request_params=_numbers_without_plus),
    ),
    # Parameters no source requires on a document fetch, wrong when sent (errata E-120)
    Mutant(
        "fetches send a CallStatus that is no call status",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/call/application-voice-url",
            "texml/callbacks/answer-after-ringing",
            "texml/redirect/relative-url-default-post",
            "texml/reject/first-verb-never-answers",
        ),
        interpreter_class(request_params=_request_param_changed("CallStatus", lambda texml, status: "answered")),
    ),
    Mutant(
        "fetches send the opposite Direction",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/gather/action-uses-application-method",
            "texml/gather/invalid-digits-action-uses-application-method",
            "texml/reject/first-verb-never-answers",
        ),
        interpreter_class(request_params=_request_param_changed("Direction", _opposite_direction)),
    ),
    Mutant(
        "fetches name another account",
        ("texml/call/url-method-get", "texml/pause/default-length", "texml/gather/digits-sent-to-action"),
        interpreter_class(request_params=_request_param_changed("AccountSid", lambda texml, sid: sid + "-other")),
    ),
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
    # Hangup, Reject, Redirect
    Mutant("hangup ignored", ("texml/hangup/ends-the-call",), verb("Hangup", _ignored)),
    Mutant(
        "completed callback without HangupSource",
        ("texml/hangup/far-end-hangup-source",),
        leg_class(status_params=_status_params_without("HangupSource")),
    ),
    Mutant(
        "every hangup blamed on the caller",
        ("texml/hangup/far-end-hangup-source",),
        leg_class(finish=_every_end_by_caller),
    ),
    Mutant(
        "reject answers first",
        ("texml/reject/first-verb-never-answers", "texml/reject/reason-busy"),
        verb("Reject", _reject_after_answering),
    ),
    Mutant(
        "reject reason ignored",
        ("texml/reject/reason-busy",),
        attrs_changed("Reject", lambda a: {**a, "reason": "rejected"}),
    ),
    Mutant("reject does not end the call", ("texml/reject/after-answer-hangs-up",), verb("Reject", _reject_continues)),
    Mutant(
        "redirect default GET",
        ("texml/redirect/relative-url-default-post",),
        catalogue_fact("Redirect", "method", default="GET"),
    ),
    Mutant(
        "redirect method ignored",
        ("texml/redirect/absolute-url-get",),
        attrs_changed("Redirect", lambda a: {**a, "method": "POST"}),
    ),
    Mutant(
        "redirect returns to the document",
        ("texml/redirect/relative-url-default-post",),
        verb("Redirect", _redirect_as_subroutine),
    ),
    # Gather
    Mutant(
        "gather timeout default 6 s",
        ("texml/gather/timeout-default-no-input-falls-through", "texml/gather/digits-sent-to-action"),
        catalogue_fact("Gather", "timeout", default=6),
    ),
    Mutant(
        "gather timeout max clamped to 119",
        ("texml/gather/timeout-maximum",),
        catalogue_fact("Gather", "timeout", max=119),
    ),
    Mutant(
        "gather timeout min clamped to 2", ("texml/gather/timeout-minimum",), catalogue_fact("Gather", "timeout", min=2)
    ),
    Mutant(
        "gather timeout counted from the start",
        ("texml/gather/timeout-between-digits",),
        verb("Gather", _gather_timeout_from_start),
    ),
    Mutant(
        "gather Digits lose their first key",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        _gather_action_changed(lambda extra: {**extra, "Digits": extra["Digits"][1:]}),
    ),
    Mutant(
        "gather finishOnKey ignored",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": None}),
    ),
    Mutant(
        "gather action without CallSidLegacy",
        ("texml/gather/digits-sent-to-action",),
        _gather_action_changed(lambda extra: {k: v for k, v in extra.items() if k != "CallSidLegacy"}),
    ),
    Mutant(
        "gather action's CallSidLegacy names another call",
        ("texml/gather/digits-sent-to-action",),
        _gather_action_changed(lambda extra: {**extra, "CallSidLegacy": extra["CallSidLegacy"] + "-other"}),
    ),
    Mutant(
        "gather numDigits ignored",
        ("texml/gather/num-digits",),
        attrs_changed("Gather", lambda a: {**a, "numDigits": None}),
    ),
    Mutant(
        "gather maxDigits one more",
        ("texml/gather/max-digits", "texml/gather/max-digits-default"),
        attrs_changed("Gather", lambda a: {**a, "maxDigits": a["maxDigits"] + 1}),
    ),
    Mutant(
        "gather minDigits default 2",
        ("texml/gather/min-digits-default",),
        catalogue_fact("Gather", "minDigits", default=2),
    ),
    Mutant(
        "gather minDigits one more",
        ("texml/gather/min-digits-met",),
        attrs_changed("Gather", lambda a: {**a, "minDigits": a["minDigits"] + 1}),
    ),
    Mutant(
        "gather validDigits ignored",
        ("texml/gather/valid-digits",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": None}),
    ),
    Mutant(
        "gather every digit invalid",
        ("texml/gather/valid-digits-accepted",),
        attrs_changed("Gather", lambda a: {**a, "validDigits": "x" if a["validDigits"] else None}),
    ),
    Mutant(
        "gather invalidDigitsAction without default",
        ("texml/gather/invalid-digits-action-defaults-to-action",),
        attrs_changed("Gather", lambda a: {**a, "action": a["action"] if a["invalidDigitsAction"] else None}),
    ),
    Mutant(
        "gather skips nested verbs",
        ("texml/gather/nested-verbs-then-timeout",),
        verb("Gather", _gather_without_prompts),
    ),
    Mutant(
        "gather input default speech",
        ("texml/gather/input-default-dtmf",),
        catalogue_fact("Gather", "input", default="speech"),
    ),
    Mutant(
        "gather input ignored",
        ("texml/gather/input-speech-ignores-keys",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf"}),
    ),
    Mutant(
        "gather input 'dtmf speech' refused",
        ("texml/gather/input-dtmf-speech",),
        attrs_changed("Gather", lambda a: {**a, "input": "dtmf" if a["input"] == "dtmf" else "speech"}),
    ),
    Mutant(
        "gather action always POST",
        ("texml/gather/action-uses-application-method", "texml/gather/invalid-digits-action-uses-application-method"),
        verb("Gather", _gather_action_posts),
    ),
    Mutant(
        "gather finishOnKey digits ignored",
        ("texml/gather/finish-on-key-digit",),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": re.sub("[0-9]", "", a["finishOnKey"] or "")}),
    ),
    Mutant(
        "gather maxDigits min clamped to 2",
        ("texml/gather/max-digits-minimum",),
        catalogue_fact("Gather", "maxDigits", min=2),
    ),
    Mutant(
        "gather finishOnKey reads only its first key",
        ("texml/gather/finish-on-key-set",),
        attrs_changed("Gather", lambda a: {**a, "finishOnKey": (a["finishOnKey"] or "")[:1] or None}),
    ),
    Mutant(
        "gather timeout runs during the nested prompts",
        ("texml/gather/timeout-starts-after-prompts",),
        verb("Gather", _gather_timeout_during_prompts),
    ),
    Mutant(
        "gather invalidDigitsAction always POST",
        ("texml/gather/invalid-digits-action-uses-application-method",),
        verb("Gather", _gather_invalid_digits_action_posts),
    ),
    Mutant(
        "gather without input requests action",
        ("texml/gather/timeout-default-no-input-falls-through",),
        verb("Gather", _gather_empty_digits_to_action),
    ),
    # Record
    Mutant(
        "record playBeep default false", ("texml/record/defaults",), catalogue_fact("Record", "playBeep", default=False)
    ),
    Mutant(
        "record always beeps",
        ("texml/record/play-beep-false",),
        attrs_changed("Record", lambda a: {**a, "playBeep": True}),
    ),
    Mutant(
        "record finishOnKey default #",
        ("texml/record/finish-on-key-default-any-digit",),
        catalogue_fact("Record", "finishOnKey", default="#"),
    ),
    Mutant("record any key finishes", ("texml/record/finish-on-key-custom",), verb("Record", _record_key_any)),
    Mutant(
        "record * never finishes",
        ("texml/record/finish-on-key-star",),
        attrs_changed("Record", lambda a: {**a, "finishOnKey": a["finishOnKey"].replace("*", "")}),
    ),
    Mutant(
        "record maxLength one more",
        ("texml/record/max-length",),
        attrs_changed("Record", lambda a: {**a, "maxLength": a["maxLength"] + 1 if a["maxLength"] else 0}),
    ),
    Mutant(
        "record maxLength max clamped",
        ("texml/record/max-length-maximum",),
        catalogue_fact("Record", "maxLength", max=3600),
    ),
    Mutant(
        "record maxLength 0 stops at once",
        ("texml/record/max-length-zero-is-infinite",),
        attrs_changed("Record", lambda a: {**a, "maxLength": a["maxLength"] or 0.001}),
    ),
    Mutant("record Digits always sent", ("texml/record/max-length",), verb("Record", _record_digits_always)),
    Mutant(
        "record action's RecordingDuration in milliseconds",
        (
            "texml/record/defaults",
            "texml/record/finish-on-key-default-any-digit",
            "texml/record/far-end-hangs-up-digits-hangup",
            "texml/record/max-length",
        ),
        interpreter_class(request_params=_recording_duration_in_ms),
    ),
    Mutant(
        "recording callback without RecordingUrl",
        ("texml/record/recording-status-callback",),
        leg_class(notify=_callbacks_without("RecordingUrl")),
    ),
    Mutant(
        "recording callback method ignored",
        ("texml/record/recording-status-callback-get",),
        attrs_changed("Record", lambda a: {**a, "recordingStatusCallbackMethod": "POST"}),
    ),
    Mutant(
        "record method ignored",
        ("texml/record/method-get",),
        attrs_changed("Record", lambda a: {**a, "method": "POST"}),
    ),
    Mutant(
        "record action ignored",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup"),
        attrs_changed("Record", lambda a: {**a, "action": None}),
    ),
    Mutant(
        "record action skipped when the far end hangs up",
        ("texml/record/far-end-hangs-up-digits-hangup",),
        verb("Record", _record_action_skipped_on_hangup),
    ),
    Mutant(
        "record action without the recording's URL",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingLink", lambda url: url)),
    ),
    Mutant(
        "record action's RecordingURL is no URL",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingURL", lambda url: url.rsplit("/", 1)[-1])),
    ),
    # Status callbacks and the call
    Mutant(
        "CallerId ignored: the display name is always From",
        ("texml/call/caller-id-shown-to-callee",),
        _initiate_body_changed(_without("CallerId")),
    ),
    Mutant(
        "without CallerId the display name is empty, not From",
        ("texml/call/caller-id-defaults-to-from",),
        _offer_changed(lambda body, offer: dataclasses.replace(offer, caller_name=body.get("CallerId", ""))),
    ),
    Mutant(
        "SipAuthPassword ignored: the challenge is answered without it",
        ("texml/call/sip-auth-accepted",),
        _initiate_body_changed(_without("SipAuthPassword")),
    ),
    Mutant(
        "credentials refused by the far end reported as busy",
        ("texml/call/sip-auth-refused",),
        leg_class(connect=_auth_refusal_as_busy),
    ),
    Mutant(
        "CustomHeaders keeps only its first header",
        ("texml/call/custom-headers-sent",),
        _initiate_body_changed(_first_custom_header_only),
    ),
    Mutant(
        "PreferredCodecs keeps only its first codec",
        ("texml/call/preferred-codecs-offered",),
        _initiate_body_changed(_first_codec_only),
    ),
    Mutant("SipRegion ignored", ("texml/call/sip-region-named",), _initiate_body_changed(_without("SipRegion"))),
    Mutant(
        "SipRegion default Europe",
        ("texml/call/sip-region-default-us",),
        _initiate_body_changed(lambda body: {"SipRegion": "Europe", **body}),
    ),
    Mutant(
        "MediaEncryption ignored",
        ("texml/call/media-encryption-srtp", "texml/call/media-encryption-dtls"),
        _initiate_body_changed(_without("MediaEncryption")),
    ),
    Mutant(
        "MediaEncryption default SRTP",
        ("texml/call/media-encryption-default-disabled",),
        _initiate_body_changed(lambda body: {"MediaEncryption": "SRTP", **body}),
    ),
    Mutant(
        "application voice_url not inherited",
        ("texml/call/application-voice-url",),
        _application_ignored("voice_url"),
    ),
    Mutant(
        "UrlMethod default POST, not the application's",
        ("texml/call/application-voice-method",),
        _application_ignored("voice_method"),
    ),
    Mutant("StatusCallback ignored", ("texml/callbacks/fields",), _leg_setup_changed(status_callback=None)),
    Mutant(
        "StatusCallbackMethod default GET",
        ("texml/callbacks/fields",),
        _initiate_body_changed(lambda body: {"StatusCallbackMethod": "GET", **body}),
    ),
    Mutant(
        "StatusCallbackEvent keeps only its first event",
        ("texml/callbacks/method-get", "texml/callbacks/fields"),
        _initiate_body_changed(_first_event_only),
    ),
    Mutant(
        "status callbacks for events StatusCallbackEvent does not list",
        ("texml/callbacks/method-get",),
        _leg_setup_changed(status_callback_events=frozenset({"initiated", "ringing", "answered", "completed"})),
    ),
    Mutant(
        "Timeout default 60 s",
        ("texml/callbacks/no-answer-default-timeout",),
        _initiate_body_changed(lambda body: {"Timeout": 60, **body}),
    ),
    Mutant("TimeLimit ignored", ("texml/call/time-limit-ends-call",), _initiate_body_changed(_without("TimeLimit"))),
    Mutant(
        "TimeLimit default 1 hour",
        ("texml/call/time-limit-default-four-hours",),
        _initiate_body_changed(lambda body: {"TimeLimit": 3600, **body}),
    ),
    Mutant(
        "status callbacks for every event by default",
        ("texml/callbacks/default-event-is-completed",),
        _leg_setup_changed(status_callback_events=frozenset({"initiated", "ringing", "answered", "completed"})),
    ),
    Mutant(
        "SequenceNumber counts down",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_reversed),
    ),
    Mutant(
        "callback without CallbackSource",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("CallbackSource")),
    ),
    Mutant(
        "callback without Timestamp",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("Timestamp")),
    ),
    Mutant(
        "completed callback without CallDuration",
        ("texml/callbacks/fields", "texml/callbacks/far-end-hangs-up"),
        leg_class(status_params=_status_params_without("CallDuration")),
    ),
    Mutant(
        "CallDuration in milliseconds",
        (
            "texml/callbacks/fields",
            "texml/callbacks/far-end-hangs-up",
            "texml/hangup/far-end-hangup-source",
            "texml/pause/default-length",
            "texml/pause/length-maximum",
        ),
        leg_class(status_params=_duration_in_milliseconds),
    ),
    Mutant(
        "status callbacks without CallSidLegacy",
        ("texml/callbacks/fields",),
        leg_class(status_params=_status_params_without("CallSidLegacy")),
    ),
    Mutant(
        "status callbacks' CallSidLegacy names another call",
        ("texml/callbacks/fields",),
        leg_class(status_params=_call_sid_legacy_of_another_call),
    ),
    Mutant(
        "status callback method ignored",
        ("texml/callbacks/method-get",),
        _leg_setup_changed(status_callback_method="POST"),
    ),
    Mutant("busy callee answers", ("texml/callbacks/busy",), leg_class(connect=_busy_answers)),
    Mutant("no-answer rings 30 s", ("texml/callbacks/no-answer",), _leg_setup_changed(timeout=30)),
    Mutant(
        "failed reported as busy",
        ("texml/callbacks/failed", "call-control/dial/failed-callee"),
        leg_class(connect=_failed_as_busy),
    ),
    Mutant("answers at once", ("texml/callbacks/answer-after-ringing",), _party_changed(answer_after=0.0)),
    Mutant(
        "far end never hangs up",
        (
            "texml/callbacks/far-end-hangs-up",
            "texml/say/loop-zero-is-infinite",
            "texml/play/loop-zero-is-infinite",
            "call-control/hangup/far-end-hangs-up",
        ),
        _party_changed(hangup_at=None),
    ),
    Mutant("UrlMethod ignored", ("texml/call/url-method-get",), _texml_setup_changed(url_method="POST")),
    Mutant("FallbackUrl ignored", ("texml/call/fallback-url",), _texml_setup_changed(fallback_url=None)),
    Mutant("inline Texml ignored", ("texml/call/inline-texml",), _texml_setup_changed(texml=None)),
    Mutant(
        "updates ignored",
        ("texml/call/update-completed-ends-call", "texml/call/update-url-redirects"),
        interpreter_class(interrupt=_interrupt_ignored),
    ),
    Mutant(
        "a call hung up while ringing reported completed",
        ("texml/callbacks/canceled-while-ringing",),
        interpreter_class(interrupt=_api_hangup_always_completed),
    ),
    Mutant(
        "unanswered call reported completed",
        ("texml/callbacks/no-answer", "texml/callbacks/no-answer-default-timeout"),
        leg_class(finish=_unanswered_as_completed),
    ),
    Mutant(
        "a call that never connected lasts 1 s",
        ("texml/callbacks/canceled-while-ringing",),
        leg_class(status_params=_unanswered_duration_rounded_up),
    ),
    Mutant(
        "crashes on an invalid document", ("texml/call/invalid-document-ends-call",), leg_class(finish=_end_as_crash)
    ),
    Mutant("status callbacks sent as JSON", ("texml/callbacks/fields",), leg_class(notify=_notify_as_json)),
    Mutant(
        "inbound calls ignore the application's status callback",
        ("texml/callbacks/inbound-status-callback-from-application",),
        leg_class(__init__=_inbound_status_callback_ignored),
    ),
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
        _initiate_body_changed(_first_recording_event_only),
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
    # Mustache
    Mutant(
        "mustache ignores URL query",
        ("texml/mustache/value-from-url-query", "texml/mustache/list-section"),
        interpreter_class(template_params=lambda self, fetch: Interpreter.request_params(self)),
    ),
    Mutant(
        "mustache ignores request parameters",
        ("texml/mustache/value-from-request-parameters", "texml/mustache/if-on-request-parameter"),
        interpreter_class(template_params=_query_only),
    ),
    Mutant("mustache == never holds", ("texml/mustache/if-equals",), template_rewritten(r" == ", " == never-")),
    Mutant(
        "mustache elseif ignored",
        ("texml/mustache/if-elseif",),
        template_rewritten(r"\{\{#elseif[^}]*\}\}.*?(?=\{\{#else\}\})", ""),
    ),
    Mutant(
        "mustache else ignored", ("texml/mustache/if-else",), template_rewritten(r"\{\{#else\}\}.*?(?=\{\{/if\}\})", "")
    ),
    Mutant("mustache != read as ==", ("texml/mustache/if-not-equals",), template_rewritten(r" != ", " == ")),
    Mutant(
        "mustache list keeps its last item",
        ("texml/mustache/list-section",),
        interpreter_class(template_params=_list_keeps_last_item),
    ),
    Mutant(
        "mustache without CallSid",
        ("texml/mustache/value-from-request-parameters",),
        interpreter_class(template_params=_template_without("CallSid")),
    ),
    Mutant(
        "mustache presence always false",
        ("texml/mustache/if-present",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 == never}}"),
    ),
    Mutant(
        "mustache presence always true",
        ("texml/mustache/if-absent",),
        template_rewritten(r"\{\{#if (\w+)\}\}", r"{{#if \1 != never}}"),
    ),
    # Call Control webhooks
    Mutant("webhooks unsigned", CALL_CONTROL_SMOKE, signer(_UnsignedSigner)),
    Mutant("webhook signature over the body alone", CALL_CONTROL_SMOKE, signer(_BodyOnlySigner)),
    Mutant("stale webhook timestamps", CALL_CONTROL_SMOKE, signer(_StaleSigner)),
    Mutant(
        "client_state dropped",
        (
            "call-control/client-state/round-trips",
            "call-control/dial/client-state-from-dial",
            "call-control/client_state_update/later-webhooks-carry-it",
            "call-control/client_state_update/replaces-the-dial-state",
            "call-control/hangup/client-state-on-hangup",
            "call-control/call-state/media-before-answer-refused",
        ),
        lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=_ClientStateDropped)),
    ),
    Mutant(
        "webhook connection_id as a number",
        CALL_CONTROL_SMOKE,
        lambda: Behaviour(callcontrol=CallControlBehaviour(driver_class=_ConnectionIdAsNumber)),
    ),
    # Call Control: Dial
    Mutant(
        "ring timeout one second short",
        (
            "call-control/dial/ring-timeout-ends-unanswered-call",
            "call-control/dial/ring-timeout-default-30",
            "call-control/dial/ring-timeout-minimum",
            "call-control/dial/answered-before-timeout",
        ),
        _leg_setup_shifted(timeout=-1),
    ),
    Mutant(
        "time limit one second long",
        ("call-control/dial/time-limit-ends-call", "call-control/dial/time-limit-default-4-hours"),
        _leg_setup_shifted(time_limit=1),
    ),
    Mutant(
        "time limit counted from the dial, not the answer",
        ("call-control/dial/time-limit-counts-from-answer",),
        leg_class(_limit_time=lambda self: self.setup.time_limit),
    ),
    Mutant(
        "Dial's SIP credentials ignored",
        ("call-control/dial/sip-auth-answers-the-challenge",),
        _leg_setup_changed(credentials=None),
    ),
    Mutant(
        "busy reported as normal_clearing",
        ("call-control/dial/busy-callee", "call-control/reject/user-busy"),
        member_replaced("call.hangup", "hangup_cause", "user_busy", "normal_clearing"),
    ),
    Mutant("dial client_state ignored", ("call-control/dial/client-state-from-dial",), driver(_DialClientStateIgnored)),
    Mutant(
        "webhook from and to swapped", ("call-control/dial/from-and-to-echoed",), webhooks_changed(_from_and_to_swapped)
    ),
    Mutant(
        "machine detection result inverted",
        (
            "call-control/dial/machine-detection-machine",
            "call-control/dial/machine-detection-human",
            "call-control/dial/machine-detection-greeting-end",
        ),
        member_changed("call.machine.detection.ended", "result", lambda r: "human" if r == "machine" else "machine"),
    ),
    Mutant(
        "premium machine detection read as the standard one",
        ("call-control/dial/machine-detection-premium-machine", "call-control/dial/machine-detection-premium-human"),
        answer_settings_changed(
            lambda body: (
                {**body, "answering_machine_detection": "detect"}
                if body.get("answering_machine_detection") == "premium"
                else body
            )
        ),
    ),
    Mutant(
        "premium machine detection reports a person as plain human",
        ("call-control/dial/machine-detection-premium-human",),
        member_changed("call.machine.premium.detection.ended", "result", lambda r: "human" if r != "machine" else r),
    ),
    Mutant(
        "machine detection on by default",
        ("call-control/dial/machine-detection-disabled-by-default",),
        answer_settings_changed(defaulted(answering_machine_detection="detect")),
    ),
    Mutant(
        "record-from-answer ignored",
        ("call-control/dial/record-from-answer",),
        answer_settings_changed(without("record")),
    ),
    Mutant(
        "send_digits_on_answer ignored",
        ("call-control/dial/send-digits-on-answer",),
        answer_settings_changed(without("send_digits_on_answer")),
    ),
    Mutant(
        "streaming.stopped dropped",
        (
            "call-control/dial/stream-url-streams-from-answer",
            "call-control/streaming_start/streams-to-the-url",
            "call-control/streaming_stop/stops-the-stream",
        ),
        webhook_dropped("streaming.stopped"),
    ),
    # Call Control: media cut short by the end of the call
    Mutant(
        "media cut by hangup reported completed",
        (
            "call-control/speak/far-end-hangs-up-mid-speech",
            "call-control/playback_start/far-end-hangs-up-mid-playback",
            "call-control/playback_stop/stop-current-plays-the-next",
            "call-control/gather/far-end-hangs-up-mid-gather",
        ),
        member_replaced(r"call\.(speak|playback|gather)\.ended", "status", "call_hangup", "completed"),
    ),
    # Call Control: speak
    Mutant(
        "speak loop one short",
        ("call-control/speak/loop-repeats-the-speech",),
        command_changed("speak", shifted("loop", -1)),
    ),
    Mutant(
        "speak loop default 2", ("call-control/speak/loop-default-once",), command_changed("speak", defaulted(loop=2))
    ),
    Mutant(
        "speak language defaults to en-US",
        ("call-control/speak/language-not-defaulted",),
        command_changed("speak", defaulted(language="en-US")),
    ),
    Mutant(
        "speak cuts what plays",
        ("call-control/speak/queued-in-order",),
        command_changed("speak", lambda body: {**body, "stop": "current"}),
    ),
    Mutant(
        "speak stop ignored",
        ("call-control/speak/stop-current-cuts-the-speech",),
        command_changed("speak", without("stop")),
    ),
    # Call Control: playback
    Mutant(
        "call.playback.started dropped",
        ("call-control/playback_start/plays-the-audio-url", "call-control/gather_using_audio/prompt-then-digits"),
        webhook_dropped("call.playback.started"),
    ),
    Mutant(
        "playback loop ignored",
        ("call-control/playback_start/loop-plays-again",),
        command_changed("playback_start", without("loop")),
    ),
    Mutant(
        "playback webhooks without media_name",
        ("call-control/playback_start/media-name",),
        webhooks_changed(lambda event, payload: {k: v for k, v in payload.items() if k != "media_name"}),
    ),
    Mutant(
        "playback overlay ignored",
        ("call-control/playback_start/overlay-echoed",),
        command_changed("playback_start", without("overlay")),
    ),
    Mutant(
        "stopped playback reported completed",
        (
            "call-control/playback_stop/cancels-the-playback",
            "call-control/playback_stop/stop-default-all-empties-the-queue",
            "call-control/gather_using_audio/key-during-prompt-stops-it",
        ),
        member_replaced("call.playback.ended", "status", "cancelled", "completed"),
    ),
    Mutant(
        "playback_stop default current",
        ("call-control/playback_stop/stop-default-all-empties-the-queue",),
        command_changed("playback_stop", defaulted(stop="current")),
    ),
    Mutant(
        "playback_stop current empties the queue",
        ("call-control/playback_stop/stop-current-plays-the-next",),
        command_changed("playback_stop", lambda body: {**body, "stop": "all"}),
    ),
    # Call Control: gather
    Mutant(
        "gather digits keep the terminating digit",
        ("call-control/gather/terminating-digit-not-in-digits",),
        member_changed("call.gather.ended", "digits", lambda digits: digits + "#"),
    ),
    Mutant(
        "gather terminating_digit ignored",
        ("call-control/gather/terminating-digit-custom",),
        command_changed("gather", without("terminating_digit")),
    ),
    Mutant(
        "gather maximum_digits one more",
        ("call-control/gather/maximum-digits-ends-the-gather",),
        command_changed("gather", shifted("maximum_digits", 1)),
    ),
    Mutant(
        "gather minimum_digits one less",
        ("call-control/gather/minimum-digits-not-reached",),
        command_changed("gather", shifted("minimum_digits", -1)),
    ),
    Mutant(
        "gather minimum_digits one more",
        ("call-control/gather/minimum-digits-met",),
        command_changed("gather", shifted("minimum_digits", 1)),
    ),
    Mutant(
        "gather valid_digits ignored",
        ("call-control/gather/valid-digits-refuses-others",),
        command_changed("gather", without("valid_digits")),
    ),
    Mutant(
        "gather valid_digits default without *",
        ("call-control/gather/valid-digits-default-star",),
        command_changed("gather", defaulted(valid_digits="0123456789#")),
    ),
    Mutant(
        "gather initial timeout default 6 s",
        ("call-control/gather/initial-timeout-default",),
        command_changed("gather", defaulted(initial_timeout_millis=6000)),
    ),
    Mutant(
        "gather initial_timeout_millis ignored",
        ("call-control/gather/initial-timeout",),
        command_changed("gather", without("initial_timeout_millis")),
    ),
    Mutant(
        "gather inter_digit_timeout_millis ignored",
        ("call-control/gather/inter-digit-timeout",),
        command_changed("gather", without("inter_digit_timeout_millis")),
    ),
    Mutant(
        "gather inter-digit timeout default 4 s",
        ("call-control/gather/inter-digit-timeout-default",),
        command_changed("gather", defaulted(inter_digit_timeout_millis=4000)),
    ),
    Mutant(
        "gather timeout_millis ignored",
        ("call-control/gather/timeout-millis-bounds-the-whole-gather",),
        command_changed("gather", without("timeout_millis")),
    ),
    Mutant("gather_stop ignored", ("call-control/gather_stop/cancels-the-gather",), command_ignored("gather_stop")),
    Mutant(
        "gather_using_speak language ignored",
        ("call-control/gather_using_speak/prompt-then-digits",),
        command_changed("gather_using_speak", without("language")),
    ),
    Mutant(
        "gather_using_speak maximum_tries default 2",
        ("call-control/gather_using_speak/maximum-tries-default-3",),
        command_changed("gather_using_speak", defaulted(maximum_tries=2)),
    ),
    Mutant(
        "gather_using_speak invalid_payload ignored",
        ("call-control/gather_using_speak/invalid-payload-on-retry",),
        command_changed("gather_using_speak", without("invalid_payload")),
    ),
    Mutant(
        "gather_using_audio timeout_millis counted from the prompt's start",
        ("call-control/gather_using_audio/maximum-tries",),
        _gather_timing_from_the_prompt("gather_using_audio"),
    ),
    Mutant(
        "gather_using_speak timeout_millis counted from the prompt's start",
        ("call-control/gather_using_speak/timeout-counts-from-the-prompts-end",),
        _gather_timing_from_the_prompt("gather_using_speak"),
    ),
    Mutant(
        "gather_using_audio maximum_tries ignored",
        ("call-control/gather_using_audio/maximum-tries",),
        command_changed("gather_using_audio", without("maximum_tries")),
    ),
    Mutant(
        "call.dtmf.received dropped",
        ("call-control/dtmf/each-key-reported", "call-control/gather/terminating-digit-not-in-digits"),
        webhook_dropped("call.dtmf.received"),
    ),
    # Call Control: send_dtmf
    Mutant(
        "send_dtmf duration default 200 ms",
        ("call-control/send_dtmf/duration-default-250",),
        command_changed("send_dtmf", defaulted(duration_millis=200)),
    ),
    Mutant(
        "send_dtmf duration clamped to 400 ms",
        ("call-control/send_dtmf/duration-maximum",),
        command_changed(
            "send_dtmf", lambda body: {**body, "duration_millis": min(body.get("duration_millis", 250), 400)}
        ),
    ),
    # Call Control: recording
    Mutant(
        "call.recording.saved without recording_urls",
        (
            "call-control/record_start/saved-when-the-call-ends",
            "call-control/record_start/wav-dual",
            "call-control/record_stop/saves-the-recording",
            "call-control/dial/record-from-answer",
        ),
        webhooks_changed(lambda event, payload: {k: v for k, v in payload.items() if k != "recording_urls"}),
    ),
    Mutant(
        "recording always mp3",
        ("call-control/record_start/wav-dual",),
        command_changed("record_start", lambda body: {**body, "format": "mp3"}),
    ),
    Mutant(
        "recording always dual",
        ("call-control/record_start/saved-when-the-call-ends", "call-control/record_resume/resumes-the-recording"),
        command_changed("record_start", lambda body: {**body, "channels": "dual"}),
    ),
    Mutant(
        "record max_length one more",
        ("call-control/record_start/max-length-ends-recording",),
        command_changed("record_start", shifted("max_length", 1)),
    ),
    Mutant(
        "record max_length default 60 s",
        ("call-control/record_start/max-length-default-unbounded",),
        command_changed("record_start", defaulted(max_length=60)),
    ),
    Mutant(
        "record play_beep ignored",
        ("call-control/record_start/play-beep",),
        command_changed("record_start", without("play_beep")),
    ),
    Mutant(
        "a recording running when the application hangs up is never saved",
        ("call-control/hangup/saves-the-running-recording",),
        driver(_RecordingLostOnHangup),
    ),
    Mutant("record_stop ignored", ("call-control/record_stop/saves-the-recording",), command_ignored("record_stop")),
    Mutant(
        "record_pause ignored", ("call-control/record_pause/pauses-the-recording",), command_ignored("record_pause")
    ),
    Mutant(
        "record_resume ignored", ("call-control/record_resume/resumes-the-recording",), command_ignored("record_resume")
    ),
    Mutant(
        "recording failure not reported",
        (
            "call-control/record_start/storage-failure-reported",
            "call-control/record_start/storage-failure-keeps-the-call",
        ),
        webhook_dropped("call.recording.error"),
    ),
    Mutant(
        "recording failure reported as call.recording.saved",
        (
            "call-control/record_start/storage-failure-reported",
            "call-control/record_start/storage-failure-keeps-the-call",
        ),
        driver(_StorageFailureHidden),
    ),
    Mutant(
        "call.recording.error reason always Internal server error",
        ("call-control/record_start/storage-failure-keeps-the-call",),
        member_changed("call.recording.error", "reason", lambda reason: "Internal server error"),
    ),
    Mutant(
        "recording failure ends the call",
        ("call-control/record_start/storage-failure-keeps-the-call",),
        driver(_StorageFailureHangsUp),
    ),
    # Call Control: queues, refer, reject, hangup, transfer
    Mutant(
        "queue positions count from 0",
        ("call-control/enqueue/reports-the-position",),
        member_changed("call.enqueued", "current_position", lambda position: position - 1),
    ),
    Mutant(
        "enqueue max_wait_time_secs ignored",
        ("call-control/enqueue/max-wait-time-dequeues",),
        command_changed("enqueue", without("max_wait_time_secs")),
    ),
    Mutant(
        "leave_queue ignored", ("call-control/leave_queue/dequeues-with-reason-leave",), command_ignored("leave_queue")
    ),
    Mutant(
        "call.refer.completed dropped",
        ("call-control/refer/sip-refer-progress",),
        webhook_dropped("call.refer.completed"),
    ),
    Mutant(
        "REFER refusal reported as call.refer.completed",
        ("call-control/refer/refused-by-the-far-end", "call-control/refer/refused-call-stays"),
        driver(_ReferAlwaysCompletes),
    ),
    Mutant(
        "call.refer.failed says 500 whatever the far end answered",
        ("call-control/refer/refused-by-the-far-end", "call-control/refer/refused-call-stays"),
        member_changed("call.refer.failed", "sip_notify_response", lambda status: 500),
    ),
    Mutant("refused REFER ends the call", ("call-control/refer/refused-call-stays",), driver(_ReferHangsUp)),
    Mutant(
        "reject cause ignored",
        ("call-control/reject/answered-call-rejected",),
        command_changed("reject", lambda body: {**body, "cause": "USER_BUSY"}),
    ),
    Mutant(
        "hangup blames the callee",
        ("call-control/hangup/application-hangs-up",),
        member_replaced("call.hangup", "hangup_source", "caller", "callee"),
    ),
    Mutant(
        "cancel reported as normal_clearing",
        ("call-control/hangup/before-answer-cancels",),
        member_replaced("call.hangup", "hangup_cause", "originator_cancel", "normal_clearing"),
    ),
    Mutant("transfer never bridges", ("call-control/transfer/child-leg-answers-and-bridges",), driver(_NeverBridges)),
    # Call Control: streaming and forks
    Mutant(
        "streaming.failed dropped",
        ("call-control/streaming_start/without-url-fails",),
        webhook_dropped("streaming.failed"),
    ),
    Mutant(
        "streaming_stop ignored", ("call-control/streaming_stop/stops-the-stream",), command_ignored("streaming_stop")
    ),
    Mutant(
        "call.fork.stopped dropped",
        ("call-control/fork_start/forks-the-media", "call-control/fork_stop/stops-the-fork"),
        webhook_dropped("call.fork.stopped"),
    ),
    Mutant("fork_stop ignored", ("call-control/fork_stop/stops-the-fork",), command_ignored("fork_stop")),
    # Call Control: command_id and the call's state
    Mutant(
        "command_id ignored",
        ("call-control/command-id/repeat-has-one-effect", "call-control/command-id/repeated-hangup-answered-ok"),
        driver(_CommandIdsForgotten),
    ),
    Mutant(
        "every command_id taken for a repeat",
        ("call-control/command-id/different-ids-both-act",),
        driver(_EveryCommandIdARepeat),
    ),
    Mutant(
        "ended call takes commands",
        ("call-control/call-state/command-after-hangup-refused", "call-control/call-state/second-hangup-refused"),
        driver(_EndedCallTakesCommands),
    ),
    Mutant(
        "unanswered call takes media commands",
        ("call-control/call-state/media-before-answer-refused", "call-control/hangup/before-answer-cancels"),
        driver(_AnsweredFromTheStart),
    ),
]


# Documented alternatives the rulings accept (errata E-017, E-056, E-120, E-122, E-124, E-153, E-154, E-160, E-161).
ALTERNATIVES: list[Alternative] = [
    Alternative(
        "fetches carry only the parameters seed 004 lists",
        (
            "texml/call/url-method-get",
            "texml/pause/default-length",
            "texml/call/application-voice-url",
            "texml/callbacks/answer-after-ringing",
            "texml/gather/action-uses-application-method",
            "texml/gather/invalid-digits-action-uses-application-method",
            "texml/redirect/relative-url-default-post",
            "texml/reject/first-verb-never-answers",
            "texml/gather/digits-sent-to-action",
            "texml/document/request-parameters",
        ),
        interpreter_class(request_params=_seed_request_parameters_only),
    ),
    Alternative(
        "an API call's Direction is outbound, as upstream's call resource says",
        ("texml/call/url-method-get", "texml/pause/default-length"),
        interpreter_class(
            request_params=_request_param_changed(
                "Direction", lambda texml, d: "outbound" if d == "outbound-api" else d
            )
        ),
    ),
    Alternative(
        "Record's action spells RecordingURL, as seed 004's table does",
        ("texml/record/defaults", "texml/record/far-end-hangs-up-digits-hangup", "texml/record/max-length"),
        interpreter_class(request_params=_record_url_renamed("RecordingURL", lambda url: url)),
    ),
    Alternative(
        "an unanswered call ends canceled",
        ("texml/callbacks/no-answer", "texml/callbacks/no-answer-default-timeout"),
        leg_class(finish=_unanswered_as_canceled),
    ),
    Alternative(
        "busy and failed calls never ring",
        ("texml/callbacks/busy", "texml/callbacks/failed"),
        leg_class(connect=_busy_or_failed_without_ringing),
    ),
    Alternative(
        "gather Digits keep the finish key",
        (
            "texml/gather/finish-on-key-not-in-digits",
            "texml/gather/finish-on-key-star",
            "texml/gather/finish-on-key-set",
            "texml/gather/finish-on-key-digit",
        ),
        verb("Gather", _gather_digits_keep_finish_key),
    ),
    Alternative(
        "CallDuration counted from the call's start",
        (
            "texml/callbacks/far-end-hangs-up",
            "texml/callbacks/fields",
            "texml/hangup/far-end-hangup-source",
            "texml/pause/default-length",
            "texml/pause/length-maximum",
            "texml/say/loop-zero-is-infinite",
            "texml/call/time-limit-ends-call",
            "texml/call/time-limit-default-four-hours",
            "texml/call/update-completed-ends-call",
            "texml/callbacks/canceled-while-ringing",
        ),
        leg_class(set_status=_set_status_noting_initiation, status_params=_duration_from_initiation),
    ),
    Alternative(
        "Say, Play and the beep last other lengths than the emulator's (errata E-030, E-150)",
        MEDIA_SCENARIOS,
        _media_of_other_lengths,
    ),
    Alternative(
        "Call Control audio repeats after gaps, and audio it cannot read lasts 5 s (errata E-030, E-153)",
        CALL_CONTROL_AUDIO_SCENARIOS,
        _playbacks_after_gaps,
    ),
    Alternative(
        "Call Control speech lasts 1.1 s a word (errata E-030, E-154)",
        CALL_CONTROL_SPEECH_SCENARIOS,
        _slower_speech,
    ),
    Alternative(
        "a call that never connected has no CallDuration",
        ("texml/callbacks/canceled-while-ringing", "texml/callbacks/busy", "texml/callbacks/no-answer"),
        leg_class(status_params=_no_duration_before_answer),
    ),
]
