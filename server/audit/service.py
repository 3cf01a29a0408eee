"""The audit log: an append-only record of who did what to what."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.people.models import Role

if TYPE_CHECKING:
    from server.access import Actor

from server.audit import repository
from server.audit.models import AuditEvent


async def record(
    session: AsyncSession,
    actor_id: int | None,
    verb: str,
    subject: tuple[str, int],
    *,
    area_id: int | None = None,
    **data: Any,
) -> None:
    subject_type, subject_id = subject
    await repository.append(
        session,
        actor_id=actor_id,
        verb=verb,
        subject_type=subject_type,
        subject_id=subject_id,
        area_id=area_id,
        data=data,
    )


async def events(
    session: AsyncSession, actor: Actor, *, area_id: int | None, after_id: int | None, limit: int
) -> list[AuditEvent] | None:
    """The audit log, for admins only, within their reach: an area's admins read what
    happened in it and beneath it. Without an area, an admin of a top-level area reads
    everything in the areas they administer, and of the events tied to no area
    (sign-ins, registrations) those about people whose every role lies in their reach;
    an admin of every area reads them all. None for anyone else, as if there were no
    log."""
    tree = await actor.tree(session)
    if area_id is not None:
        if area_id not in tree or not await actor.has_role(session, area_id, Role.ADMIN):
            return None
        return await repository.page(
            session,
            area_ids=tree.descendants(area_id),
            unplaced="none",
            after_id=after_id,
            limit=limit,
        )
    reach = await actor.administered(session)
    if not reach & set(tree.roots()):
        return None
    return await repository.page(
        session,
        area_ids=sorted(reach),
        unplaced="all" if await actor.administers_everything(session) else "within",
        after_id=after_id,
        limit=limit,
    )
