from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.teams.models import CoreTeam, TeamMembership


async def by_id(session: AsyncSession, team_id: int) -> CoreTeam | None:
    return await session.get(CoreTeam, team_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[CoreTeam]:
    return list(await session.scalars(select(CoreTeam).where(CoreTeam.id.in_(ids))))


async def by_name(session: AsyncSession, area_id: int, name: str) -> CoreTeam | None:
    return await session.scalar(
        select(CoreTeam).where(
            CoreTeam.area_id == area_id, func.lower(CoreTeam.name) == name.lower()
        )
    )


async def for_areas(session: AsyncSession, area_ids: Sequence[int]) -> list[CoreTeam]:
    return list(
        await session.scalars(
            select(CoreTeam)
            .where(CoreTeam.area_id.in_(area_ids))
            .order_by(CoreTeam.area_id, CoreTeam.name)
        )
    )


async def add(session: AsyncSession, item: CoreTeam | TeamMembership) -> None:
    session.add(item)
    await session.flush()


async def current_membership(
    session: AsyncSession, team_id: int, person_id: int, *, lock: bool = False
) -> TeamMembership | None:
    statement = select(TeamMembership).where(
        TeamMembership.team_id == team_id,
        TeamMembership.person_id == person_id,
        TeamMembership.left_at.is_(None),
    )
    if lock:
        statement = statement.with_for_update()
    return await session.scalar(statement)


async def current_members(session: AsyncSession, team_ids: Sequence[int]) -> list[TeamMembership]:
    return list(
        await session.scalars(
            select(TeamMembership)
            .where(TeamMembership.team_id.in_(team_ids), TeamMembership.left_at.is_(None))
            .order_by(TeamMembership.team_id, TeamMembership.joined_at, TeamMembership.id)
        )
    )


async def memberships_for(
    session: AsyncSession, team_ids: Sequence[int], *, at: datetime | None = None
) -> list[TeamMembership]:
    """Every spell of membership (or those current at ``at``), earliest joined first."""
    statement = select(TeamMembership).where(TeamMembership.team_id.in_(team_ids))
    if at is not None:
        statement = statement.where(
            TeamMembership.joined_at <= at,
            or_(TeamMembership.left_at.is_(None), TeamMembership.left_at > at),
        )
    return list(
        await session.scalars(
            statement.order_by(TeamMembership.team_id, TeamMembership.joined_at, TeamMembership.id)
        )
    )
