"""A round's live results, computed once per process per change window and shared by
every query, page and subscriber that asks for them.

Each process keeps the last result per open round. A ``ROUND_TALLY`` notice (which every
cast, withdrawal and close sends, from any process, through the EventHub) marks it
stale; the next reader recomputes it from the counters, unless the last computation
started under ``refresh_seconds`` ago, in which case readers get that one: so a busy
round is summed at most about once a second per process, and a read sees a committed
change within about a second. One computation runs at a time per round (single flight):
everyone arriving meanwhile waits for it rather than starting their own.

With ``refresh_seconds`` 0 (or no EventHub) nothing is kept: every read sums the
counters itself, in the reader's own transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import events
from server.events import EventHub
from server.voting import results
from server.voting.models import VotingRound


@dataclass
class _Entry:
    found: results.RoundResults | None = None
    started: float = 0.0
    stale: bool = True
    computing: asyncio.Task[results.RoundResults] | None = field(default=None, repr=False)


class LiveResults:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        hub: EventHub | None,
        refresh_seconds: float,
    ) -> None:
        self._sessionmaker = sessionmaker
        self._refresh = refresh_seconds
        self._enabled = hub is not None and refresh_seconds > 0
        self._entries: dict[int, _Entry] = {}
        self.computations = 0
        if hub is not None:
            hub.watch(events.ROUND_TALLY, self._changed)

    def _changed(self, payload: str | None) -> None:
        if payload is None:
            for entry in self._entries.values():
                entry.stale = True
            return
        with contextlib.suppress(ValueError):
            changed = self._entries.get(int(payload))
            if changed is not None:
                changed.stale = True

    async def of(self, session: AsyncSession, voting_round: VotingRound) -> results.RoundResults:
        """The live results of an open round, at most about ``refresh_seconds`` old."""
        if not self._enabled:
            self.computations += 1
            return await results.compute(session, voting_round)
        entry = self._entries.setdefault(voting_round.id, _Entry())
        now = time.monotonic()
        if entry.found is not None and (not entry.stale or now - entry.started < self._refresh):
            return entry.found
        if entry.computing is None:
            # Stale again if a notice arrives while this computation reads.
            entry.stale = False
            entry.started = now
            entry.computing = asyncio.create_task(self._compute(entry, voting_round))
            entry.computing.add_done_callback(_retrieve)
        return await asyncio.shield(entry.computing)

    async def _compute(self, entry: _Entry, voting_round: VotingRound) -> results.RoundResults:
        try:
            self.computations += 1
            async with self._sessionmaker() as session:
                found = await results.live_from_counters(
                    session, voting_round.id, voting_round.method, voting_round.ranked_tally
                )
            entry.found = found
            return found
        except BaseException:
            entry.stale = True
            raise
        finally:
            entry.computing = None


def _retrieve(task: asyncio.Task[results.RoundResults]) -> None:
    """Mark a failure seen: every waiter has its own copy of it already."""
    if not task.cancelled():
        task.exception()
