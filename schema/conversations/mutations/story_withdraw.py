from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, require_id
from schema.conversations.types import StoryType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.conversations import service as conversations


@strawberry.input(name="WithdrawStoryInput")
class WithdrawStoryInput:
    story_id: strawberry.ID


@strawberry.type(name="WithdrawStoryPayload")
class WithdrawStoryPayload:
    story: StoryType | None
    errors: list[UserError]


async def withdraw_story(info: Info, input: WithdrawStoryInput) -> WithdrawStoryPayload:
    """The teller withdrew consent: the story's words are erased everywhere (facilitators)."""

    async def work(session: AsyncSession, actor: Actor) -> StoryType:
        story = await conversations.withdraw_story(
            session, actor, require_id(input.story_id, "Story", ["storyId"])
        )
        conversation = await conversations.get(session, story.conversation_id, ["storyId"])
        return StoryType.of(story, conversation.area_id)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return WithdrawStoryPayload(story=None, errors=result.errors)
    return WithdrawStoryPayload(story=result, errors=[])
