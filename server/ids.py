"""Relay global ids: base64 of ``Type:pk``, opaque to clients, stable across releases."""

from __future__ import annotations

import base64
import binascii
import functools

from server.inputs import parse_id


# Lists resolve the same ids over and over (a page of proposals, their areas, each
# priority's proposal): the encoding was a visible part of such a list's cost, and an id
# never changes, so the most recent ones are kept.
@functools.lru_cache(maxsize=1 << 15, typed=True)
def to_global_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"{type_name}:{pk}".encode()).decode().rstrip("=")


def from_global_id(value: str) -> tuple[str, int] | None:
    """``(type_name, pk)``, or None when ``value`` is not one of our ids."""
    if not value or len(value) > 100:
        return None
    try:
        decoded = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    type_name, _, raw_pk = decoded.partition(":")
    pk = parse_id(raw_pk)
    if not type_name.isascii() or not type_name.isalpha() or pk is None:
        return None
    return type_name, pk
