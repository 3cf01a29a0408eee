"""Fixed-window rate limits counted in PostgreSQL, so every app process sees the same
counts. Callers run these in a transaction of their own: a refused or failed attempt
still counts."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.config import RateLimits
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
