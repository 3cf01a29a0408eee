from __future__ import annotations

import strawberry

from schema.actions.mutations.milestone_add import MilestonePayload
from schema.actions.types import MilestoneType
from schema.base import Info, require_id
from schema.mutation import Failed, mutate
from server.actions import service as actions


@strawberry.input(name="MilestoneInput")
class MilestoneInput:
    milestone_id: strawberry.ID


async def complete_milestone(info: Info, input: MilestoneInput) -> MilestonePayload:
    """Mark a milestone done, now (its action's core team, or facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: actions.set_milestone_done(
            session,
            actor,
            milestone_id=require_id(input.milestone_id, "Milestone", ["milestoneId"]),
            done=True,
        ),
    )
    if isinstance(result, Failed):
        return MilestonePayload(milestone=None, errors=result.errors)
    return MilestonePayload(milestone=MilestoneType.of(result), errors=[])
