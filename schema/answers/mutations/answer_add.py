from __future__ import annotations

import strawberry

from schema.answers.types import AnswerType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.answers import service as answers


@strawberry.input(name="AddAnswerInput")
class AddAnswerInput:
    conversation_id: strawberry.ID
    body: str
    from_paper: bool | None = strawberry.field(
        default=False, description="Facilitators only: typed from a paper card, with no author."
    )
    may_quote: bool | None = strawberry.field(
        default=False,
        description="The author agrees the words may be quoted, without a name, as an example.",
    )


@strawberry.type(name="AnswerPayload")
class AnswerPayload:
    answer: AnswerType | None
    errors: list[UserError]


async def add_answer(info: Info, input: AddAnswerInput) -> AnswerPayload:
    """Answer the conversation's question (participants, while it is open), or type a
    paper card (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: answers.add_answer(
            session,
            actor,
            conversation_id=require_id(input.conversation_id, "Conversation", ["conversationId"]),
            body=input.body,
            from_paper=bool(input.from_paper),
            may_quote=bool(input.may_quote),
        ),
    )
    if isinstance(result, Failed):
        return AnswerPayload(answer=None, errors=result.errors)
    return AnswerPayload(answer=AnswerType.of(result), errors=[])
