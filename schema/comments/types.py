from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema.base import Info, Node, PageInfo, encode_cursor, gid
from schema.people.types import person
from schema.refs import PersonRef
from server.comments.models import Comment


@strawberry.type(name="Comment", description="Part of a discussion; threads nest 3 deep.")
class CommentType(Node):
    id: strawberry.ID
    created_at: datetime
    hidden: bool
    hidden_reason: str | None = strawberry.field(
        description="Why a moderator hid it (hidden comments are never removed silently)."
    )
    model: strawberry.Private[Comment]

    @classmethod
    def of(cls, comment: Comment) -> CommentType:
        return cls(
            id=gid("Comment", comment.id),
            created_at=comment.created_at,
            hidden=comment.hidden_at is not None,
            hidden_reason=comment.hidden_reason,
            model=comment,
        )

    @strawberry.field(description="Null when hidden by a moderator.")
    def body(self) -> str | None:
        return None if self.model.hidden_at is not None else self.model.body

    @strawberry.field
    async def author(self, info: Info) -> PersonRef:
        return await person(info, self.model.author_id)

    @strawberry.field
    async def parent(self, info: Info) -> CommentType | None:
        if self.model.parent_id is None:
            return None
        parent = await info.context.loaders.comment.load(self.model.parent_id)
        return CommentType.of(parent) if parent else None

    @strawberry.field(description="Oldest first.")
    async def replies(self, info: Info) -> list[CommentType]:
        return [CommentType.of(c) for c in await info.context.loaders.replies.load(self.model.id)]


@strawberry.type(name="CommentEdge")
class CommentEdge:
    cursor: str
    node: CommentType


@strawberry.type(name="CommentConnection")
class CommentConnection:
    edges: list[CommentEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, rows: Sequence[Comment], has_next: bool) -> CommentConnection:
        edges = [CommentEdge(cursor=encode_cursor(c.id), node=CommentType.of(c)) for c in rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
        )
