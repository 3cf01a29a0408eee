from __future__ import annotations

from datetime import datetime

import strawberry

from schema.actions.types import ActionType
from schema.base import Info, optional_id, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.actions import service as actions


@strawberry.input(name="AdoptPriorityInput")
class AdoptPriorityInput:
    round_id: strawberry.ID
    proposal_id: strawberry.ID
    team_id: strawberry.ID | None = None
    title: str | None = None
    lead_id: strawberry.ID | None = strawberry.field(
        default=None, description="A current member of the core team who will lead it."
    )
    target_date: datetime | None = None


@strawberry.type(name="AdoptPriorityPayload")
class AdoptPriorityPayload:
    action: ActionType | None
    errors: list[UserError]


async def adopt_priority(info: Info, input: AdoptPriorityInput) -> AdoptPriorityPayload:
    """Turn a closed round's priority into an action (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: actions.adopt_priority(
            session,
            actor,
            round_id=require_id(input.round_id, "VotingRound", ["roundId"], "Voting round"),
            proposal_id=require_id(input.proposal_id, "Proposal", ["proposalId"]),
            team_id=optional_id(input.team_id, "CoreTeam", ["teamId"]),
            title=input.title,
            lead_id=optional_id(input.lead_id, "Person", ["leadId"]),
            target_date=input.target_date,
        ),
    )
    if isinstance(result, Failed):
        return AdoptPriorityPayload(action=None, errors=result.errors)
    return AdoptPriorityPayload(action=ActionType.of(result), errors=[])
