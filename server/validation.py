"""Input rules shared by services: trimmed, bounded, meaningful text.

Every piece of text a person types goes through :func:`text`, so one place decides what
may be stored: no control characters (C0 or C1), no bidirectional overrides, embeddings
or isolates (they can make a title or a name read as something else: "Trojan Source",
CVE-2021-42574), and nothing made only of characters that show nothing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from server.errors import InvalidInput

# C0 controls but tab, newline and carriage return; DEL; the C1 controls.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Explicit bidirectional formatting (UAX #9): embeddings, overrides and isolates. The
# implicit marks (LRM, RLM, ALM) stay allowed: they cannot reorder the text around them,
# and right-to-left writers use them.
_BIDI_CONTROL = re.compile("[\u202a-\u202e\u2066-\u2069]")
# Letters and symbols that draw nothing, which the Unicode categories do not give away.
_BLANK_GLYPHS = frozenset("\u115f\u1160\u3164\uffa0\u2800\u180e")
# Format characters (zero-width spaces and joiners, the BOM, tags), controls, separators
# and marks that only modify a neighbour show nothing on their own.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zs", "Zl", "Zp", "Mn", "Me", "Co", "Cn"})


def is_visible(character: str) -> bool:
    return (
        character not in _BLANK_GLYPHS
        and unicodedata.category(character) not in _INVISIBLE_CATEGORIES
    )


def refuse_hidden_characters(value: str, field: Sequence[str | int], label: str) -> None:
    """INVALID_INPUT if ``value`` holds control or bidirectional formatting characters."""
    if _CONTROL.search(value) or _BIDI_CONTROL.search(value):
        raise InvalidInput(f"{label} contains characters that cannot be shown.", field)


def text(
    value: str,
    field: Sequence[str | int],
    *,
    max_length: int,
    label: str,
    multiline: bool = False,
    required: bool = True,
) -> str:
    """Normalise (NFC, trimmed, no hidden characters) and bound a piece of text."""
    cleaned = unicodedata.normalize("NFC", value).strip()
    refuse_hidden_characters(cleaned, field, label)
    if not multiline:
        cleaned = " ".join(cleaned.split())
    if required and not any(is_visible(c) for c in cleaned):
        raise InvalidInput(f"{label} cannot be empty.", field)
    if not required and cleaned and not any(is_visible(c) for c in cleaned):
        raise InvalidInput(f"{label} has nothing that can be seen in it.", field)
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
