from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.refs import ActionRef
from schema.teams.types import CoreTeamType
from server.access import Actor
from server.actions import service as actions
from server.teams import service as teams
from server.teams.models import CoreTeam


@strawberry.input(name="TeamMemberInput")
class TeamMemberInput:
    team_id: strawberry.ID
    person_id: strawberry.ID
    reason: str | None = strawberry.field(
        default=None, description="removeTeamMember: why they left (kept in the history)."
    )


@strawberry.type(name="TeamMemberPayload")
class TeamMemberPayload:
    team: CoreTeamType | None
    errors: list[UserError]
    removed_person_id: strawberry.Private[int | None] = None

    @classmethod
    def of(cls, result: CoreTeam | Failed, removed: int | None = None) -> TeamMemberPayload:
        if isinstance(result, Failed):
            return cls(team=None, errors=result.errors)
        return cls(team=CoreTeamType.of(result), errors=[], removed_person_id=removed)

    @strawberry.field(
        description="After removeTeamMember: the open actions they led for this team. Each "
        "keeps its team and history and now needs a new lead (updateAction)."
    )
    async def actions_needing_lead(self, info: Info) -> list[ActionRef]:
        from schema.actions.types import ActionType

        if self.team is None or self.removed_person_id is None:
            return []
        found = await info.context.read(
            actions.actions_needing_lead, self.team.model.id, self.removed_person_id
        )
        return [ActionType.of(a) for a in found]


def _ids(input: TeamMemberInput) -> tuple[int, int]:
    return (
        require_id(input.team_id, "CoreTeam", ["teamId"], "Core team"),
        require_id(input.person_id, "Person", ["personId"]),
    )


async def add_team_member(info: Info, input: TeamMemberInput) -> TeamMemberPayload:
    """Add someone to a core team (facilitators); membership is dated."""

    async def work(session: AsyncSession, actor: Actor) -> CoreTeam:
        team_id, person_id = _ids(input)
        return await teams.add_member(session, actor, team_id=team_id, person_id=person_id)

    return TeamMemberPayload.of(await mutate(info, work))


async def remove_team_member(info: Info, input: TeamMemberInput) -> TeamMemberPayload:
    """End someone's membership (facilitators); the history keeps when and why."""

    async def work(session: AsyncSession, actor: Actor) -> CoreTeam:
        team_id, person_id = _ids(input)
        return await teams.remove_member(
            session, actor, team_id=team_id, person_id=person_id, reason=input.reason
        )

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return TeamMemberPayload.of(result)
    return TeamMemberPayload.of(result, removed=_ids(input)[1])
