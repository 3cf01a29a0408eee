"""Cross-process events over PostgreSQL LISTEN/NOTIFY.

Writers call :func:`notify` inside their transaction (PostgreSQL delivers on commit, and
drops the notice on rollback). Each app process runs one :class:`EventHub`: a dedicated
connection LISTENing on every channel, fanning payloads out to local subscribers. So a
ballot cast on one process reaches subscribers on every other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Callable

import asyncpg
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

log = logging.getLogger(__name__)

ROUND_TALLY = "levelground_round_tally"
# Background jobs are ready (server/jobs): wakes the workers.
JOBS = "levelground_jobs"
CHANNELS = (ROUND_TALLY, JOBS)
RECONNECT_DELAY = 1.0


async def notify(session: AsyncSession, channel: str, payload: str) -> None:
    await session.execute(select(func.pg_notify(channel, payload)))


def asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


class EventHub:
    """One LISTEN connection per process; subscribers get their own queues."""

    def __init__(self, url: str) -> None:
        self._dsn = asyncpg_dsn(url)
        self._subscribers: dict[tuple[str, str], set[asyncio.Queue[str]]] = defaultdict(set)
        # Called with every payload on a channel, or None when notices may have been
        # missed (the connection came back): e.g. the shared results cache.
        self._watchers: dict[str, list[Callable[[str | None], None]]] = defaultdict(list)
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self._stopping = False

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="levelground-event-hub")
        await asyncio.wait_for(self._ready.wait(), timeout=30)

    async def stop(self) -> None:
        self._stopping = True
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _run(self) -> None:
        reconnecting = False
        while not self._stopping:
            connection: asyncpg.Connection | None = None
            try:
                connection = await asyncpg.connect(self._dsn)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _, lost=lost: lost.set())
                for channel in CHANNELS:
                    await connection.add_listener(channel, self._deliver)
                if reconnecting:
                    # Subscribers may have missed notices while we were not listening.
                    # Wake them now that we listen again, not before: a change made
                    # between their re-read and our LISTEN would be lost.
                    self._wake_everyone()
                self._ready.set()
                await lost.wait()
                log.warning("event connection lost; reconnecting")
            except Exception as error:  # the hub outlives any failure: it only retries
                log.warning("event connection failed (%r); retrying", error)
            finally:
                if connection is not None and not connection.is_closed():
                    # Not close(): a connection that failed mid-operation cannot run
                    # the goodbye round trip (asyncpg's InternalClientError).
                    connection.terminate()
            reconnecting = True
            await asyncio.sleep(RECONNECT_DELAY)

    def _deliver(self, _connection: object, _pid: int, channel: str, payload: str) -> None:
        # Watchers first: a subscriber woken by this notice must read fresh results.
        for watcher in self._watchers.get(channel, ()):
            watcher(payload)
        for queue in self._subscribers.get((channel, payload), ()):
            queue.put_nowait(payload)

    def _wake_everyone(self) -> None:
        for watchers in self._watchers.values():
            for watcher in watchers:
                watcher(None)
        for (_, payload), queues in self._subscribers.items():
            for queue in queues:
                queue.put_nowait(payload)

    def watch(self, channel: str, watcher: Callable[[str | None], None]) -> None:
        """Call ``watcher(payload)`` on every notice on ``channel`` (None: any may have
        been missed), before any subscriber hears of it."""
        self._watchers[channel].append(watcher)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str, payload: str) -> AsyncIterator[asyncio.Queue[str]]:
        """A queue receiving ``payload`` each time it is notified on ``channel``."""
        queue: asyncio.Queue[str] = asyncio.Queue()
        key = (channel, payload)
        self._subscribers[key].add(queue)
        try:
            yield queue
        finally:
            self._subscribers[key].discard(queue)
            if not self._subscribers[key]:
                del self._subscribers[key]


async def drain(queue: asyncio.Queue[str]) -> None:
    """Wait for one notice, then swallow any that queued behind it (coalescing bursts)."""
    await queue.get()
    while not queue.empty():
        queue.get_nowait()
