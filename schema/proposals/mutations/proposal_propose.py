from __future__ import annotations

import strawberry

from schema.base import Info, optional_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.proposals.types import ProposalType
from server.proposals import service as proposals


@strawberry.input(name="ProposeItemInput")
class ProposeItemInput:
    area_slug: str
    title: str
    description: str
    conversation_id: strawberry.ID | None = None
    story_id: strawberry.ID | None = strawberry.field(
        default=None, description="The story it grew from (implies its conversation)."
    )
    themes: list[str] | None = None
    answer_id: strawberry.ID | None = strawberry.field(
        default=None, description="The answer it grew from (implies its conversation)."
    )
    theme_id: strawberry.ID | None = strawberry.field(
        default=None, description="The theme of the room's answers it grew from."
    )


@strawberry.type(name="ProposeItemPayload")
class ProposeItemPayload:
    proposal: ProposalType | None
    errors: list[UserError]


async def propose_item(info: Info, input: ProposeItemInput) -> ProposeItemPayload:
    """Propose an action-plan item (participants of the area)."""
    result = await mutate(
        info,
        lambda session, actor: proposals.propose_item(
            session,
            actor,
            area_slug=input.area_slug,
            title=input.title,
            description=input.description,
            conversation_id=optional_id(input.conversation_id, "Conversation", ["conversationId"]),
            story_id=optional_id(input.story_id, "Story", ["storyId"]),
            themes=input.themes,
            answer_id=optional_id(input.answer_id, "Answer", ["answerId"]),
            theme_id=optional_id(input.theme_id, "Theme", ["themeId"]),
        ),
    )
    if isinstance(result, Failed):
        return ProposeItemPayload(proposal=None, errors=result.errors)
    return ProposeItemPayload(proposal=ProposalType.of(result), errors=[])
