from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, decode_id, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.voting.types import BallotType
from server.access import Actor
from server.voting import rules
from server.voting import service as voting


@strawberry.input(name="BallotEntryInput")
class BallotEntryInput:
    proposal_id: strawberry.ID
    points: int | None = None
    rank: int | None = None


@strawberry.input(name="CastBallotInput")
class CastBallotInput:
    round_id: strawberry.ID
    entries: list[BallotEntryInput]
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Same key + same person = same effect, however often it is retried.",
    )
    on_behalf_of: strawberry.ID | None = strawberry.field(
        default=None,
        description="Facilitators only: record an in-room/paper ballot for this person.",
    )
    override_own_ballot: bool | None = strawberry.field(
        default=False,
        description="With onBehalfOf: replace a ballot the person cast themselves (audited).",
    )


@strawberry.type(name="CastBallotPayload")
class CastBallotPayload:
    ballot: BallotType | None
    errors: list[UserError]


async def cast_ballot(info: Info, input: CastBallotInput) -> CastBallotPayload:
    """Cast or replace a ballot: one person, one ballot, one equal weight."""

    async def work(session: AsyncSession, actor: Actor) -> voting.CastResult:
        return await voting.cast_ballot(
            session,
            actor,
            round_id=require_id(input.round_id, "VotingRound", ["roundId"], "Voting round"),
            entries=[
                rules.EntryInput(decode_id(e.proposal_id, "Proposal"), e.points, e.rank)
                for e in input.entries
            ],
            idempotency_key=input.idempotency_key,
            on_behalf_of=(
                require_id(input.on_behalf_of, "Person", ["onBehalfOf"])
                if input.on_behalf_of is not None
                else None
            ),
            override_own_ballot=bool(input.override_own_ballot),
        )

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return CastBallotPayload(ballot=None, errors=result.errors)
    if result.refused is not None:
        # Refused after the refusal was audited (and committed): nothing else changed.
        return CastBallotPayload(ballot=None, errors=[UserError.of(result.refused)])
    return CastBallotPayload(ballot=BallotType.of(result.accepted(), result.entries), errors=[])
