"""The implementation under test: started in-process (embedded default) or probed (remote)."""

import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx

from conformance.options import RunOptions

if TYPE_CHECKING:
    from conformance_specs.apis import Api

PROBE_TIMEOUT_S = 4.0
# Where applications created by the suite point until the TeXML harness exists.
UNUSED_VOICE_URL = "http://127.0.0.1:9/texml-conformance/unused"


class TargetUnusable(Exception):
    """The target cannot be tested at all; the message says what to do."""


@dataclass(frozen=True)
class Target:
    base_url: str
    api_key: str = field(repr=False)
    account_sid: str
    application_sid: str
    embedded: bool
    request_timeout: float = 5.0
    apis: frozenset[str] = frozenset({"texml"})  # the APIs it serves (probed)
    connection_id: str = ""  # the Call Control application of Dial, when the target serves Call Control

    @property
    def auth_headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.api_key}"}

    @property
    def calls_path(self) -> str:
        return f"/texml/Accounts/{self.account_sid}/Calls"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base_url, headers=self.auth_headers, timeout=self.request_timeout)


class EmbeddedEmulator:
    """The reference emulator on a free loopback port, with a fresh random key."""

    def __init__(self) -> None:
        from conformance_emulator import EmulatorSettings, build_app
        from conformance_emulator.server import BackgroundServer

        self.api_key = f"KEY_{secrets.token_hex(16)}"
        self._server = BackgroundServer(build_app(EmulatorSettings(api_key=self.api_key)))

    def start(self) -> str:
        return self._server.start().url + "/v2"

    def stop(self) -> None:
        self._server.stop()


def probe(base_url: str, api_key: str, fills: Mapping[str, str], timeout: float = PROBE_TIMEOUT_S) -> frozenset[str]:
    """The APIs the target serves, one request each; fails fast, with the fix, when it serves none.

    An unreachable or silent target, a refused key and a wrong base path each get the
    message that says what to do.
    """
    from conformance_specs.apis import all_apis

    present, answers = set(), []
    for api in all_apis():
        method, path = api.operation(api.presence.operation_id)
        url = base_url + api.base_path + path.format_map(fills)
        status = _presence_status(api, method, url, base_url, api_key, timeout)
        answers.append(f"{method} {url} -> {status}")
        if status not in api.presence.absent:
            present.add(api.name)
    if not present:
        raise TargetUnusable(
            f"the target serves none of the suite's APIs ({'; '.join(answers)}): is the base path right? "
            "--target-url must include the API prefix, e.g. http://127.0.0.1:8080/v2."
        )
    return frozenset(present)


def _presence_status(api: "Api", method: str, url: str, base_url: str, api_key: str, timeout: float) -> int:
    try:
        response = httpx.request(
            method, url, params=dict(api.presence.query), json=api.presence.body, headers=api.auth_headers(api_key),
            timeout=timeout,
        )  # fmt: skip
    except httpx.TimeoutException:
        raise TargetUnusable(
            f"the target at {base_url} did not answer within {timeout:g} s. "
            "Check that it is running and that --target-url is right."
        ) from None
    except httpx.HTTPError as error:
        raise TargetUnusable(
            f"cannot reach the target at {base_url} ({type(error).__name__}: {error}). "
            "Start the implementation, or fix --target-url."
        ) from None
    if response.status_code in (401, 403):
        raise TargetUnusable(
            f"the target refused the API key (HTTP {response.status_code} on {method} {url}). "
            "Pass the key it expects with --api-key or TELNYX_API_KEY."
        )
    return response.status_code


def provision_application(base_url: str, api_key: str, voice_url: str) -> str:
    """Create a TeXML application on the target and return its id (the ApplicationSid of calls)."""
    body = {"friendly_name": "texml-conformance", "voice_url": voice_url}
    return _provision(base_url, api_key, "/texml_applications", body, "a TeXML application", "--application-sid")


def provision_call_control_application(base_url: str, api_key: str, webhook_url: str) -> str:
    """Create a Call Control application on the target and return its id (the connection_id of Dial)."""
    body = {"application_name": "texml-conformance", "webhook_event_url": webhook_url}
    return _provision(
        base_url, api_key, "/call_control_applications", body, "a Call Control application", "--connection-id"
    )


def _provision(base_url: str, api_key: str, path: str, body: dict[str, str], what: str, option: str) -> str:
    try:
        response = httpx.post(
            f"{base_url}{path}", json=body, headers={"Authorization": f"Bearer {api_key}"}, timeout=PROBE_TIMEOUT_S
        )
        return str(response.json()["data"]["id"])
    except (httpx.HTTPError, ValueError, KeyError, TypeError):
        raise TargetUnusable(
            f"could not create {what} on the target (POST {path}). Pass {option}=ID of an existing one."
        ) from None


def open_target(options: RunOptions) -> tuple[Target, EmbeddedEmulator | None]:
    """The target to test, and the embedded emulator to stop afterwards (if one was started)."""
    emulator = None
    if options.embedded:
        emulator = EmbeddedEmulator()
        base_url, api_key = emulator.start(), emulator.api_key
    else:
        assert options.target_url and options.api_key  # read_options guarantees both
        base_url, api_key = options.target_url, options.api_key
    try:
        apis = probe(base_url, api_key, {"account_sid": options.account_sid})
        application_sid = options.application_sid or (
            provision_application(base_url, api_key, options.callback_url or UNUSED_VOICE_URL)
            if "texml" in apis
            else ""
        )
        connection_id = options.connection_id or (
            provision_call_control_application(base_url, api_key, options.callback_url or UNUSED_VOICE_URL)
            if "callcontrol" in apis
            else ""
        )
    except TargetUnusable:
        if emulator:
            emulator.stop()
        raise
    target = Target(
        base_url,
        api_key,
        options.account_sid,
        application_sid,
        embedded=emulator is not None,
        request_timeout=options.request_timeout,
        apis=apis,
        connection_id=connection_id,
    )
    return target, emulator
