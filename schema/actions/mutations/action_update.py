from __future__ import annotations

from datetime import datetime

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.actions.types import ActionType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.actions import service as actions
from server.actions.models import Action
from server.actions.service import KEEP, Keep


@strawberry.input(
    name="UpdateActionInput",
    description="Leave a field out to keep it; give null to clear targetDate, teamId or leadId.",
)
class UpdateActionInput:
    action_id: strawberry.ID
    title: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    target_date: datetime | None = strawberry.UNSET
    team_id: strawberry.ID | None = strawberry.UNSET
    lead_id: strawberry.ID | None = strawberry.UNSET
    reason: str | None = strawberry.field(
        default=None, description="Why the core team or lead changed (kept in the history)."
    )


@strawberry.type(name="UpdateActionPayload")
class UpdateActionPayload:
    action: ActionType | None
    errors: list[UserError]


def _id(value: object, type_name: str, field: str) -> int | Keep | None:
    if value is strawberry.UNSET:
        return KEEP
    if value is None:
        return None
    return require_id(str(value), type_name, [field])


async def update_action(info: Info, input: UpdateActionInput) -> UpdateActionPayload:
    """Edit an action: its core team or facilitators edit the description, target date and
    lead; the title and owning team are for facilitators."""

    async def work(session: AsyncSession, actor: Actor) -> Action:
        return await actions.update_action(
            session,
            actor,
            action_id=require_id(input.action_id, "Action", ["actionId"]),
            title=KEEP if input.title is strawberry.UNSET else input.title or "",
            description=(
                KEEP if input.description is strawberry.UNSET else input.description or ""
            ),
            target_date=KEEP if input.target_date is strawberry.UNSET else input.target_date,
            team_id=_id(input.team_id, "CoreTeam", "teamId"),
            lead_id=_id(input.lead_id, "Person", "leadId"),
            reason=input.reason,
        )

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return UpdateActionPayload(action=None, errors=result.errors)
    return UpdateActionPayload(action=ActionType.of(result), errors=[])
