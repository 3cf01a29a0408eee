from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema.base import Info, Node, PageInfo, encode_cursor, gid
from schema.refs import AreaRef, ConversationRef
from server.answers.models import Answer, Theme
from server.answers.service import ThemeCount


@strawberry.type(name="Theme", description="A theme of an area's answers (pets, housing, ...).")
class ThemeType(Node):
    id: strawberry.ID
    name: str
    model: strawberry.Private[Theme]

    @classmethod
    def of(cls, theme: Theme) -> ThemeType:
        return cls(id=gid("Theme", theme.id), name=theme.name, model=theme)

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)


@strawberry.type(name="Answer", description="A few words in answer to a conversation's question.")
class AnswerType(Node):
    id: strawberry.ID
    from_paper: bool = strawberry.field(
        description="True when a facilitator typed it from a paper card."
    )
    hidden: bool
    created_at: datetime
    may_quote: bool = strawberry.field(
        description="The author agreed it may be quoted, without a name, as an example."
    )
    hidden_reason: str | None = strawberry.field(description="Why a facilitator hid it.")
    model: strawberry.Private[Answer]

    @classmethod
    def of(cls, answer: Answer) -> AnswerType:
        return cls(
            id=gid("Answer", answer.id),
            from_paper=answer.from_paper,
            hidden=answer.hidden_at is not None,
            created_at=answer.created_at,
            may_quote=answer.may_quote,
            hidden_reason=answer.hidden_reason,
            model=answer,
        )

    @strawberry.field(
        description="Null when hidden by a facilitator or when its author was erased."
    )
    def body(self) -> str | None:
        return None if self.model.hidden_at is not None else self.model.body

    @strawberry.field
    async def conversation(self, info: Info) -> ConversationRef:
        from schema.conversations.types import ConversationType

        conversation = await info.context.loaders.conversation.load(self.model.conversation_id)
        assert conversation is not None
        return ConversationType.of(conversation)

    @strawberry.field
    async def themes(self, info: Info) -> list[ThemeType]:
        return [ThemeType.of(t) for t in await info.context.loaders.talk.tags.load(self.model.id)]


@strawberry.type(name="AnswerEdge")
class AnswerEdge:
    cursor: str
    node: AnswerType


@strawberry.type(name="AnswerConnection")
class AnswerConnection:
    edges: list[AnswerEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, rows: Sequence[Answer], has_next: bool, total: int) -> AnswerConnection:
        edges = [AnswerEdge(cursor=encode_cursor(a.id), node=AnswerType.of(a)) for a in rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=total,
        )


@strawberry.type(name="ThemeCount", description="Counts only: never who said what.")
class ThemeCountType:
    theme: ThemeType
    answers: int
    examples: list[str] = strawberry.field(
        description="A few answers whose authors agreed to be quoted (no names), newest first."
    )

    @classmethod
    def of(cls, row: ThemeCount) -> ThemeCountType:
        return cls(theme=ThemeType.of(row.theme), answers=row.answers, examples=row.examples)
