from __future__ import annotations

import strawberry

from schema.base import Info
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.teams.types import CoreTeamType
from server.teams import service as teams


@strawberry.input(name="CreateCoreTeamInput")
class CreateCoreTeamInput:
    area_slug: str
    name: str


@strawberry.type(name="CreateCoreTeamPayload")
class CreateCoreTeamPayload:
    team: CoreTeamType | None
    errors: list[UserError]


async def create_core_team(info: Info, input: CreateCoreTeamInput) -> CreateCoreTeamPayload:
    """Create a core team in an area (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: teams.create_core_team(
            session, actor, area_slug=input.area_slug, name=input.name
        ),
    )
    if isinstance(result, Failed):
        return CreateCoreTeamPayload(team=None, errors=result.errors)
    return CreateCoreTeamPayload(team=CoreTeamType.of(result), errors=[])
