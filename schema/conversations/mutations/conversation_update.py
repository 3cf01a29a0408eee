from __future__ import annotations

import strawberry

from schema.base import Info, decode_id, require_id
from schema.conversations.mutations.conversation_status import ConversationPayload
from schema.conversations.types import ConversationType
from schema.mutation import Failed, mutate
from server.conversations import service as conversations


@strawberry.input(name="UpdateConversationInput")
class UpdateConversationInput:
    conversation_id: strawberry.ID
    headcount: int | None = strawberry.field(
        default=None, description="How many were in the room (left as it was when omitted)."
    )
    closing_summary: str | None = strawberry.field(
        default=None, description="What the room agreed; an empty string clears it."
    )
    facilitator_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Who ran it: facilitators of the area (replaces the list)."
    )


async def update_conversation(info: Info, input: UpdateConversationInput) -> ConversationPayload:
    """Keep a conversation's record: headcount, closing summary, facilitators."""
    result = await mutate(
        info,
        lambda session, actor: conversations.update_conversation(
            session,
            actor,
            require_id(input.conversation_id, "Conversation", ["conversationId"]),
            headcount=input.headcount,
            closing_summary=input.closing_summary,
            facilitator_ids=(
                [decode_id(p, "Person") for p in input.facilitator_ids]
                if input.facilitator_ids is not None
                else None
            ),
        ),
    )
    if isinstance(result, Failed):
        return ConversationPayload(conversation=None, errors=result.errors)
    return ConversationPayload(conversation=ConversationType.of(result), errors=[])
