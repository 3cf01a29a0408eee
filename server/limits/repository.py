from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.limits.models import RateLimitCount


async def add(
    session: AsyncSession, bucket: str, key_hash: str, window_start: datetime, amount: int
) -> int:
    """Count ``amount`` more in the window (one upsert, safe under concurrency); the total."""
    statement = insert(RateLimitCount).values(
        bucket=bucket, key_hash=key_hash, window_start=window_start, count=amount
    )
    upsert = statement.on_conflict_do_update(
        index_elements=["bucket", "key_hash", "window_start"],
        set_={"count": RateLimitCount.count + statement.excluded.count},
    ).returning(RateLimitCount.count)
    return int((await session.execute(upsert)).scalar_one())


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
