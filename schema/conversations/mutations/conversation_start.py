from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info
from schema.conversations.types import ConversationType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.conversations import service as conversations


@strawberry.input(name="StartConversationInput")
class StartConversationInput:
    area_slug: str
    title: str
    prompt: str
    starts_at: datetime | None = None
    location: str | None = None


@strawberry.type(name="StartConversationPayload")
class StartConversationPayload:
    conversation: ConversationType | None
    errors: list[UserError]


async def start_conversation(info: Info, input: StartConversationInput) -> StartConversationPayload:
    """Start a conversation (facilitators). PLANNED when it starts later, else OPEN."""
    result = await mutate(
        info,
        lambda session, actor: conversations.start_conversation(
            session,
            actor,
            area_slug=input.area_slug,
            title=input.title,
            prompt=input.prompt,
            starts_at=input.starts_at,
            location=input.location,
        ),
    )
    if isinstance(result, Failed):
        return StartConversationPayload(conversation=None, errors=result.errors)
    return StartConversationPayload(conversation=ConversationType.of(result), errors=[])
