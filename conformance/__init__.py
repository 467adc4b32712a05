"""Conformance suite for implementations of the Telnyx TeXML REST API.

Installed as a pytest plugin (entry point ``pytest11``): ``pytest --target-url=URL``.
"""

__version__ = "0.1.0"
