"""Passwords: Argon2 (pwdlib), a length-first strength rule, equal-time failures.

NCSC/GOV.UK advice: no composition rules; a minimum length and a refusal of the
passwords everyone tries first.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from pwdlib import PasswordHash

from server.errors import InvalidInput

MIN_LENGTH = 10
MAX_LENGTH = 200

_hasher = PasswordHash.recommended()
# Checked when there is no real hash to check, so "no such account" takes as long as
# "wrong password" and the two cannot be told apart by timing.
_DUMMY_HASH = _hasher.hash("levelground-dummy-password-for-equal-timing")

_COMMON = frozenset(
    {
        "1234567890",
        "12345678910",
        "0123456789",
        "qwertyuiop",
        "password123",
        "password1234",
        "passw0rd123",
        "iloveyou123",
        "letmein1234",
        "welcome123",
        "administrator",
        "qwerty12345",
        "levelground",
        "coventry123",
        "football123",
        "1q2w3e4r5t",
        "abcdefghij",
        "aaaaaaaaaa",
    }
)


def check_strength(password: str, field: Sequence[str], *, known: Sequence[str] = ()) -> str:
    """The password if it is strong enough, otherwise INVALID_INPUT on ``field``."""
    if len(password) < MIN_LENGTH:
        raise InvalidInput(f"Use at least {MIN_LENGTH} characters for your password.", field)
    if len(password) > MAX_LENGTH:
        raise InvalidInput(f"Use {MAX_LENGTH} characters or fewer for your password.", field)
    lowered = password.lower()
    if lowered in _COMMON or len(set(lowered)) < 4:
        raise InvalidInput("That password is too easy to guess. Try three random words.", field)
    for value in known:
        if value and len(value) >= 4 and value.lower() in lowered:
            raise InvalidInput("Do not use your name or email address in your password.", field)
    return password


async def hash_password(password: str) -> str:
    # Argon2 is deliberately slow: keep it off the event loop.
    return await asyncio.to_thread(_hasher.hash, password)


async def verify(password: str, password_hash: str | None) -> bool:
    """Whether ``password`` matches; takes the same time when there is no hash."""
    if password_hash is None:
        await asyncio.to_thread(_hasher.verify, password, _DUMMY_HASH)
        return False
    return await asyncio.to_thread(_hasher.verify, password, password_hash)
