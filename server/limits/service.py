"""Fixed-window rate limits counted in PostgreSQL, so every app process sees the same
counts. Callers run these in a transaction of their own: a refused or failed attempt
still counts."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import clock
from server.config import RateLimits
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


# When this process last dropped each bucket's finished windows (time.monotonic()).
_forgotten: dict[str, float] = {}


async def hits(session: AsyncSession, counted: Sequence[tuple[Limit, str]]) -> list[bool]:
    """Count one attempt against each (limit, key), all in one statement; for each,
    False when it goes over its limit."""
    now = clock.now()
    # Before the count: under autocommit the count is kept as soon as it is made, so a
    # retry after a collision here must not have counted yet.
    await _forget_finished(session, [limit for limit, _ in counted], now)
    totals = await repository.add(
        session,
        [(limit.bucket, _key_hash(limit, key), limit.window_start(now)) for limit, key in counted],
    )
    return [total <= limit.limit for total, (limit, _) in zip(totals, counted, strict=True)]


async def hit(session: AsyncSession, limit: Limit, key: str) -> bool:
    """Count one attempt; False when it goes over the limit."""
    (within,) = await hits(session, [(limit, key)])
    return within


async def _forget_finished(session: AsyncSession, limits: Sequence[Limit], now: datetime) -> None:
    """Drop finished windows (only the current one is ever read), each bucket at most once
    a window per process: the delete walks the whole bucket, which costs too much to do
    on every request."""
    ticks = time.monotonic()
    for limit in limits:
        last = _forgotten.get(limit.bucket)
        if last is None or ticks - last >= limit.window_seconds:
            _forgotten[limit.bucket] = ticks
            await repository.forget_before(session, limit.bucket, limit.window_start(now))


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
    person_ok, ip_ok = await hits(
        session,
        [
            (Limit("writes-person", config.writes_per_person, window), str(person_id)),
            (Limit("writes-ip", config.writes_per_ip, window), ip),
        ],
    )
    return person_ok and ip_ok


async def count_write(
    sessionmaker: async_sessionmaker[AsyncSession], config: RateLimits, person_id: int, ip: str
) -> bool:
    """:func:`allow_write` on its own, committed at once whatever the write then does, so
    refused and failed writes count too. The count is one statement, so it runs in
    autocommit: one round trip, no BEGIN and COMMIT around it. Still colliding after
    every retry answers False (the caller says "try again shortly")."""

    async def transaction() -> bool:
        async with sessionmaker() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            return await allow_write(session, config, person_id, ip)

    try:
        return await retrying(transaction)
    except DomainError as error:
        if error.code is ErrorCode.RATE_LIMITED:
            return False
        raise
