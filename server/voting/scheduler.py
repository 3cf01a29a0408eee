"""Closes rounds when their ``closesAt`` passes. Every app process runs one; each due
round is closed by exactly one of them (they take turns on the round's gate, and the
later ones find it already closed)."""

from __future__ import annotations

import asyncio
import logging

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.db import unit_of_work
from server.voting import service as voting

log = logging.getLogger(__name__)


async def close_due_rounds_once(sessionmaker: async_sessionmaker[AsyncSession]) -> list[int]:
    """Close due rounds, one transaction each; the ids this process closed."""
    closed: list[int] = []
    while True:
        async with unit_of_work(sessionmaker) as session:
            due = await voting.due_rounds(session)
        closed_now = []
        for round_id in due:
            async with unit_of_work(sessionmaker) as session:
                if not await voting.close_if_due(session, round_id):
                    continue  # another process closed it first
            log.info("closed round %s at its closing time", round_id)
            closed_now.append(round_id)
        if not closed_now:
            return closed
        closed.extend(closed_now)


async def run_round_closer(sessionmaker: async_sessionmaker[AsyncSession], interval: float) -> None:
    while True:
        try:
            await close_due_rounds_once(sessionmaker)
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("closing due rounds failed")
        await asyncio.sleep(interval)
