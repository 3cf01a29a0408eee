from __future__ import annotations

import functools
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from schema import permissions
from schema.base import Info, Node, PageInfo, encode_cursor, gid, page, split_page
from schema.loaders import Keyed, now_or_later
from schema.people.types import PersonType
from schema.refs import (
    AnswerRef,
    AreaRef,
    CommentConnectionRef,
    ConversationRef,
    PersonRef,
    StoryRef,
    ThemeRef,
)
from server.proposals.models import Proposal, ProposalStatus

if TYPE_CHECKING:
    from schema.areas.types import AreaType

HIDDEN_TITLE = "Hidden by a facilitator"


@functools.cache
def _area_type() -> type[AreaType]:
    """AreaType, imported once (the modules refer to each other): an import inside a
    resolver run for every item of a list was a visible part of the list's cost."""
    from schema.areas.types import AreaType

    return AreaType


@strawberry.type(name="Proposal", description="A candidate action-plan item.")
class ProposalType(Node):
    id: strawberry.ID
    title: str
    description: str
    status: ProposalStatus
    created_at: datetime
    updated_at: datetime
    themes: list[str]
    status_reason: str | None = strawberry.field(
        description="Why it was declined (or merged), when it was."
    )
    hidden: bool = strawberry.field(
        description="Hidden by a facilitator: title and description then say so, and "
        "moderationReason says why."
    )
    moderation_reason: str | None = strawberry.field(
        description="Set when DECLINED or hidden: the facilitator's stated reason."
    )
    model: strawberry.Private[Proposal]

    @classmethod
    def of_found(cls, proposal: Proposal | None) -> ProposalType:
        """``of`` a proposal loaded by id (proposals are never deleted)."""
        assert proposal is not None
        return cls.of(proposal)

    @classmethod
    def of(cls, proposal: Proposal) -> ProposalType:
        hidden = proposal.hidden_at is not None
        return cls(
            id=gid("Proposal", proposal.id),
            title=HIDDEN_TITLE if hidden else proposal.title,
            description="" if hidden else proposal.description,
            status=proposal.status,
            created_at=proposal.created_at,
            updated_at=proposal.updated_at,
            themes=list(proposal.themes),
            status_reason=proposal.status_reason,
            hidden=hidden,
            moderation_reason=proposal.hidden_reason or proposal.status_reason,
            model=proposal,
        )

    @strawberry.field(description="The answer this idea grew from, if the viewer may read it.")
    async def from_answer(self, info: Info) -> AnswerRef | None:
        from schema.answers.types import AnswerType

        if self.model.answer_id is None:
            return None
        answer = await info.context.loaders.talk.answer.load(self.model.answer_id)
        if answer is None or not await permissions.may_read_answer(info, answer):
            return None
        return AnswerType.of(answer)

    @strawberry.field(description="The theme of what the room said that this idea grew from.")
    async def from_theme(self, info: Info) -> ThemeRef | None:
        from schema.answers.types import ThemeType

        if self.model.theme_id is None:
            return None
        theme = await info.context.loaders.talk.theme.load(self.model.theme_id)
        return ThemeType.of(theme) if theme else None

    @strawberry.field
    def area(self, info: Info) -> AreaRef:
        return now_or_later(info.context.loaders.area, self.model.area_id, _area_type().of_found)

    @strawberry.field(
        description='Display name only: no role, kind or organisation ("lanyards off").'
    )
    def author(self, info: Info) -> PersonRef:
        return now_or_later(info.context.loaders.person, self.model.author_id, PersonType.of_found)

    @strawberry.field(description="The conversation it came from, if any.")
    async def origin(self, info: Info) -> ConversationRef | None:
        from schema.conversations.types import ConversationType

        if self.model.conversation_id is None:
            return None
        conversation = await info.context.loaders.conversation.load(self.model.conversation_id)
        return ConversationType.of(conversation) if conversation else None

    @strawberry.field(description="The story it grew from, if any.")
    async def origin_story(self, info: Info) -> StoryRef | None:
        from schema.conversations.types import StoryType

        if self.model.story_id is None:
            return None
        loaders = info.context.loaders
        story = await loaders.story.load(self.model.story_id)
        if story is None:
            return None
        conversation = await loaders.conversation.load(story.conversation_id)
        assert conversation is not None
        return StoryType.of(story, conversation.area_id)

    @strawberry.field(description="The proposal this one was merged into.")
    async def merged_into(self, info: Info) -> ProposalType | None:
        if self.model.merged_into_id is None:
            return None
        target = await info.context.loaders.proposal.load(self.model.merged_into_id)
        return ProposalType.of(target) if target else None

    @strawberry.field(description="Comments not hidden by moderation, replies included.")
    def comment_count(self, info: Info) -> int:
        return now_or_later(info.context.loaders.comment_count, self.model.id, int)

    @strawberry.field(description="Top-level comments, oldest first; replies nest beneath.")
    async def comments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> CommentConnectionRef:
        from schema.comments.types import CommentConnection

        requested = page(first, after)
        rows = await info.context.loaders.proposal_threads.load(Keyed(self.model.id, requested))
        shown, more = split_page(rows, requested)
        return CommentConnection.of(shown, more)


@strawberry.type(name="ProposalEdge")
class ProposalEdge:
    cursor: str
    node: ProposalType


@strawberry.type(name="ProposalConnection")
class ProposalConnection:
    edges: list[ProposalEdge]
    page_info: PageInfo
    total_count: int

    @classmethod
    def of(cls, rows: Sequence[Proposal], has_next: bool, total: int) -> ProposalConnection:
        edges = [ProposalEdge(cursor=encode_cursor(p.id), node=ProposalType.of(p)) for p in rows]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            total_count=total,
        )
