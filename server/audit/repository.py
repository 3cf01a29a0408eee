from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, exists, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from server.people.models import AreaRole


async def append(
    session: AsyncSession,
    *,
    actor_id: int | None,
    verb: str,
    subject_type: str,
    subject_id: int,
    area_id: int | None,
    data: dict[str, Any],
) -> None:
    await session.execute(
        insert(AuditEvent).values(
            actor_id=actor_id,
            verb=verb,
            subject_type=subject_type,
            subject_id=subject_id,
            area_id=area_id,
            data=data,
        )
    )


def _concerns_someone_within(area_ids: Sequence[int]) -> ColumnElement[bool]:
    """An event tied to no area concerns a person: its subject when that is a person,
    else whoever acted. It is within reach when that person holds a role, and every
    role they hold is in ``area_ids``."""
    concerned = case(
        (AuditEvent.subject_type == "Person", AuditEvent.subject_id), else_=AuditEvent.actor_id
    )
    return and_(
        exists().where(AreaRole.person_id == concerned),
        ~exists().where(AreaRole.person_id == concerned, AreaRole.area_id.not_in(area_ids)),
    )


async def page(
    session: AsyncSession,
    *,
    area_ids: Sequence[int],
    unplaced: Literal["none", "within", "all"],
    after_id: int | None,
    limit: int,
) -> list[AuditEvent]:
    """Newest first: events in these areas, and of the events in no area none, those
    concerning people within these areas, or all."""
    where: ColumnElement[bool] = AuditEvent.area_id.in_(area_ids)
    if unplaced == "all":
        where = or_(where, AuditEvent.area_id.is_(None))
    elif unplaced == "within":
        where = or_(where, and_(AuditEvent.area_id.is_(None), _concerns_someone_within(area_ids)))
    query = select(AuditEvent).where(where)
    if after_id is not None:
        query = query.where(AuditEvent.id < after_id)
    return list(await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
