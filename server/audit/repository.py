from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent


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


async def page(
    session: AsyncSession,
    *,
    area_ids: Sequence[int],
    include_unplaced: bool,
    after_id: int | None,
    limit: int,
) -> list[AuditEvent]:
    """Newest first: events in these areas (and, if asked, events in no area)."""
    placed = AuditEvent.area_id.in_(area_ids)
    where = or_(placed, AuditEvent.area_id.is_(None)) if include_unplaced else placed
    query = select(AuditEvent).where(where)
    if after_id is not None:
        query = query.where(AuditEvent.id < after_id)
    return list(await session.scalars(query.order_by(AuditEvent.id.desc()).limit(limit)))
