"""``python -m conformance_emulator``: serve the reference emulator on its own."""

import argparse
import os

import uvicorn

from conformance_emulator.app import EmulatorSettings, build_app
from conformance_emulator.backend.signing import SigningKeyError


def main() -> None:
    parser = argparse.ArgumentParser(
        prog="python -m conformance_emulator",
        description="Serve the reference emulator of the TeXML and Call Control APIs on its own, under /v2, "
        "for a client to test against (also installed as texml-conformance-emulator).",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s, loopback only)")
    parser.add_argument("--port", type=int, default=8080, help="TCP port to listen on (default: %(default)s)")
    parser.add_argument(
        "--api-key",
        default=os.environ.get("TELNYX_API_KEY"),
        help="bearer key the emulator accepts (default: $TELNYX_API_KEY)",
    )
    parser.add_argument(
        "--webhook-signing-key",
        default=None,
        help="base64 of a 32-byte Ed25519 seed that signs Call Control webhooks, so that applications can pin "
        "the public key (default: a new key at each start; GET /v2/simulation/v1 gives its public half)",
    )
    args = parser.parse_args()
    if not args.api_key:
        parser.error("give --api-key or set TELNYX_API_KEY: the emulator refuses to run without auth")
    print(f"reference emulator on http://{args.host}:{args.port}/v2")
    try:
        app = build_app(EmulatorSettings(api_key=args.api_key, webhook_signing_key=args.webhook_signing_key))
    except SigningKeyError as error:
        parser.error(str(error))
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
