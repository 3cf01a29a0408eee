"""Browser sessions: an opaque random id in a cookie, only its SHA-256 in the database.

A session ends at its absolute expiry, after a spell of idleness, at sign-out, or when
its person signs out everywhere. Signing in always starts a new session (rotation).
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
from server.auth.models import BrowserSession

COOKIE = "lg_session"
SEEN_RECORDED_EVERY = timedelta(minutes=1)
# Ended sessions stay a while (the audit log keeps the rest), then go.
KEEP_ENDED = timedelta(days=30)


@dataclass(frozen=True)
class Lifetimes:
    max_age: timedelta
    idle: timedelta


@dataclass(frozen=True)
class Started:
    """A new session; ``plaintext`` goes into the cookie and nowhere else."""

    plaintext: str
    session: BrowserSession


def hash_id(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode()).hexdigest()


async def start(
    session: AsyncSession,
    lifetimes: Lifetimes,
    *,
    person_id: int,
    method: str,
    replacing: str | None = None,
) -> Started:
    """Sign a person in on this browser, ending whatever session the browser had."""
    now = clock.now()
    if replacing:
        await repository.revoke_session(session, hash_id(replacing), now)
    await repository.forget_ended_sessions(session, person_id, now - KEEP_ENDED)
    plaintext = secrets.token_urlsafe(32)
    browser_session = await repository.add_session(
        session,
        BrowserSession(
            person_id=person_id,
            id_hash=hash_id(plaintext),
            method=method,
            expires_at=now + lifetimes.max_age,
            last_seen_at=now,
        ),
    )
    await audit.record(session, person_id, "session.started", ("Person", person_id), method=method)
    return Started(plaintext, browser_session)


async def authenticate(
    session: AsyncSession, lifetimes: Lifetimes, plaintext: str
) -> tuple[Actor, BrowserSession] | None:
    """The actor a session cookie speaks for, or None if it has ended."""
    if not plaintext or len(plaintext) > 100:
        return None
    now = clock.now()
    live = await repository.live_session_with_grants(
        session, hash_id(plaintext), now, now - lifetimes.idle
    )
    if live is None:
        return None
    found, grants = live
    if found.last_seen_at < now - SEEN_RECORDED_EVERY:
        await repository.touch_session(session, found.id, now, SEEN_RECORDED_EVERY)
    return Actor.build(found.person_id, (Scope.READ, Scope.WRITE), grants), found


async def end(session: AsyncSession, plaintext: str) -> None:
    """Sign this browser out."""
    person_id = await repository.revoke_session(session, hash_id(plaintext), clock.now())
    if person_id is not None:
        await audit.record(session, person_id, "session.ended", ("Person", person_id))


async def end_all(session: AsyncSession, person_id: int) -> int:
    """Sign a person out on every browser; how many sessions ended."""
    ended = await repository.revoke_sessions_of(session, person_id, clock.now())
    await audit.record(
        session, person_id, "session.ended_everywhere", ("Person", person_id), sessions=ended
    )
    return ended
