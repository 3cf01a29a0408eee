from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info, Node, gid
from schema.loaders import Keyed
from schema.people.types import person as load_person
from schema.refs import AreaRef, PersonRef
from server.teams import service as teams
from server.teams.models import CoreTeam, TeamMembership


@strawberry.type(name="CoreTeam", description="The people carrying actions forward in an area.")
class CoreTeamType(Node):
    id: strawberry.ID
    name: str
    model: strawberry.Private[CoreTeam]

    @classmethod
    def of(cls, team: CoreTeam) -> CoreTeamType:
        return cls(id=gid("CoreTeam", team.id), name=team.name, model=team)

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)

    @strawberry.field(
        description="Current members (joined and not left), longest-serving first; with "
        "`at`, who was on the team at that moment."
    )
    async def members(self, info: Info, at: datetime | None = None) -> list[PersonRef]:
        if at is None:
            memberships = await info.context.loaders.members.load(self.model.id)
        else:
            memberships = await info.context.loaders.plan.memberships.load(Keyed(self.model.id, at))
        return [await load_person(info, m.person_id) for m in memberships]

    @strawberry.field(
        description="Every spell of membership, past and present, earliest joined first: "
        "the team's history as its membership changed."
    )
    async def memberships(self, info: Info) -> list[TeamMembershipType]:
        spells = await info.context.loaders.plan.memberships.load(Keyed(self.model.id, None))
        return [TeamMembershipType.of(m, self.model.area_id) for m in spells]


@strawberry.type(name="TeamMembership", description="A dated spell on a core team.")
class TeamMembershipType:
    joined_at: datetime
    left_at: datetime | None
    model: strawberry.Private[TeamMembership]
    area_id: strawberry.Private[int]

    @classmethod
    def of(cls, membership: TeamMembership, area_id: int) -> TeamMembershipType:
        return cls(
            joined_at=membership.joined_at,
            left_at=membership.left_at,
            model=membership,
            area_id=area_id,
        )

    @strawberry.field(description="Still on the team.")
    def current(self) -> bool:
        return self.model.left_at is None

    @strawberry.field
    async def person(self, info: Info) -> PersonRef:
        return await load_person(info, self.model.person_id)

    @strawberry.field(
        description="Why they left. Personal: shown to the person and to facilitators of "
        "the area only; null for everyone else."
    )
    async def left_reason(self, info: Info) -> str | None:
        actor = info.context.require_actor()
        if await info.context.read(teams.can_see_left_reason, actor, self.model, self.area_id):
            return self.model.left_reason
        return None
