from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info, Node, PageInfo, encode_cursor, gid, page, split_page
from schema.loaders import Keyed
from schema.people.types import person
from schema.refs import (
    AreaRef,
    CommentConnectionRef,
    ConversationRef,
    CoreTeamRef,
    PersonRef,
    ProposalRef,
    StoryRef,
    VotingRoundRef,
)
from server import clock
from server.actions import service as actions
from server.actions.health import Health
from server.actions.models import (
    Action,
    ActionOwnership,
    ActionStatus,
    Milestone,
    Rag,
    Update,
    UpdateKind,
)
from server.actions.service import RESOLVABLE


async def _health(info: Info, action: Action) -> Health:
    found = await info.context.loaders.plan.health.load(action.id)
    assert found is not None
    return found


async def _team(info: Info, team_id: int | None) -> CoreTeamRef | None:
    from schema.teams.types import CoreTeamType

    if team_id is None:
        return None
    team = await info.context.loaders.team.load(team_id)
    return CoreTeamType.of(team) if team else None


@strawberry.type(name="Action", description="What a priority became, and how it is going.")
class ActionType(Node):
    id: strawberry.ID
    title: str
    description: str
    status: ActionStatus
    declared_rag: Rag = strawberry.field(
        description="The RAG the core team last declared; `rag` may be worse (see RAG rules)."
    )
    percent_complete: int
    target_date: datetime | None
    closing_statement: str | None = strawberry.field(
        description='The public "you said, we did" line, once DONE or DROPPED.'
    )
    priority_rank: int | None = strawberry.field(
        description="The rank the priority had in its round."
    )
    created_at: datetime = strawberry.field(description="When the priority was adopted.")
    last_update_at: datetime | None
    model: strawberry.Private[Action]

    @classmethod
    def of(cls, action: Action) -> ActionType:
        return cls(
            id=gid("Action", action.id),
            title=action.title,
            description=action.description,
            status=action.status,
            declared_rag=action.rag,
            percent_complete=action.percent_complete,
            target_date=action.target_date,
            closing_statement=action.closing_statement,
            priority_rank=action.priority_rank,
            created_at=action.created_at,
            last_update_at=action.last_update_at,
            model=action,
        )

    @strawberry.field(
        description="Effective RAG: the declared RAG raised by the rules (overdue, blocked, "
        "stale, overdue milestones). DONE is GREEN."
    )
    async def rag(self, info: Info) -> Rag:
        return (await _health(info, self.model)).rag

    @strawberry.field(description="Why the RAG is what it is, in words.")
    async def rag_reasons(self, info: Info) -> list[str]:
        return list((await _health(info, self.model)).reasons)

    @strawberry.field(description="Open and past its target date.")
    async def overdue(self, info: Info) -> bool:
        return (await _health(info, self.model)).overdue

    @strawberry.field(description="BLOCKED, or with an unresolved BLOCKER update.")
    async def blocked(self, info: Info) -> bool:
        return (await _health(info, self.model)).blocked

    @strawberry.field(description="Open with no update for 30 days (or since adoption).")
    async def stale(self, info: Info) -> bool:
        return (await _health(info, self.model)).stale

    @strawberry.field(
        description="Open with no lead, or its lead has left the core team: reassign it."
    )
    async def needs_lead(self, info: Info) -> bool:
        return (await _health(info, self.model)).needs_lead

    @strawberry.field(description="Unresolved BLOCKER updates.")
    async def open_blockers(self, info: Info) -> int:
        return (await _health(info, self.model)).open_blockers

    @strawberry.field(description="Unanswered ASK_FOR_HELP updates.")
    async def open_asks(self, info: Info) -> int:
        return (await _health(info, self.model)).open_asks

    @strawberry.field(description="Milestones past their due date and not done.")
    async def overdue_milestones(self, info: Info) -> int:
        return (await _health(info, self.model)).overdue_milestones

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)

    @strawberry.field(description="The owning core team.")
    async def team(self, info: Info) -> CoreTeamRef | None:
        return await _team(info, self.model.team_id)

    @strawberry.field(description="Who leads it (display name only).")
    async def lead(self, info: Info) -> PersonRef | None:
        if self.model.lead_id is None:
            return None
        return await person(info, self.model.lead_id)

    @strawberry.field(description="The proposal the priority was.")
    async def proposal(self, info: Info) -> ProposalRef | None:
        from schema.proposals.types import ProposalType

        if self.model.proposal_id is None:
            return None
        proposal = await info.context.loaders.proposal.load(self.model.proposal_id)
        return ProposalType.of(proposal) if proposal else None

    @strawberry.field(description="The closed round the priority came from.")
    async def round(self, info: Info) -> VotingRoundRef | None:
        from schema.voting.types import VotingRoundType

        if self.model.round_id is None:
            return None
        voting_round = await info.context.loaders.round.load(self.model.round_id)
        return VotingRoundType.of(voting_round) if voting_round else None

    @strawberry.field(description="The conversation the proposal came out of.")
    async def conversation(self, info: Info) -> ConversationRef | None:
        from schema.conversations.types import ConversationType

        if self.model.conversation_id is None:
            return None
        found = await info.context.loaders.conversation.load(self.model.conversation_id)
        return ConversationType.of(found) if found else None

    @strawberry.field(description="The lived-experience story behind it (consent applies).")
    async def story(self, info: Info) -> StoryRef | None:
        from schema.conversations.types import StoryType

        if self.model.story_id is None:
            return None
        story = await info.context.loaders.story.load(self.model.story_id)
        if story is None:
            return None
        conversation = await info.context.loaders.conversation.load(story.conversation_id)
        assert conversation is not None
        return StoryType.of(story, conversation.area_id)

    @strawberry.field(description="The proposal's themes.")
    async def themes(self, info: Info) -> list[str]:
        if self.model.proposal_id is None:
            return []
        proposal = await info.context.loaders.proposal.load(self.model.proposal_id)
        return list(proposal.themes) if proposal else []

    @strawberry.field(description="Soonest due first; undated last.")
    async def milestones(self, info: Info) -> list[MilestoneType]:
        found = await info.context.loaders.plan.milestones.load(self.model.id)
        return [MilestoneType.of(m) for m in found]

    @strawberry.field(description="Newest first.")
    async def updates(self, info: Info) -> list[UpdateType]:
        return [UpdateType.of(u) for u in await info.context.loaders.updates.load(self.model.id)]

    @strawberry.field(description="The most recent update, if any.")
    async def latest_update(self, info: Info) -> UpdateType | None:
        found = await info.context.loaders.plan.latest_update.load(self.model.id)
        return UpdateType.of(found) if found else None

    @strawberry.field(
        description="Updates, newest first, a page at a time; `kind` keeps one kind, "
        "`openOnly` keeps unresolved blockers and unanswered asks."
    )
    async def update_connection(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        kind: UpdateKind | None = None,
        open_only: bool = False,
    ) -> UpdateConnection:
        requested = page(first, after)
        rows = await info.context.loaders.plan.update_pages.load(
            Keyed(self.model.id, (kind, open_only, requested))
        )
        shown, more = split_page(rows, requested)
        return UpdateConnection(
            edges=[UpdateEdge(cursor=encode_cursor(u.id), node=UpdateType.of(u)) for u in shown],
            page_info=PageInfo(
                has_next_page=more, end_cursor=encode_cursor(shown[-1].id) if shown else None
            ),
        )

    @strawberry.field(
        description="Who owned it from when: each change of core team or lead, oldest first."
    )
    async def ownership_history(self, info: Info) -> list[ActionOwnershipType]:
        spells = await info.context.loaders.plan.ownerships.load(self.model.id)
        return [
            ActionOwnershipType.of(o, spells[i + 1].since if i + 1 < len(spells) else None)
            for i, o in enumerate(spells)
        ]

    @strawberry.field(description="Who owned it at a moment (null before it was adopted).")
    async def owner_at(self, info: Info, at: datetime) -> ActionOwnershipType | None:
        spells = await info.context.loaders.plan.ownerships.load(self.model.id)
        found = actions.owner_at(spells, at)
        if found is None:
            return None
        later = [o.since for o in spells if o.since > found.since]
        return ActionOwnershipType.of(found, min(later) if later else None)

    @strawberry.field(description="Top-level comments, oldest first; replies nest beneath.")
    async def comments(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> CommentConnectionRef:
        from schema.comments.types import CommentConnection

        requested = page(first, after)
        rows = await info.context.loaders.action_threads.load(Keyed(self.model.id, requested))
        shown, more = split_page(rows, requested)
        return CommentConnection.of(shown, more)


@strawberry.type(name="Update", description="Working out loud: progress, blocker, learning, ask.")
class UpdateType(Node):
    id: strawberry.ID
    kind: UpdateKind
    body: str
    created_at: datetime
    status_after: ActionStatus | None = strawberry.field(description="Status this update set.")
    percent_after: int | None = strawberry.field(description="Percent complete this update set.")
    rag_after: Rag | None = strawberry.field(description="RAG this update declared.")
    resolved_at: datetime | None = strawberry.field(
        description="When a BLOCKER was resolved or an ASK_FOR_HELP answered."
    )
    resolution: str | None = strawberry.field(description="How it was resolved or answered.")
    model: strawberry.Private[Update]

    @classmethod
    def of(cls, update: Update) -> UpdateType:
        return cls(
            id=gid("Update", update.id),
            kind=update.kind,
            body=update.body,
            created_at=update.created_at,
            status_after=update.status_after,
            percent_after=update.percent_after,
            rag_after=update.rag_after,
            resolved_at=update.resolved_at,
            resolution=update.resolution,
            model=update,
        )

    @strawberry.field(
        description="A BLOCKER or ASK_FOR_HELP not yet resolved; always false for others."
    )
    def open(self) -> bool:
        return self.model.kind in RESOLVABLE and self.model.resolved_at is None

    @strawberry.field
    async def action(self, info: Info) -> ActionType:
        action = await info.context.loaders.action.load(self.model.action_id)
        assert action is not None
        return ActionType.of(action)

    @strawberry.field
    async def author(self, info: Info) -> PersonRef:
        return await person(info, self.model.author_id)

    @strawberry.field(description="Who resolved or answered it.")
    async def resolved_by(self, info: Info) -> PersonRef | None:
        if self.model.resolved_by_id is None:
            return None
        return await person(info, self.model.resolved_by_id)


@strawberry.type(name="UpdateEdge")
class UpdateEdge:
    cursor: str
    node: UpdateType


@strawberry.type(name="UpdateConnection")
class UpdateConnection:
    edges: list[UpdateEdge]
    page_info: PageInfo


@strawberry.type(name="Milestone", description="A step on the way to an action's target.")
class MilestoneType(Node):
    id: strawberry.ID
    title: str
    due_at: datetime | None
    done_at: datetime | None
    model: strawberry.Private[Milestone]

    @classmethod
    def of(cls, milestone: Milestone) -> MilestoneType:
        return cls(
            id=gid("Milestone", milestone.id),
            title=milestone.title,
            due_at=milestone.due_at,
            done_at=milestone.done_at,
            model=milestone,
        )

    @strawberry.field
    def done(self) -> bool:
        return self.model.done_at is not None

    @strawberry.field(description="Not done and past its due date.")
    def overdue(self) -> bool:
        due = self.model.due_at
        return self.model.done_at is None and due is not None and due < clock.now()

    @strawberry.field
    async def action(self, info: Info) -> ActionType:
        action = await info.context.loaders.action.load(self.model.action_id)
        assert action is not None
        return ActionType.of(action)


@strawberry.type(
    name="ActionOwnership", description="Who owned an action (core team, lead) from when."
)
class ActionOwnershipType:
    since: datetime
    until: datetime | None = strawberry.field(description="Null while it is the current owner.")
    reason: str | None = strawberry.field(description="Why the owner changed, when given.")
    model: strawberry.Private[ActionOwnership]

    @classmethod
    def of(cls, ownership: ActionOwnership, until: datetime | None) -> ActionOwnershipType:
        return cls(since=ownership.since, until=until, reason=ownership.reason, model=ownership)

    @strawberry.field
    async def team(self, info: Info) -> CoreTeamRef | None:
        return await _team(info, self.model.team_id)

    @strawberry.field
    async def lead(self, info: Info) -> PersonRef | None:
        if self.model.lead_id is None:
            return None
        return await person(info, self.model.lead_id)
