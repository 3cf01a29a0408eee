from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema import permissions
from schema.base import Info, Node, PageInfo, encode_cursor, gid, page, split_page
from schema.loaders import Keyed
from schema.refs import (
    ActionRef,
    AnswerConnectionRef,
    AreaRef,
    PersonRef,
    ProposalRef,
    ThemeCountRef,
    VotingRoundRef,
)
from server.answers import service as answers
from server.conversations.models import ConsentScope, Conversation, ConversationStatus, Story


@strawberry.type(name="Conversation", description="A Big Conversation or online discussion.")
class ConversationType(Node):
    id: strawberry.ID
    title: str
    prompt: str
    starts_at: datetime | None
    location: str | None
    status: ConversationStatus
    headcount: int | None = strawberry.field(
        description="In-room headcount entered by a facilitator (null until entered)."
    )
    closing_summary: str | None
    closed_at: datetime | None
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
            headcount=conversation.headcount,
            closing_summary=conversation.closing_summary,
            closed_at=conversation.closed_at,
            model=conversation,
        )

    @strawberry.field(
        description="Facilitators of the area see every answer; other participants see "
        "their own. Newest first."
    )
    async def answers(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> AnswerConnectionRef:
        from schema.answers.types import AnswerConnection

        requested = page(first, after)
        everything = await permissions.sees_every_answer(info, self.model.area_id)
        author = None if everything else info.context.require_actor().person_id
        loaders = info.context.loaders.talk
        rows = await loaders.answer_page.load(Keyed(self.model.id, (author, requested)))
        shown, more = split_page(rows, requested)
        total = await loaders.answer_count.load(Keyed(self.model.id, author))
        return AnswerConnection.of(shown, more, total)

    @strawberry.field(
        description="Answers per theme of the area, most first, with a few consented "
        "examples: never who said what."
    )
    async def theme_summary(self, info: Info) -> list[ThemeCountRef]:
        from schema.answers.types import ThemeCountType

        rows = await info.context.read(answers.conversation_summary, self.model)
        return [ThemeCountType.of(row) for row in rows]

    @strawberry.field(description="People who joined or took part online.")
    async def participant_count(self, info: Info) -> int:
        return await info.context.loaders.talk.participants.load(self.model.id)

    @strawberry.field(description="Who ran it (display names only).")
    async def facilitators(self, info: Info) -> list[PersonRef]:
        from schema.people.types import PersonType

        people = await info.context.loaders.talk.facilitators.load(self.model.id)
        return [PersonType.of(p) for p in people]

    @strawberry.field(description="Voting rounds with any of this conversation's ideas.")
    async def rounds(self, info: Info) -> list[VotingRoundRef]:
        from schema.voting.types import VotingRoundType

        rounds = await info.context.loaders.talk.rounds.load(self.model.id)
        return [VotingRoundType.of(r) for r in rounds]

    @strawberry.field(description="Actions adopted from this conversation's ideas.")
    async def actions(self, info: Info) -> list[ActionRef]:
        from schema.actions.types import ActionType

        return [
            ActionType.of(a) for a in await info.context.loaders.talk.actions.load(self.model.id)
        ]

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
