"""A round's live results, computed once per process per change window and shared by
every query, page and subscriber that asks for them.

Each process keeps the last result per open round. A ``ROUND_TALLY`` notice (which every
cast, withdrawal and close sends, from any process, through the EventHub) marks it
stale; the next reader recomputes it from the counters, unless the last computation
started under ``refresh_seconds`` ago, in which case readers get that one: so a busy
round is summed at most about once a second per process, and a read sees a committed
change within about a second. One computation runs at a time per round (single flight),
by the first reader to find it changed: everyone arriving meanwhile waits for it rather
than starting their own.

With ``refresh_seconds`` 0 (or no EventHub) nothing is kept: every read sums the
counters itself, in the reader's own transaction.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession

from server import events
from server.events import EventHub
from server.voting import results
from server.voting.models import VotingRound


class _Lost(Exception):
    """The reader computing a result failed or gave up: the others try again."""


@dataclass
class _Entry:
    found: results.RoundResults | None = None
    started: float = 0.0
    stale: bool = True
    computing: asyncio.Future[results.RoundResults] | None = field(default=None, repr=False)


class LiveResults:
    def __init__(self, hub: EventHub | None, refresh_seconds: float) -> None:
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
        """The live results of an open round, at most about ``refresh_seconds`` old.

        The reader that finds the round changed computes it in its own session (a
        connection it already holds: waiting for another from the pool while readers
        hold them all could wait forever); the others wait for that reader's answer.
        """
        if not self._enabled:
            self.computations += 1
            return await results.compute(session, voting_round)
        while True:
            entry = self._entries.setdefault(voting_round.id, _Entry())
            now = time.monotonic()
            if entry.found is not None and (not entry.stale or now - entry.started < self._refresh):
                return entry.found
            if entry.computing is None:
                return await self._compute(session, entry, voting_round, now)
            with contextlib.suppress(_Lost):
                return await asyncio.shield(entry.computing)

    def retry_in(self, round_id: int) -> float | None:
        """When the result held for a round predates a change already notified: the
        seconds until it may be recomputed (a subscriber waits that long, then reads
        again, as no further notice may come). None when it is current."""
        entry = self._entries.get(round_id)
        if not self._enabled or entry is None or not entry.stale:
            return None
        return max(0.0, self._refresh - (time.monotonic() - entry.started))

    async def _compute(
        self, session: AsyncSession, entry: _Entry, voting_round: VotingRound, now: float
    ) -> results.RoundResults:
        computing = entry.computing = asyncio.get_running_loop().create_future()
        computing.add_done_callback(_retrieve)
        # Stale again if a notice arrives while this computation reads.
        entry.stale = False
        entry.started = now
        self.computations += 1
        try:
            found = await results.compute(session, voting_round)
        except BaseException:
            entry.stale = True
            computing.set_exception(_Lost())
            raise
        finally:
            entry.computing = None
        entry.found = found
        computing.set_result(found)
        return found


def _retrieve(future: asyncio.Future[results.RoundResults]) -> None:
    """Mark a lost computation seen, whether or not anyone was waiting for it."""
    if not future.cancelled():
        future.exception()
