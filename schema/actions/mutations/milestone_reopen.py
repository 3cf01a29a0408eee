from __future__ import annotations

from schema.actions.mutations.milestone_add import MilestonePayload
from schema.actions.mutations.milestone_complete import MilestoneInput
from schema.actions.types import MilestoneType
from schema.base import Info, require_id
from schema.mutation import Failed, mutate
from server.actions import service as actions


async def reopen_milestone(info: Info, input: MilestoneInput) -> MilestonePayload:
    """Reopen a milestone marked done by mistake (its core team, or facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: actions.set_milestone_done(
            session,
            actor,
            milestone_id=require_id(input.milestone_id, "Milestone", ["milestoneId"]),
            done=False,
        ),
    )
    if isinstance(result, Failed):
        return MilestonePayload(milestone=None, errors=result.errors)
    return MilestonePayload(milestone=MilestoneType.of(result), errors=[])
