"""How a call is set up from an InitiateCall body or an inbound call, with the application's defaults.

Each setup has two halves: the leg's (who calls whom, status callbacks, limits) and the
interpreter's (where the documents come from).
"""

from typing import Any

from conformance_emulator.backend.leg import LegSetup, Offer, sip_credentials
from conformance_emulator.backend.recording import CallRecordingSetup
from conformance_emulator.controllers.texml.interpreter import TexmlSetup
from conformance_specs.apis import api

_CONTRACT = api("texml").contract
# The codecs offered when InitiateCall names none (the source leaves them to the implementation).
DEFAULT_CODECS = ("PCMU", "PCMA")
SIP_SCHEME = "sip:"


def _default(name: str) -> Any:
    """The contract's default for an InitiateCall member (following a $ref to a shared schema)."""
    return _CONTRACT.resolved(_CONTRACT.component("InitiateCallRequest")["properties"][name])["default"]


def _method(value: Any, fallback: str = "POST") -> str:
    return str(value).upper() if value else fallback


def outbound_setup(
    sid: str, account_sid: str, body: dict[str, Any], application: dict[str, Any] | None
) -> tuple[LegSetup, TexmlSetup]:
    application = application or {}
    leg = LegSetup(
        account_sid=account_sid,
        sid=sid,
        from_=body["From"],
        to=body["To"],
        direction="outbound-api",
        status_callback=body.get("StatusCallback"),
        status_callback_method=_method(body.get("StatusCallbackMethod"), _default("StatusCallbackMethod")),
        status_callback_events=frozenset(body.get("StatusCallbackEvent", _default("StatusCallbackEvent")).split()),
        timeout=body.get("Timeout", _default("Timeout")),
        time_limit=body.get("TimeLimit", _default("TimeLimit")),
        offer=offer(body),
        credentials=sip_credentials(body.get("SipAuthUsername"), body.get("SipAuthPassword")),
        recording=_recording(body),
    )
    documents = TexmlSetup(
        url=body.get("Url") or application.get("voice_url"),
        url_method=_method(body.get("UrlMethod"), _method(application.get("voice_method"))),
        fallback_url=body.get("FallbackUrl") or application.get("voice_fallback_url"),
        texml=body.get("Texml"),
    )
    return leg, documents


def offer(body: dict[str, Any]) -> Offer:
    """What the INVITE to ``To`` offers, from InitiateCall's SIP members and their defaults."""
    codecs = tuple(c.strip() for c in body.get("PreferredCodecs", "").split(",") if c.strip()) or DEFAULT_CODECS
    # Media is encrypted only on the way to a SIP destination (errata E-110); a number is reached unencrypted.
    to_sip = str(body["To"]).lower().startswith(SIP_SCHEME)
    return Offer(
        caller_name=body.get("CallerId") or body["From"],
        headers=tuple((header["name"], header["value"]) for header in body.get("CustomHeaders", ())),
        codecs=codecs,
        media_encryption=body.get("MediaEncryption", _default("MediaEncryption")) if to_sip else "disabled",
        sip_region=body.get("SipRegion", _default("SipRegion")),
    )


def _recording(body: dict[str, Any]) -> CallRecordingSetup | None:
    """How InitiateCall asks for the whole call to be recorded; None: it is not recorded."""

    def member(name: str) -> Any:
        return body.get(name, _default(name))

    if not member("Record"):
        return None
    return CallRecordingSetup(
        channels=member("RecordingChannels"),
        track=member("RecordingTrack"),
        trim=member("Trim"),
        silence_timeout=member("RecordingTimeout"),
        callback=body.get("RecordingStatusCallback"),
        callback_method=_method(body.get("RecordingStatusCallbackMethod"), _default("RecordingStatusCallbackMethod")),
        callback_events=frozenset(member("RecordingStatusCallbackEvent").split()),
        send_url=member("SendRecordingUrl"),
    )


def inbound_setup(
    sid: str, account_sid: str, from_: str, to: str, application: dict[str, Any]
) -> tuple[LegSetup, TexmlSetup]:
    leg = LegSetup(
        account_sid=account_sid,
        sid=sid,
        from_=from_,
        to=to,
        direction="inbound",
        status_callback=application.get("status_callback"),
        status_callback_method=_method(application.get("status_callback_method")),
    )
    documents = TexmlSetup(
        url=application.get("voice_url"),
        url_method=_method(application.get("voice_method")),
        fallback_url=application.get("voice_fallback_url"),
    )
    return leg, documents
