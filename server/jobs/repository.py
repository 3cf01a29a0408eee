from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.jobs.models import Job, JobState

# Workers LISTEN here; an enqueue notifies it, delivered when its transaction commits.
CHANNEL = events.JOBS
READY = "ready"


@dataclass(frozen=True, slots=True)
class NewJob:
    task: str
    args: dict[str, Any]
    key: str | None = None
    run_after: datetime | None = None


async def enqueue(session: AsyncSession, jobs: Sequence[NewJob]) -> int:
    """Add jobs in the caller's transaction; a job whose key exists already is skipped.
    How many were added."""
    if not jobs:
        return 0
    rows = [
        {
            "task": job.task,
            "args": job.args,
            "key": job.key,
            "run_after": job.run_after if job.run_after is not None else func.now(),
        }
        for job in jobs
    ]
    added = await session.scalars(
        insert(Job).values(rows).on_conflict_do_nothing(index_elements=["key"]).returning(Job.id)
    )
    count = len(added.all())
    if count:
        await events.notify(session, CHANNEL, READY)
    return count


async def claim(session: AsyncSession, lease: timedelta) -> int | None:
    """Take the next ready job: count the attempt and hide it from other workers for
    ``lease`` (should this worker die, it is ready again then). Its id, or None."""
    ready = (
        select(Job.id)
        .where(Job.state == JobState.QUEUED, Job.run_after <= func.now())
        .order_by(Job.run_after, Job.id)
        .limit(1)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    claimed: int | None = await session.scalar(
        update(Job)
        .where(Job.id == ready)
        .values(attempts=Job.attempts + 1, run_after=func.now() + lease)
        .returning(Job.id)
    )
    return claimed


async def locked(session: AsyncSession, job_id: int) -> Job | None:
    """The job, row-locked for this transaction, while it is still queued."""
    job: Job | None = await session.scalar(
        select(Job)
        .where(Job.id == job_id, Job.state == JobState.QUEUED)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return job


async def finish(session: AsyncSession, job_id: int) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.DONE, finished_at=func.now(), last_error=None)
    )


async def retry_later(session: AsyncSession, job_id: int, delay: timedelta, error: str) -> None:
    await session.execute(
        update(Job).where(Job.id == job_id).values(run_after=func.now() + delay, last_error=error)
    )


async def fail(session: AsyncSession, job_id: int, error: str) -> None:
    await session.execute(
        update(Job)
        .where(Job.id == job_id)
        .values(state=JobState.FAILED, finished_at=func.now(), last_error=error)
    )


async def failed(session: AsyncSession, limit: int = 100) -> list[Job]:
    return list(
        await session.scalars(
            select(Job).where(Job.state == JobState.FAILED).order_by(Job.id.desc()).limit(limit)
        )
    )


async def requeue(session: AsyncSession, job_id: int) -> bool:
    """Give a failed job a fresh set of attempts; whether there was such a job."""
    requeued = await session.scalar(
        update(Job)
        .where(Job.id == job_id, Job.state == JobState.FAILED)
        .values(state=JobState.QUEUED, attempts=0, run_after=func.now(), finished_at=None)
        .returning(Job.id)
    )
    if requeued is not None:
        await events.notify(session, CHANNEL, READY)
    return requeued is not None


async def prune_done(session: AsyncSession, before: datetime) -> int:
    """Forget finished jobs (failed ones stay until someone looks at them)."""
    removed = await session.scalars(
        delete(Job).where(Job.state == JobState.DONE, Job.finished_at < before).returning(Job.id)
    )
    return len(removed.all())


async def counts(session: AsyncSession) -> dict[JobState, int]:
    rows = await session.execute(select(Job.state, func.count()).group_by(Job.state))
    return dict(rows.all())
