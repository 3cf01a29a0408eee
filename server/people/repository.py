from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.areas.models import Area
from server.people.models import AreaRole, Person, Role


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Person]:
    return list(await session.scalars(select(Person).where(Person.id.in_(ids))))


async def by_id(session: AsyncSession, person_id: int) -> Person | None:
    return await session.get(Person, person_id)


async def by_email(session: AsyncSession, email: str) -> Person | None:
    return await session.scalar(select(Person).where(func.lower(Person.email) == email.lower()))


async def add(session: AsyncSession, person: Person) -> Person:
    session.add(person)
    await session.flush()
    return person


async def grants(session: AsyncSession, person_id: int) -> list[tuple[int, Role]]:
    rows = await session.execute(
        select(AreaRole.area_id, AreaRole.role).where(AreaRole.person_id == person_id)
    )
    return list(rows.all())


async def grants_for(session: AsyncSession, person_ids: Sequence[int]) -> list[AreaRole]:
    return list(await session.scalars(select(AreaRole).where(AreaRole.person_id.in_(person_ids))))


async def participants_of(
    session: AsyncSession,
    area_ids: Sequence[int],
    *,
    named: str | None = None,
    limit: int = 1000,
) -> list[Person]:
    """People who may vote in an area: a participant (or facilitator or admin) role held
    in one of ``area_ids`` (the area and those above it), by display name."""
    statement = (
        select(Person)
        .where(
            Person.id.in_(
                select(AreaRole.person_id).where(
                    AreaRole.area_id.in_(area_ids),
                    AreaRole.role.in_([Role.PARTICIPANT, Role.FACILITATOR, Role.ADMIN]),
                )
            )
        )
        .order_by(func.lower(Person.display_name), Person.id)
        .limit(limit)
    )
    if named is not None:
        statement = statement.where(func.lower(func.btrim(Person.display_name)) == named.lower())
    return list(await session.scalars(statement))


async def add_grant(
    session: AsyncSession, person_id: int, area_id: int, role: Role, granted_by_id: int | None
) -> bool:
    """Grant a role; False when the person already held it there."""
    result = await session.execute(
        insert(AreaRole)
        .values(person_id=person_id, area_id=area_id, role=role, granted_by_id=granted_by_id)
        .on_conflict_do_nothing(index_elements=["person_id", "area_id", "role"])
        .returning(AreaRole.id)
    )
    return result.scalar_one_or_none() is not None


async def remove_grant(session: AsyncSession, person_id: int, area_id: int, role: Role) -> bool:
    result = await session.execute(
        delete(AreaRole)
        .where(AreaRole.person_id == person_id, AreaRole.area_id == area_id, AreaRole.role == role)
        .returning(AreaRole.id)
    )
    return result.scalar_one_or_none() is not None


async def grants_with_area_names(session: AsyncSession, person_id: int) -> list[tuple[Role, str]]:
    rows = await session.execute(
        select(AreaRole.role, Area.name)
        .join(Area, Area.id == AreaRole.area_id)
        .where(AreaRole.person_id == person_id)
        .order_by(Area.name, AreaRole.role)
    )
    return [(role, name) for role, name in rows.all()]
