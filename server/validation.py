"""Input rules shared by services: trimmed, bounded, meaningful text."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from server.errors import InvalidInput

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text(
    value: str,
    field: Sequence[str | int],
    *,
    max_length: int,
    label: str,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """Normalise (NFC, trimmed, no control characters) and bound a piece of text."""
    cleaned = unicodedata.normalize("NFC", value).strip()
    if not multiline:
        cleaned = " ".join(cleaned.split())
    if _CONTROL.search(cleaned):
        raise InvalidInput(f"{label} contains characters that cannot be shown.", field)
    if required and not cleaned:
        raise InvalidInput(f"{label} cannot be empty.", field)
    if len(cleaned) > max_length:
        raise InvalidInput(f"{label} must be {max_length} characters or fewer.", field)
    return cleaned


def optional_text(
    value: str | None, field: Sequence[str | int], *, max_length: int, label: str
) -> str | None:
    if value is None:
        return None
    cleaned = text(value, field, max_length=max_length, label=label, required=False)
    return cleaned or None
