"""Runs jobs: claims them with ``SKIP LOCKED``, retries failures with back-off, records
those that fail for good.

A job runs in one transaction that holds its row lock: the handler's own writes (e.g.
"this notification was emailed") and the job's "done" commit together, so a job that
succeeded is never run again and one that failed leaves nothing half-done behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import unit_of_work
from server.events import EventHub, drain
from server.jobs import repository
from server.jobs.models import Job

log = logging.getLogger(__name__)

Handler = Callable[[AsyncSession, dict[str, Any]], Awaitable[None]]
# Periodic work (e.g. "are today's digests due?"); each tick is its own transaction.
Tick = Callable[[AsyncSession], Awaitable[None]]


class Permanent(Exception):
    """A failure that retrying cannot mend (e.g. the mail server refused the address)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential back-off with jitter: base, 2 x base, 4 x base ... up to ``cap``."""

    base: float = 30.0
    cap: float = 3600.0

    def delay(self, attempts: int) -> timedelta:
        seconds = min(self.cap, self.base * 2 ** max(attempts - 1, 0))
        return timedelta(seconds=seconds * random.uniform(0.8, 1.2))  # noqa: S311


def _describe(error: BaseException) -> str:
    return f"{type(error).__name__}: {error}"[:2000]


class Worker:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        handlers: Mapping[str, Handler],
        *,
        ticks: Sequence[Tick] = (),
        concurrency: int = 2,
        poll_interval: float = 5.0,
        tick_interval: float = 60.0,
        retry: RetryPolicy | None = None,
        lease: timedelta = timedelta(minutes=5),
        hub: EventHub | None = None,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.handlers = dict(handlers)
        self.ticks = list(ticks)
        self.concurrency = concurrency
        self.poll_interval = poll_interval
        self.tick_interval = tick_interval
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.hub = hub
        self._wake = asyncio.Event()
        self._stopping = asyncio.Event()

    async def run_one(self) -> bool:
        """Claim and run one ready job; whether there was one."""
        async with unit_of_work(self.sessionmaker) as session:
            job_id = await repository.claim(session, self.lease)
        if job_id is None:
            return False
        async with unit_of_work(self.sessionmaker) as session:
            job = await repository.locked(session, job_id)
            if job is not None:
                await self._attempt(session, job)
        return True

    async def _attempt(self, session: AsyncSession, job: Job) -> None:
        handler = self.handlers.get(job.task)
        try:
            async with session.begin_nested():
                if handler is None:
                    raise Permanent(f"no handler for task {job.task!r}")
                await handler(session, job.args)
        except Permanent as error:
            log.error("job %s (%s) failed for good: %s", job.id, job.task, error)
            await repository.fail(session, job.id, _describe(error))
        except Exception as error:  # any failure: retry later, or record it for good
            if job.attempts >= job.max_attempts:
                log.error("job %s (%s) failed %s times: %s", job.id, job.task, job.attempts, error)
                await repository.fail(session, job.id, _describe(error))
            else:
                delay = self.retry.delay(job.attempts)
                log.warning(
                    "job %s (%s) failed (attempt %s), retrying in %.0f s: %s",
                    job.id,
                    job.task,
                    job.attempts,
                    delay.total_seconds(),
                    error,
                )
                await repository.retry_later(session, job.id, delay, _describe(error))
        else:
            await repository.finish(session, job.id)

    async def run_until_idle(self) -> int:
        """Run ready jobs until none is left; how many ran (tests, one-off runs)."""
        ran = 0
        while await self.run_one():
            ran += 1
        return ran

    async def tick(self) -> None:
        for periodic in self.ticks:
            async with unit_of_work(self.sessionmaker) as session:
                await periodic(session)

    async def run(self) -> None:
        """Work until :meth:`stop`: ``concurrency`` job slots, woken by LISTEN/NOTIFY
        (polling as a safety net), and the periodic ticks."""
        async with contextlib.AsyncExitStack() as stack:
            background = []
            if self.hub is not None:
                queue = await stack.enter_async_context(
                    self.hub.subscribe(repository.CHANNEL, repository.READY)
                )
                background.append(asyncio.create_task(self._forward(queue)))
            background.append(asyncio.create_task(self._ticker()))
            slots = [asyncio.create_task(self._slot()) for _ in range(self.concurrency)]
            try:
                await asyncio.gather(*slots)
            finally:
                for task in (*slots, *background):
                    task.cancel()
                await asyncio.gather(*slots, *background, return_exceptions=True)

    def stop(self) -> None:
        """Finish the jobs in hand, then return from :meth:`run`."""
        self._stopping.set()
        self._wake.set()

    async def _slot(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                if await self.run_one():
                    continue
            except Exception:  # the database went away: keep going, the next poll retries
                log.exception("running a job failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.poll_interval)

    async def _forward(self, queue: asyncio.Queue[str]) -> None:
        while True:
            await drain(queue)
            self._wake.set()

    async def _ticker(self) -> None:
        while not self._stopping.is_set():
            try:
                await self.tick()
            except Exception:  # keep ticking; the next one retries
                log.exception("periodic work failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopping.wait(), self.tick_interval)
