from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.pagination import page_per_parent
from server.proposals.models import Proposal, ProposalRevision, ProposalStatus


async def by_id(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.get(Proposal, proposal_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Proposal]:
    return list(await session.scalars(select(Proposal).where(Proposal.id.in_(ids))))


async def for_update(session: AsyncSession, proposal_id: int) -> Proposal | None:
    return await session.scalar(
        select(Proposal).where(Proposal.id == proposal_id).with_for_update()
    )


async def page_for_areas(
    session: AsyncSession,
    area_ids: Sequence[int],
    *,
    status: ProposalStatus | None,
    after_id: int | None,
    limit: int,
) -> list[Proposal]:
    where = [Proposal.status == status] if status is not None else []
    return await page_per_parent(
        session, Proposal, Proposal.area_id, area_ids, after_id=after_id, limit=limit, where=where
    )


async def count_for_areas(
    session: AsyncSession, area_ids: Sequence[int], status: ProposalStatus | None
) -> dict[int, int]:
    statement = (
        select(Proposal.area_id, func.count())
        .where(Proposal.area_id.in_(area_ids))
        .group_by(Proposal.area_id)
    )
    if status is not None:
        statement = statement.where(Proposal.status == status)
    rows = await session.execute(statement)
    return dict(rows.all())


async def for_conversations(
    session: AsyncSession, conversation_ids: Sequence[int]
) -> list[Proposal]:
    return list(
        await session.scalars(
            select(Proposal)
            .where(Proposal.conversation_id.in_(conversation_ids))
            .order_by(Proposal.id)
        )
    )


async def add(session: AsyncSession, item: Proposal | ProposalRevision) -> None:
    session.add(item)
    await session.flush()
