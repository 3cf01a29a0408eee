from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, decode_id, optional_id
from schema.comments.types import CommentType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.comments import service as comments
from server.errors import NotFound


@strawberry.input(name="AddCommentInput")
class AddCommentInput:
    subject_id: strawberry.ID = strawberry.field(description="A Proposal or an Action.")
    parent_id: strawberry.ID | None = None
    body: str


@strawberry.type(name="AddCommentPayload")
class AddCommentPayload:
    comment: CommentType | None
    errors: list[UserError]


async def add_comment(info: Info, input: AddCommentInput) -> AddCommentPayload:
    """Comment on a proposal or an action, or reply to a comment (participants)."""
    proposal_id = decode_id(input.subject_id, "Proposal")
    action_id = decode_id(input.subject_id, "Action")

    async def work(session: AsyncSession, actor: Actor) -> CommentType:
        if proposal_id is None and action_id is None:
            raise NotFound("Proposal or action", ["subjectId"])
        comment = await comments.add_comment(
            session,
            actor,
            proposal_id=proposal_id,
            action_id=action_id,
            parent_id=optional_id(input.parent_id, "Comment", ["parentId"]),
            body=input.body,
        )
        return CommentType.of(comment)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return AddCommentPayload(comment=None, errors=result.errors)
    return AddCommentPayload(comment=result, errors=[])
