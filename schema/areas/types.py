from __future__ import annotations

from typing import Annotated

import strawberry

from schema.actions import board
from schema.answers import area_fields
from schema.base import Info, Node, gid, page, split_page
from schema.loaders import Keyed, preload, selects
from schema.refs import (
    ActionRef,
    ConversationConnectionRef,
    CoreTeamRef,
    PriorityRef,
    ProposalConnectionRef,
    VotingRoundRef,
)
from server.actions.models import ActionStatus
from server.areas.models import Area
from server.proposals.models import ProposalStatus
from server.voting.models import RoundState


@strawberry.type(name="Area", description="A place: the city, or a neighbourhood beneath it.")
class AreaType(Node):
    id: strawberry.ID
    slug: str
    name: str
    model: strawberry.Private[Area]

    @classmethod
    def of(cls, area: Area) -> AreaType:
        return cls(id=gid("Area", area.id), slug=area.slug, name=area.name, model=area)

    @classmethod
    def of_found(cls, area: Area | None) -> AreaType:
        """``of`` an area loaded by the id of something in it (so it exists)."""
        assert area is not None
        return cls.of(area)

    @strawberry.field
    async def parent(self, info: Info) -> AreaType | None:
        if self.model.parent_id is None:
            return None
        parent = await info.context.loaders.area.load(self.model.parent_id)
        return AreaType.of(parent) if parent else None

    @strawberry.field
    async def children(self, info: Info) -> list[AreaType]:
        return [AreaType.of(a) for a in await info.context.loaders.children.load(self.model.id)]

    @strawberry.field(description="Newest first.")
    async def proposals(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        status: ProposalStatus | None = None,
    ) -> ProposalConnectionRef:
        from schema.proposals.types import ProposalConnection

        requested = page(first, after)
        loaders = info.context.loaders
        rows = await loaders.proposal_page.load(Keyed(self.model.id, (status, requested)))
        shown, more = split_page(rows, requested)
        total = await loaders.proposal_count.load(Keyed(self.model.id, status))
        # Loaded for the whole page at once, so each proposal's author and comment count
        # resolve without a task of their own (``now_or_later``).
        if selects(info, "edges", "node", "author"):
            await preload(loaders.person, sorted({p.author_id for p in shown}))
        if selects(info, "edges", "node", "commentCount"):
            await preload(loaders.comment_count, [p.id for p in shown])
        return ProposalConnection.of(shown, more, total)

    @strawberry.field(description="Newest first.")
    async def conversations(
        self, info: Info, first: int | None = 20, after: str | None = None
    ) -> ConversationConnectionRef:
        from schema.conversations.types import ConversationConnection

        requested = page(first, after)
        rows = await info.context.loaders.conversation_page.load(Keyed(self.model.id, requested))
        shown, more = split_page(rows, requested)
        return ConversationConnection.of(shown, more)

    @strawberry.field(description="Newest first.")
    async def voting_rounds(
        self, info: Info, state: RoundState | None = None
    ) -> list[VotingRoundRef]:
        from schema.voting.types import VotingRoundType

        rounds = await info.context.loaders.rounds.load(Keyed(self.model.id, state))
        return [VotingRoundType.of(r) for r in rounds]

    @strawberry.field
    async def core_teams(self, info: Info) -> list[CoreTeamRef]:
        from schema.teams.types import CoreTeamType

        return [CoreTeamType.of(t) for t in await info.context.loaders.teams.load(self.model.id)]

    @strawberry.field(description="Oldest first.")
    async def actions(self, info: Info, status: ActionStatus | None = None) -> list[ActionRef]:
        from schema.actions.types import ActionType

        actions = await info.context.loaders.actions.load(Keyed(self.model.id, status))
        return [ActionType.of(a) for a in actions]

    @strawberry.field(
        description="Latest closed round's ranked result for this area (and, with "
        "includeChildren, the latest closed round of every area beneath it). Empty list "
        "when none closed."
    )
    async def priorities(
        self,
        info: Info,
        include_children: bool | None = False,
        theme: Annotated[
            str | None,
            strawberry.argument(description="Only priorities whose proposal carries this theme."),
        ] = None,
    ) -> list[PriorityRef]:
        from schema.proposals.types import ProposalType
        from schema.voting.types import PriorityType

        loaders = info.context.loaders
        key = Keyed(self.model.id, bool(include_children))
        found = await loaders.priorities.load(key)
        # Read for the whole list at once: each priority carries its proposal as a value,
        # and each proposal's area resolves without a task of its own (``now_or_later``).
        proposals = await preload(loaders.proposal, [p.proposal_id for p in found])
        if selects(info, "proposal", "area"):
            await preload(loaders.area, sorted({p.area_id for p in proposals if p}))
        return [
            PriorityType.of(priority, ProposalType.of_found(proposal))
            for priority, proposal in zip(found, proposals, strict=True)
            if theme is None or (proposal is not None and theme in proposal.themes)
        ]

    action_plan_summary = board.summary_field
    action_plan = board.plan_field
    activity = board.activity_field
    themes = area_fields.themes_field
    theme_summary = area_fields.theme_summary_field
    reports = area_fields.reports_field
    settings = area_fields.settings_field
    stage = area_fields.stage_field
