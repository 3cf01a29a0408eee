from __future__ import annotations

import strawberry

from schema.answers.mutations.answer_add import AnswerPayload
from schema.answers.types import AnswerType
from schema.base import Info, decode_id, require_id
from schema.mutation import Failed, mutate
from server.answers import service as answers


@strawberry.input(name="TagAnswerInput")
class TagAnswerInput:
    answer_id: strawberry.ID
    theme_ids: list[strawberry.ID] = strawberry.field(
        description="The themes it is about (replacing its tags; empty clears them)."
    )


async def tag_answer(info: Info, input: TagAnswerInput) -> AnswerPayload:
    """Tag an answer with themes of its area (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: answers.tag_answer(
            session,
            actor,
            require_id(input.answer_id, "Answer", ["answerId"]),
            [decode_id(t, "Theme") for t in input.theme_ids],
        ),
    )
    if isinstance(result, Failed):
        return AnswerPayload(answer=None, errors=result.errors)
    return AnswerPayload(answer=AnswerType.of(result), errors=[])
