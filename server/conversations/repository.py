from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.conversations.models import Conversation, ConversationStatus, Story
from server.pagination import page_per_parent


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Conversation]:
    return list(await session.scalars(select(Conversation).where(Conversation.id.in_(ids))))


async def by_id(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def live_by_join_code(session: AsyncSession, code: str) -> Conversation | None:
    return await session.scalar(
        select(Conversation).where(
            Conversation.join_code == code, Conversation.status != ConversationStatus.CLOSED
        )
    )


async def join_code_in_use(session: AsyncSession, code: str) -> bool:
    return await live_by_join_code(session, code) is not None


async def page_for_areas(
    session: AsyncSession, area_ids: Sequence[int], *, after_id: int | None, limit: int
) -> list[Conversation]:
    """Newest first, up to ``limit`` per area (one statement for many areas)."""
    return await page_per_parent(
        session, Conversation, Conversation.area_id, area_ids, after_id=after_id, limit=limit
    )


async def stories_for(session: AsyncSession, conversation_ids: Sequence[int]) -> list[Story]:
    return list(
        await session.scalars(
            select(Story)
            .where(Story.conversation_id.in_(conversation_ids))
            .order_by(Story.conversation_id, Story.id)
        )
    )


async def story_by_id(session: AsyncSession, story_id: int) -> Story | None:
    return await session.get(Story, story_id)


async def stories_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Story]:
    return list(await session.scalars(select(Story).where(Story.id.in_(ids))))


async def add(session: AsyncSession, item: Conversation | Story) -> None:
    session.add(item)
    await session.flush()
