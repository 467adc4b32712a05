"""A TeXML call as InitiateCall sets it up: what the far end is offered (CallerId, SIP credentials and headers,
codecs, region, encryption), what the application it names lends it, its time limit, where its documents
come from, and updates (scenarios texml/call/, but for the call's recording: texml_call_recording)."""

import dataclasses
from collections.abc import Callable
from typing import Any

from conformance_emulator import Behaviour
from conformance_emulator.backend.leg import CallEnded, Leg, Offer
from conformance_emulator.controllers.texml.controller import TexmlBehaviour
from conformance_emulator.controllers.texml.interpreter import Interpreter
from conformance_emulator.controllers.texml.setup import outbound_setup
from tests.mutants.builders import (
    Alternative,
    Mutant,
    _initiate_body_changed,
    _without,
    interpreter_class,
    leg_class,
)


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


def _texml_setup_changed(**changes: Any) -> Callable[[], Behaviour]:
    """An interpreter that misreads where the first document comes from."""

    def __init__(self: Interpreter, leg: Leg, setup: Any, *args: Any) -> None:
        Interpreter.__init__(self, leg, dataclasses.replace(setup, **changes), *args)

    return interpreter_class(__init__=__init__)


def _interrupt_ignored(self: Interpreter, reason: Any) -> bool:
    return False


def _end_as_crash(self: Leg, end: CallEnded) -> None:
    if end.cause == "invalid-document":
        raise RuntimeError("crashed")
    Leg.finish(self, end)


MUTANTS: list[Mutant] = [
    # What the far end is offered, and how it takes the credentials
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
    # What the application lends the call
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
    # The call's time limit
    Mutant("TimeLimit ignored", ("texml/call/time-limit-ends-call",), _initiate_body_changed(_without("TimeLimit"))),
    Mutant(
        "TimeLimit default 1 hour",
        ("texml/call/time-limit-default-four-hours",),
        _initiate_body_changed(lambda body: {"TimeLimit": 3600, **body}),
    ),
    # Where the documents come from
    Mutant("UrlMethod ignored", ("texml/call/url-method-get",), _texml_setup_changed(url_method="POST")),
    Mutant("FallbackUrl ignored", ("texml/call/fallback-url",), _texml_setup_changed(fallback_url=None)),
    Mutant("inline Texml ignored", ("texml/call/inline-texml",), _texml_setup_changed(texml=None)),
    # Updates, and a document the call cannot run
    Mutant(
        "updates ignored",
        ("texml/call/update-completed-ends-call", "texml/call/update-url-redirects"),
        interpreter_class(interrupt=_interrupt_ignored),
    ),
    Mutant(
        "crashes on an invalid document", ("texml/call/invalid-document-ends-call",), leg_class(finish=_end_as_crash)
    ),
]


ALTERNATIVES: list[Alternative] = []
