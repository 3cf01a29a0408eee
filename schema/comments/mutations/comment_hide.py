from __future__ import annotations

import strawberry

from schema.base import Info, require_id
from schema.comments.types import CommentType
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.comments import service as comments


@strawberry.input(name="HideCommentInput")
class HideCommentInput:
    comment_id: strawberry.ID
    reason: str = strawberry.field(description="Shown in place of the comment.")


@strawberry.type(name="HideCommentPayload")
class HideCommentPayload:
    comment: CommentType | None
    errors: list[UserError]


async def hide_comment(info: Info, input: HideCommentInput) -> HideCommentPayload:
    """Hide a comment with a public reason (facilitators). Nothing disappears silently."""
    result = await mutate(
        info,
        lambda session, actor: comments.hide_comment(
            session, actor, require_id(input.comment_id, "Comment", ["commentId"]), input.reason
        ),
    )
    if isinstance(result, Failed):
        return HideCommentPayload(comment=None, errors=result.errors)
    return HideCommentPayload(comment=CommentType.of(result), errors=[])
