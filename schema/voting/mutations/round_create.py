from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info, decode_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.voting.types import VotingRoundType
from server.voting import service as voting
from server.voting.models import (
    BallotSignIn,
    RankedTally,
    ResultVisibility,
    VotingMethod,
    VotingRound,
)


@strawberry.input(name="CreateVotingRoundInput")
class CreateVotingRoundInput:
    area_slug: str
    title: str
    method: VotingMethod
    proposal_ids: list[strawberry.ID]
    dots_per_person: int | None = None
    max_dots_per_item: int | None = None
    result_visibility: ResultVisibility | None = ResultVisibility.AFTER_CLOSE
    closes_at: datetime | None = None
    ranked_tally: RankedTally | None = strawberry.field(
        default=RankedTally.BORDA, description="RANKED rounds only: BORDA or SCHULZE."
    )
    online_sign_in: BallotSignIn | None = strawberry.field(
        default=BallotSignIn.ANY,
        description="VERIFIED: ballots cast online need a verified sign-in (join-code "
        "people then vote in the room, recorded by a facilitator).",
    )


@strawberry.type(name="VotingRoundPayload")
class VotingRoundPayload:
    round: VotingRoundType | None
    errors: list[UserError]

    @classmethod
    def of(cls, result: VotingRound | Failed) -> VotingRoundPayload:
        if isinstance(result, Failed):
            return cls(round=None, errors=result.errors)
        return cls(round=VotingRoundType.of(result), errors=[])


async def create_voting_round(info: Info, input: CreateVotingRoundInput) -> VotingRoundPayload:
    """Draft a voting round on proposals of the area (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: voting.create_round(
            session,
            actor,
            area_slug=input.area_slug,
            title=input.title,
            method=input.method,
            proposal_ids=[decode_id(p, "Proposal") for p in input.proposal_ids],
            dots_per_person=input.dots_per_person,
            max_dots_per_item=input.max_dots_per_item,
            result_visibility=input.result_visibility or ResultVisibility.AFTER_CLOSE,
            closes_at=input.closes_at,
            ranked_tally=input.ranked_tally or RankedTally.BORDA,
            online_sign_in=input.online_sign_in or BallotSignIn.ANY,
        ),
    )
    return VotingRoundPayload.of(result)
