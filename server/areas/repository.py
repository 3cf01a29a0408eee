from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.areas.models import Area, AreaSettings


async def parent_map(session: AsyncSession) -> dict[int, int | None]:
    rows = await session.execute(select(Area.id, Area.parent_id))
    return dict(rows.all())


async def by_slug(session: AsyncSession, slug: str) -> Area | None:
    return await session.scalar(select(Area).where(Area.slug == slug))


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Area]:
    return list(await session.scalars(select(Area).where(Area.id.in_(ids))))


async def all_areas(session: AsyncSession) -> list[Area]:
    return list(await session.scalars(select(Area).order_by(Area.name, Area.id)))


async def children_of(session: AsyncSession, parent_ids: Sequence[int]) -> list[Area]:
    return list(
        await session.scalars(
            select(Area).where(Area.parent_id.in_(parent_ids)).order_by(Area.name, Area.id)
        )
    )


async def add(session: AsyncSession, area: Area) -> Area:
    session.add(area)
    await session.flush()
    return area


async def settings_for(session: AsyncSession, area_ids: Sequence[int]) -> list[AreaSettings]:
    return list(
        await session.scalars(select(AreaSettings).where(AreaSettings.area_id.in_(area_ids)))
    )


async def settings_for_update(session: AsyncSession, area_id: int) -> AreaSettings | None:
    return await session.scalar(
        select(AreaSettings).where(AreaSettings.area_id == area_id).with_for_update()
    )


async def add_settings(session: AsyncSession, settings: AreaSettings) -> AreaSettings:
    session.add(settings)
    await session.flush()
    return settings
