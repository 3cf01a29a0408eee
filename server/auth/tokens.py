"""API tokens: ``lg_<prefix>_<secret>``, shown once, stored as a SHA-256 hash.

The secret carries 256 bits of randomness, so a plain (unsalted) SHA-256 is enough to
make a stolen table useless while keeping lookup a single indexed equality.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor, Scope
from server.audit import service as audit
from server.auth import repository
from server.auth.models import ApiToken
from server.errors import InvalidInput, NotFound

TOKEN_PREFIX = "lg_"  # noqa: S105 (a public marker, not a secret)
_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


@dataclass(frozen=True)
class IssuedToken:
    plaintext: str
    token: ApiToken


def hash_token(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


def prefix_of(value: str) -> str:
    """The public identifier of a token, from a full token or from its prefix alone."""
    value = value.strip()
    if value.startswith(TOKEN_PREFIX):
        value = value[len(TOKEN_PREFIX) :]
    return value.split("_", 1)[0]


def normalise_scopes(scopes: set[Scope]) -> list[str]:
    """Every scope implies reading: a write token can read what it writes, a
    persisted-only token reads through its registered documents."""
    if not scopes:
        raise InvalidInput("Give at least one scope.", ["scope"])
    scopes = scopes | {Scope.READ}
    return sorted(s.value for s in scopes)


async def issue(
    session: AsyncSession,
    *,
    person_id: int,
    name: str,
    scopes: set[Scope],
    expires_in: timedelta | None,
    issued_by_id: int | None = None,
) -> IssuedToken:
    prefix = "".join(secrets.choice(_ALPHABET) for _ in range(10))
    plaintext = f"{TOKEN_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    now = clock.now()
    token = await repository.add(
        session,
        ApiToken(
            person_id=person_id,
            name=name,
            prefix=prefix,
            token_hash=hash_token(plaintext),
            scopes=normalise_scopes(scopes),
            expires_at=now + expires_in if expires_in else None,
        ),
    )
    await audit.record(
        session,
        issued_by_id,
        "token.issued",
        ("ApiToken", token.id),
        person_id=person_id,
        scopes=token.scopes,
        prefix=prefix,
    )
    return IssuedToken(plaintext, token)


async def revoke(session: AsyncSession, prefix_or_token: str) -> ApiToken:
    token = await repository.by_prefix(session, prefix_of(prefix_or_token))
    if token is None:
        raise NotFound("Token")
    await repository.revoke(session, token.id, clock.now())
    await audit.record(session, None, "token.revoked", ("ApiToken", token.id), prefix=token.prefix)
    return token


async def authenticate(session: AsyncSession, plaintext: str) -> tuple[Actor, ApiToken] | None:
    """The actor a bearer token speaks for, or None if it is unknown, revoked or expired."""
    if not plaintext.startswith(TOKEN_PREFIX) or len(plaintext) > 200:
        return None
    found = await repository.live_with_grants(session, hash_token(plaintext), clock.now())
    if found is None:
        return None
    token, grants = found
    return Actor.build(token.person_id, (Scope(s) for s in token.scopes), grants), token


USE_RECORDED_EVERY = timedelta(minutes=5)


async def record_use(session: AsyncSession, token: ApiToken) -> None:
    """Note when a token was last used, at most every few minutes (reads stay reads)."""
    now = clock.now()
    if token.last_used_at is None or token.last_used_at < now - USE_RECORDED_EVERY:
        await repository.touch(session, token.id, now, USE_RECORDED_EVERY)
