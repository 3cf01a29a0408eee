from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, optional_id, require_id
from schema.conversations.types import StoryType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.conversations import service as conversations
from server.conversations.models import ConsentScope


@strawberry.input(name="AddStoryInput")
class AddStoryInput:
    conversation_id: strawberry.ID
    teller_pseudonym: str
    body: str
    consent_scope: ConsentScope
    teller_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The teller, when they have an account: the story is then in their data "
        "download and is withdrawn if they are erased.",
    )


@strawberry.type(name="AddStoryPayload")
class AddStoryPayload:
    story: StoryType | None
    errors: list[UserError]


async def add_story(info: Info, input: AddStoryInput) -> AddStoryPayload:
    """Record a lived-experience story told at a conversation, with its consent scope."""

    async def work(session: AsyncSession, actor: Actor) -> StoryType:
        conversation_id = require_id(input.conversation_id, "Conversation", ["conversationId"])
        story = await conversations.add_story(
            session,
            actor,
            conversation_id=conversation_id,
            teller_pseudonym=input.teller_pseudonym,
            body=input.body,
            consent_scope=input.consent_scope,
            teller_id=optional_id(input.teller_id, "Person", ["tellerId"]),
        )
        conversation = await conversations.get(session, conversation_id, ["conversationId"])
        return StoryType.of(story, conversation.area_id)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return AddStoryPayload(story=None, errors=result.errors)
    return AddStoryPayload(story=result, errors=[])
