from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, require_id
from schema.comments.types import CommentType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.comments import repository as comments_repo
from server.comments.models import Comment
from server.moderation import service as moderation
from server.moderation.models import SubjectKind


@strawberry.input(name="HideCommentInput")
class HideCommentInput:
    comment_id: strawberry.ID
    reason: str = strawberry.field(description="Shown in place of the comment.")


@strawberry.type(name="HideCommentPayload")
class HideCommentPayload:
    comment: CommentType | None
    errors: list[UserError]


async def hide_comment(info: Info, input: HideCommentInput) -> HideCommentPayload:
    """Hide a comment with a public reason (facilitators). Nothing disappears silently.
    The comment-only form of ``hideContent``."""

    async def work(session: AsyncSession, actor: Actor) -> Comment:
        comment_id = require_id(input.comment_id, "Comment", ["commentId"])
        await moderation.hide_content(
            session, actor, SubjectKind.COMMENT, comment_id, input.reason, ["commentId"]
        )
        comment = await comments_repo.by_id(session, comment_id)
        assert comment is not None
        return comment

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return HideCommentPayload(comment=None, errors=result.errors)
    return HideCommentPayload(comment=CommentType.of(result), errors=[])
