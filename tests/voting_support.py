"""Helpers for the voting integrity tests: many voters at once, and the rows as stored."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Scope
from server.areas import repository as areas_repo
from server.auth import tokens
from server.config import Settings
from server.ids import from_global_id, to_global_id
from server.people import service as people
from server.people.models import PersonKind, Role
from server.voting.models import Ballot, BallotCast, BallotEntry, RoundSnapshot
from tests.support import Api, Someone


async def many_voters(
    api: Api,
    count: int,
    *,
    kind: PersonKind = PersonKind.RESIDENT,
    area: str = "willenhall",
    role: Role = Role.PARTICIPANT,
) -> list[Someone]:
    """``count`` people with ``role`` in ``area`` and a token each, in one transaction."""
    batch = secrets.token_hex(3)

    async def work(session: AsyncSession) -> list[Someone]:
        where = await areas_repo.by_slug(session, area)
        assert where is not None
        made = []
        for i in range(count):
            name = f"Voter {batch} {i}"
            person, _ = await people.ensure_person(
                session, email=f"voter.{batch}.{i}@example.org", display_name=name, kind=kind
            )
            await people.grant(session, person, where, role, None)
            issued = await tokens.issue(
                session,
                person_id=person.id,
                name="test",
                scopes={Scope.READ, Scope.WRITE},
                expires_in=timedelta(days=1),
            )
            made.append(
                Someone(person.id, to_global_id("Person", person.id), issued.plaintext, name)
            )
        return made

    return await api.run(work)


def pk(global_id: str) -> int:
    decoded = from_global_id(global_id)
    assert decoded is not None, global_id
    return decoded[1]


@dataclass(frozen=True)
class StoredBallot:
    person_id: int
    # proposal id -> (points, rank)
    entries: dict[int, tuple[int | None, int | None]]


async def stored_ballots(api: Api, round_id: str) -> list[StoredBallot]:
    async def work(session: AsyncSession) -> list[StoredBallot]:
        ballots = {
            b.id: StoredBallot(b.person_id, {})
            for b in await session.scalars(select(Ballot).where(Ballot.round_id == pk(round_id)))
        }
        for entry in await session.scalars(
            select(BallotEntry).where(BallotEntry.round_id == pk(round_id))
        ):
            ballots[entry.ballot_id].entries[entry.proposal_id] = (entry.points, entry.rank)
        return list(ballots.values())

    return await api.run(work)


async def cast_count(api: Api, round_id: str) -> int:
    async def work(session: AsyncSession) -> int:
        found = await session.scalar(
            select(func.count()).select_from(BallotCast).where(BallotCast.round_id == pk(round_id))
        )
        return int(found or 0)

    return await api.run(work)


async def snapshots(api: Api, round_id: str) -> list[RoundSnapshot]:
    async def work(session: AsyncSession) -> list[RoundSnapshot]:
        return list(
            await session.scalars(
                select(RoundSnapshot).where(RoundSnapshot.round_id == pk(round_id))
            )
        )

    return await api.run(work)


async def ballot_count(api: Api, round_id: str) -> int:
    async def work(session: AsyncSession) -> int:
        found = await session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.round_id == pk(round_id))
        )
        return int(found or 0)

    return await api.run(work)


@contextlib.asynccontextmanager
async def second_app(settings: Settings, database_url: str) -> AsyncIterator[Api]:
    """A second app instance (own engine, pool, event hub, round closer) on the same
    database: what a second process behind a load balancer would be."""
    from server.app import create_app

    second = create_app(settings, database_url=database_url)
    async with (
        second.router.lifespan_context(second),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=second), base_url="http://testserver"
        ) as http,
    ):
        yield Api(second, http)
