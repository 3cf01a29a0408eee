from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema import permissions
from schema.base import Info, Node, PageInfo, encode_cursor, gid
from schema.refs import AreaRef, ProposalRef
from server.conversations.models import ConsentScope, Conversation, ConversationStatus, Story


@strawberry.type(name="Conversation", description="A Big Conversation or online discussion.")
class ConversationType(Node):
    id: strawberry.ID
    title: str
    prompt: str
    starts_at: datetime | None
    location: str | None
    status: ConversationStatus
    model: strawberry.Private[Conversation]

    @classmethod
    def of(cls, conversation: Conversation) -> ConversationType:
        return cls(
            id=gid("Conversation", conversation.id),
            title=conversation.title,
            prompt=conversation.prompt,
            starts_at=conversation.starts_at,
            location=conversation.location,
            status=conversation.status,
            model=conversation,
        )

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)

    @strawberry.field(description="Shown to facilitators of the area only; null for everyone else.")
    async def join_code(self, info: Info) -> str | None:
        if await permissions.may_see_join_code(info, self.model):
            return self.model.join_code
        return None

    @strawberry.field
    async def stories(self, info: Info) -> list[StoryType]:
        stories = await info.context.loaders.stories.load(self.model.id)
        return [StoryType.of(s, self.model.area_id) for s in stories]

    @strawberry.field
    async def proposals(self, info: Info) -> list[ProposalRef]:
        from schema.proposals.types import ProposalType

        rows = await info.context.loaders.proposals_of_conversation.load(self.model.id)
        return [ProposalType.of(p) for p in rows]


@strawberry.type(name="ConversationEdge")
class ConversationEdge:
    cursor: str
    node: ConversationType


@strawberry.type(name="ConversationConnection")
class ConversationConnection:
    edges: list[ConversationEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, rows: Sequence[Conversation], has_next: bool) -> ConversationConnection:
        edges = [
            ConversationEdge(cursor=encode_cursor(c.id), node=ConversationType.of(c)) for c in rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
        )


@strawberry.type(name="Story", description="A lived-experience account, shown within its consent.")
class StoryType(Node):
    id: strawberry.ID
    teller_pseudonym: str
    consent_scope: ConsentScope
    withdrawn: bool
    model: strawberry.Private[Story]
    area_id: strawberry.Private[int]

    @classmethod
    def of(cls, story: Story, area_id: int) -> StoryType:
        return cls(
            id=gid("Story", story.id),
            teller_pseudonym=story.teller_pseudonym,
            consent_scope=story.consent_scope,
            withdrawn=story.withdrawn_at is not None,
            model=story,
            area_id=area_id,
        )

    @strawberry.field(
        description="Null when the viewer is outside the consent scope or consent was withdrawn."
    )
    async def body(self, info: Info) -> str | None:
        if await permissions.may_read_story_body(info, self.model, self.area_id):
            return self.model.body
        return None

    @strawberry.field
    async def conversation(self, info: Info) -> ConversationType:
        conversation = await info.context.loaders.conversation.load(self.model.conversation_id)
        assert conversation is not None
        return ConversationType.of(conversation)
