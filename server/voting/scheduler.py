"""Closes rounds when their ``closesAt`` passes. Every app process runs one; each due
round is closed by exactly one of them (SELECT ... FOR UPDATE SKIP LOCKED)."""

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
            round_id = await voting.close_next_due_round(session)
        if round_id is None:
            return closed
        log.info("closed round %s at its closing time", round_id)
        closed.append(round_id)


async def run_round_closer(sessionmaker: async_sessionmaker[AsyncSession], interval: float) -> None:
    while True:
        try:
            await close_due_rounds_once(sessionmaker)
        except Exception:  # keep the loop alive; the next tick retries
            log.exception("closing due rounds failed")
        await asyncio.sleep(interval)
