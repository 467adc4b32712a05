"""Keep secrets out of everything the suite writes."""

from collections.abc import Iterable

PLACEHOLDER = "[REDACTED]"


class Redactor:
    """Replaces each known secret with a placeholder wherever it appears."""

    def __init__(self, secrets: Iterable[str | None]) -> None:
        # Longest first, so a secret containing another is replaced whole.
        self._secrets = sorted({s for s in secrets if s}, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, PLACEHOLDER)
        return text
