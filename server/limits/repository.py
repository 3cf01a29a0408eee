from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.limits.models import RateLimitCount

Bucket = tuple[str, str, datetime]  # bucket, key hash, window start


async def add(session: AsyncSession, buckets: Sequence[Bucket]) -> list[int]:
    """Count one more in each bucket's window, in one statement (an upsert, safe under
    concurrency); each bucket's new total, in the order given. The buckets must differ."""
    statement = insert(RateLimitCount).values(
        [
            {"bucket": bucket, "key_hash": key_hash, "window_start": start, "count": 1}
            for bucket, key_hash, start in buckets
        ]
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["bucket", "key_hash", "window_start"],
        set_={"count": RateLimitCount.count + statement.excluded.count},
    ).returning(RateLimitCount.bucket, RateLimitCount.key_hash, RateLimitCount.count)
    totals = {
        (bucket, key_hash): total for bucket, key_hash, total in await session.execute(upsert)
    }
    return [int(totals[bucket, key_hash]) for bucket, key_hash, _ in buckets]


async def count(session: AsyncSession, bucket: str, key_hash: str, window_start: datetime) -> int:
    found = await session.scalar(
        select(RateLimitCount.count).where(
            RateLimitCount.bucket == bucket,
            RateLimitCount.key_hash == key_hash,
            RateLimitCount.window_start == window_start,
        )
    )
    return int(found or 0)


async def forget_before(session: AsyncSession, bucket: str, before: datetime) -> None:
    """Drop a bucket's finished windows (only the current one is ever read)."""
    await session.execute(
        delete(RateLimitCount).where(
            RateLimitCount.bucket == bucket, RateLimitCount.window_start < before
        )
    )


async def clear(session: AsyncSession, bucket: str, key_hash: str) -> None:
    await session.execute(
        delete(RateLimitCount).where(
            RateLimitCount.bucket == bucket, RateLimitCount.key_hash == key_hash
        )
    )
