from __future__ import annotations

import strawberry

from schema.actions.types import UpdateType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.actions import service as actions


@strawberry.input(name="ResolveUpdateInput")
class ResolveUpdateInput:
    update_id: strawberry.ID
    resolution: str = strawberry.field(
        description="How the blocker was cleared, or who answered the ask and how."
    )


@strawberry.type(name="ResolveUpdatePayload")
class ResolveUpdatePayload:
    update: UpdateType | None
    errors: list[UserError]


async def resolve_update(info: Info, input: ResolveUpdateInput) -> ResolveUpdatePayload:
    """Resolve an open BLOCKER or answer an ASK_FOR_HELP (its action's core team, or
    facilitators); people offering help do so in the action's comments."""
    result = await mutate(
        info,
        lambda session, actor: actions.resolve_update(
            session,
            actor,
            update_id=require_id(input.update_id, "Update", ["updateId"]),
            resolution=input.resolution,
        ),
    )
    if isinstance(result, Failed):
        return ResolveUpdatePayload(update=None, errors=result.errors)
    return ResolveUpdatePayload(update=UpdateType.of(result), errors=[])
