from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.comments.models import Comment
from server.pagination import page_per_parent


async def by_id(session: AsyncSession, comment_id: int) -> Comment | None:
    return await session.get(Comment, comment_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Comment]:
    return list(await session.scalars(select(Comment).where(Comment.id.in_(ids))))


async def add(session: AsyncSession, comment: Comment) -> None:
    session.add(comment)
    await session.flush()


async def threads_for_proposals(
    session: AsyncSession, proposal_ids: Sequence[int], *, after_id: int | None, limit: int
) -> list[Comment]:
    """Top-level comments, oldest first, up to ``limit`` per proposal."""
    return await page_per_parent(
        session,
        Comment,
        Comment.proposal_id,
        proposal_ids,
        after_id=after_id,
        limit=limit,
        newest_first=False,
        where=[Comment.parent_id.is_(None)],
    )


async def threads_for_actions(
    session: AsyncSession, action_ids: Sequence[int], *, after_id: int | None, limit: int
) -> list[Comment]:
    return await page_per_parent(
        session,
        Comment,
        Comment.action_id,
        action_ids,
        after_id=after_id,
        limit=limit,
        newest_first=False,
        where=[Comment.parent_id.is_(None)],
    )


async def replies_to(session: AsyncSession, parent_ids: Sequence[int]) -> list[Comment]:
    return list(
        await session.scalars(
            select(Comment).where(Comment.parent_id.in_(parent_ids)).order_by(Comment.id)
        )
    )


async def visible_counts_for_proposals(
    session: AsyncSession, proposal_ids: Sequence[int]
) -> dict[int, int]:
    rows = await session.execute(
        select(Comment.proposal_id, func.count())
        .where(Comment.proposal_id.in_(proposal_ids), Comment.hidden_at.is_(None))
        .group_by(Comment.proposal_id)
    )
    return {proposal_id: count for proposal_id, count in rows if proposal_id is not None}
