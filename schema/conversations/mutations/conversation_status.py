from __future__ import annotations

import strawberry

from schema.base import Info, require_id
from schema.conversations.types import ConversationType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.conversations import service as conversations
from server.conversations.models import ConversationStatus


@strawberry.input(name="ConversationInput")
class ConversationInput:
    conversation_id: strawberry.ID


@strawberry.type(name="ConversationPayload")
class ConversationPayload:
    conversation: ConversationType | None
    errors: list[UserError]


async def _set_status(
    info: Info, input: ConversationInput, status: ConversationStatus
) -> ConversationPayload:
    result = await mutate(
        info,
        lambda session, actor: conversations.set_status(
            session,
            actor,
            require_id(input.conversation_id, "Conversation", ["conversationId"]),
            status,
        ),
    )
    if isinstance(result, Failed):
        return ConversationPayload(conversation=None, errors=result.errors)
    return ConversationPayload(conversation=ConversationType.of(result), errors=[])


async def open_conversation(info: Info, input: ConversationInput) -> ConversationPayload:
    """Open a planned conversation (facilitators)."""
    return await _set_status(info, input, ConversationStatus.OPEN)


async def close_conversation(info: Info, input: ConversationInput) -> ConversationPayload:
    """Close a conversation (facilitators); its join code stops working."""
    return await _set_status(info, input, ConversationStatus.CLOSED)
