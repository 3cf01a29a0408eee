"""Fixed-window rate limits counted in PostgreSQL, so every app process sees the same
counts. Callers run these in a transaction of their own: a refused or failed attempt
still counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import clock
from server.config import RateLimits
from server.db import unit_of_work
from server.db_errors import retrying
from server.errors import DomainError, ErrorCode
from server.limits import repository


@dataclass(frozen=True)
class Limit:
    bucket: str
    limit: int
    window_seconds: int

    def window_start(self, now: datetime) -> datetime:
        seconds = int(now.timestamp()) // self.window_seconds * self.window_seconds
        return datetime.fromtimestamp(seconds, UTC)

    def retry_after_minutes(self, now: datetime) -> int:
        ends = self.window_start(now).timestamp() + self.window_seconds
        return max(1, int((ends - now.timestamp() + 59) // 60))


def _key_hash(limit: Limit, key: str) -> str:
    return hashlib.sha256(f"{limit.bucket}\x00{key}".encode()).hexdigest()


async def hit(session: AsyncSession, limit: Limit, key: str) -> bool:
    """Count one attempt; False when it goes over the limit."""
    now = clock.now()
    start = limit.window_start(now)
    key_hash = _key_hash(limit, key)
    total = await repository.add(session, limit.bucket, key_hash, start, 1)
    if total == 1:
        await repository.forget_before(session, limit.bucket, start)
    return total <= limit.limit


async def exhausted(session: AsyncSession, limit: Limit, key: str) -> bool:
    """Whether the limit is already used up, without counting an attempt."""
    start = limit.window_start(clock.now())
    return (
        await repository.count(session, limit.bucket, _key_hash(limit, key), start) >= limit.limit
    )


async def reset(session: AsyncSession, limit: Limit, key: str) -> None:
    await repository.clear(session, limit.bucket, _key_hash(limit, key))


async def allow_write(session: AsyncSession, config: RateLimits, person_id: int, ip: str) -> bool:
    """One more write by this person from this address, if both are within their limits.
    The per-person limit is the real one; the per-IP limit only stops a flood."""
    window = config.write_window_seconds
    person_ok = await hit(
        session, Limit("writes-person", config.writes_per_person, window), str(person_id)
    )
    ip_ok = await hit(session, Limit("writes-ip", config.writes_per_ip, window), ip)
    return person_ok and ip_ok


async def count_write(
    sessionmaker: async_sessionmaker[AsyncSession], config: RateLimits, person_id: int, ip: str
) -> bool:
    """:func:`allow_write` in a transaction of its own, so refused and failed writes count
    too. Still colliding after every retry answers False (the caller says "try again
    shortly")."""

    async def transaction() -> bool:
        async with unit_of_work(sessionmaker) as session:
            return await allow_write(session, config, person_id, ip)

    try:
        return await retrying(transaction)
    except DomainError as error:
        if error.code is ErrorCode.RATE_LIMITED:
            return False
        raise
