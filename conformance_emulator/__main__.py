"""``python -m conformance_emulator``: serve the reference emulator on its own."""

import argparse
import os

import uvicorn

from conformance_emulator.app import EmulatorSettings, build_app


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m conformance_emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: loopback only)")
    parser.add_argument("--port", type=int, default=8080)
    parser.add_argument(
        "--api-key",
        default=os.environ.get("TELNYX_API_KEY"),
        help="bearer key the emulator accepts (default: $TELNYX_API_KEY)",
    )
    args = parser.parse_args()
    if not args.api_key:
        parser.error("give --api-key or set TELNYX_API_KEY: the emulator refuses to run without auth")
    print(f"reference emulator on http://{args.host}:{args.port}/v2")
    uvicorn.run(build_app(EmulatorSettings(api_key=args.api_key)), host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
