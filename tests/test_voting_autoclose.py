"""Rounds close themselves at ``closesAt`` exactly once, however many app processes run a
round closer on the same database: one snapshot, one audit event, one activity entry,
closed by one closer."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.audit.models import AuditEvent
from server.config import Settings
from server.db import create_engine, create_sessionmaker
from server.voting.models import RoundSnapshot, RoundState, VotingRound
from server.voting.scheduler import close_due_rounds_once
from tests.support import Api, World
from tests.voting_support import pk, second_app

ROUNDS = 6
ACTIVITY = """{ area(slug: "willenhall") { activity(first: 100, kinds: [ROUND_CLOSED]) {
    edges { node { kind round { id state } } } } } }"""


@pytest.fixture
def settings(settings: Settings, request: pytest.FixtureRequest) -> Settings:
    """The test settings; parametrize with a closer interval to slow the app's own
    closer down (so a test can drive closers itself)."""
    interval = getattr(request, "param", None)
    if interval is None:
        return settings
    return settings.model_copy(update={"round_closer_interval": interval})


@pytest.fixture
async def other(settings: Settings, database_url: str) -> AsyncIterator[Api]:
    async with second_app(settings, database_url) as api:
        yield api


async def _rounds(world: World, count: int) -> list[str]:
    """Open rounds with a ballot each, closing in an hour (moved closer by the tests)."""
    later = (clock.now() + timedelta(hours=1)).isoformat()
    made = []
    for i in range(count):
        proposal = await world.proposal(f"Idea {i}")
        round_id = await world.round([proposal], closesAt=later)
        assert (await world.cast(round_id, world.resident, {"proposalId": proposal}))[
            "errors"
        ] == []
        made.append(round_id)
    return made


async def _due_at(api: Api, round_ids: list[str], seconds_from_now: float) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(
            update(VotingRound)
            .where(VotingRound.id.in_([pk(r) for r in round_ids]))
            .values(closes_at=func.now() + timedelta(seconds=seconds_from_now))
        )

    await api.run(work)


async def _closures(api: Api, round_ids: list[str]) -> tuple[Counter[int], Counter[int]]:
    """Snapshots and ROUND_CLOSED audit events, per round."""

    async def work(session: AsyncSession) -> tuple[Counter[int], Counter[int]]:
        ids = [pk(r) for r in round_ids]
        snapshots = Counter(
            await session.scalars(
                select(RoundSnapshot.round_id).where(RoundSnapshot.round_id.in_(ids))
            )
        )
        audits = Counter(
            await session.scalars(
                select(AuditEvent.subject_id).where(
                    AuditEvent.verb == "round.closed",
                    AuditEvent.subject_type == "VotingRound",
                    AuditEvent.subject_id.in_(ids),
                )
            )
        )
        return snapshots, audits

    return await api.run(work)


async def _states(api: Api, round_ids: list[str]) -> set[RoundState]:
    async def work(session: AsyncSession) -> set[RoundState]:
        rows = await session.scalars(
            select(VotingRound.state).where(VotingRound.id.in_([pk(r) for r in round_ids]))
        )
        return set(rows)

    return await api.run(work)


async def test_two_app_instances_close_each_due_round_exactly_once(api: Api, other: Api) -> None:
    """Both apps run their round closer (every 0.2 s in tests) on one database."""
    world = await World(api).build()
    overdue = await _rounds(world, ROUNDS // 2)
    soon = await _rounds(world, ROUNDS - ROUNDS // 2)
    await _due_at(api, overdue, -60)
    await _due_at(api, soon, 0.5)

    for _ in range(300):
        if await _states(api, overdue + soon) == {RoundState.CLOSED}:
            break
        await asyncio.sleep(0.05)
    await asyncio.sleep(0.6)  # a few more ticks of both closers: nothing more happens

    snapshots, audits = await _closures(other, overdue + soon)
    assert snapshots == Counter({pk(r): 1 for r in overdue + soon})
    assert audits == Counter({pk(r): 1 for r in overdue + soon})
    activity = (await api.data(ACTIVITY, as_=world.board))["area"]["activity"]["edges"]
    closed = Counter(edge["node"]["round"]["id"] for edge in activity)
    assert closed == Counter(dict.fromkeys(overdue + soon, 1))
    for round_id in overdue + soon:
        found = await other.data(
            """query($id: ID!) { node(id: $id) { ... on VotingRound { state
                results { turnout snapshotHash } } } }""",
            {"id": round_id},
            as_=world.board,
        )
        assert found["node"]["state"] == "CLOSED"
        assert found["node"]["results"]["turnout"] == 1
        assert len(found["node"]["results"]["snapshotHash"]) == 64


@pytest.mark.parametrize("settings", [3600.0], indirect=True)
async def test_closers_in_separate_processes_share_out_due_rounds_without_overlap(
    api: Api, database_url: str
) -> None:
    """Two closers with their own engines (as two processes would have) run at the same
    moment, several times over: the rounds each closed are disjoint and cover them all."""
    world = await World(api).build()
    round_ids = await _rounds(world, 8)
    await _due_at(api, round_ids, -1)
    engines = [create_engine(database_url, pool_size=2) for _ in range(2)]
    try:
        makers = [create_sessionmaker(engine) for engine in engines]
        passes = await asyncio.gather(
            *(close_due_rounds_once(maker) for _ in range(3) for maker in makers)
        )
    finally:
        for engine in engines:
            await engine.dispose()

    closed = [round_id for found in passes for round_id in found]
    assert sorted(closed) == sorted(pk(r) for r in round_ids)  # each once, by one closer
    by_closer = [set(passes[i]) for i in range(len(passes))]
    for i, mine in enumerate(by_closer):
        for theirs in by_closer[i + 1 :]:
            assert not mine & theirs
    snapshots, audits = await _closures(api, round_ids)
    assert snapshots == audits == Counter({pk(r): 1 for r in round_ids})
