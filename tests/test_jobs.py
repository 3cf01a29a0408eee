"""The jobs table and its worker: keyed jobs happen once, unknown or hopeless work is
recorded as failed (never lost), a failed attempt leaves nothing half-done."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.jobs import repository as jobs
from server.jobs.models import Job, JobState
from server.jobs.worker import Permanent, Worker
from tests.support import Api, World


async def _all(api: Api) -> list[Job]:
    async def work(session: AsyncSession) -> list[Job]:
        return list(await session.scalars(select(Job).order_by(Job.id)))

    return await api.run(work)


async def _enqueue(api: Api, *new: jobs.NewJob) -> int:
    async def work(session: AsyncSession) -> int:
        return await jobs.enqueue(session, list(new))

    return await api.run(work)


async def test_a_keyed_job_is_enqueued_once_however_often_asked(api: Api) -> None:
    job = jobs.NewJob("digests", {"route": "daily"}, key="digests:daily:2026-12-01")
    assert await _enqueue(api, job, job) == 1
    assert await _enqueue(api, job) == 0
    assert len(await _all(api)) == 1


async def test_work_that_cannot_succeed_is_recorded_not_lost(api: Api) -> None:
    async def hopeless(session: AsyncSession, args: dict[str, object]) -> None:
        raise Permanent("the address does not exist")

    await _enqueue(api, jobs.NewJob("hopeless", {}), jobs.NewJob("nobody-handles-this", {}))
    worker = Worker(api.app.state.sessionmaker, {"hopeless": hopeless})
    assert await worker.run_until_idle() == 2
    failed = await _all(api)
    assert [job.state for job in failed] == [JobState.FAILED, JobState.FAILED]
    assert failed[0].last_error == "Permanent: the address does not exist"
    assert "no handler" in (failed[1].last_error or "")
    assert [job.attempts for job in failed] == [1, 1]


async def test_a_failed_attempt_leaves_nothing_half_done(api: Api) -> None:
    """The handler's writes roll back with its failure; the retry starts clean."""
    from server.notifications.models import Notification

    world = await World(api).build()
    await world.round([await world.proposal()])
    attempts: list[int] = []

    async def flaky(session: AsyncSession, args: dict[str, object]) -> None:
        notification = await session.scalar(select(Notification).limit(1))
        assert notification is not None
        notification.link = "/half-done"
        await session.flush()
        attempts.append(1)
        if len(attempts) == 1:
            raise RuntimeError("the mail server went away")

    await _enqueue(api, jobs.NewJob("flaky", {}))
    worker = Worker(api.app.state.sessionmaker, {"flaky": flaky})
    await worker.run_until_idle()

    async def links(session: AsyncSession) -> set[str]:
        return set(await session.scalars(select(Notification.link)))

    assert "/half-done" not in await api.run(links)
    (job,) = await _all(api)
    assert job.state is JobState.QUEUED
    assert job.last_error == "RuntimeError: the mail server went away"
