from __future__ import annotations

from datetime import datetime

import strawberry

from schema.actions.types import MilestoneType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.actions import service as actions


@strawberry.input(name="AddMilestoneInput")
class AddMilestoneInput:
    action_id: strawberry.ID
    title: str
    due_at: datetime | None = None


@strawberry.type(name="MilestonePayload")
class MilestonePayload:
    milestone: MilestoneType | None
    errors: list[UserError]


async def add_milestone(info: Info, input: AddMilestoneInput) -> MilestonePayload:
    """Add a milestone to an open action (its core team, or facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: actions.add_milestone(
            session,
            actor,
            action_id=require_id(input.action_id, "Action", ["actionId"]),
            title=input.title,
            due_at=input.due_at,
        ),
    )
    if isinstance(result, Failed):
        return MilestonePayload(milestone=None, errors=result.errors)
    return MilestonePayload(milestone=MilestoneType.of(result), errors=[])
