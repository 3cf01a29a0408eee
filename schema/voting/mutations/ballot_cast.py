from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, decode_id, require_id
from schema.errors import UserError
from schema.loaders import selects
from schema.mutation import Failed, mutate
from schema.voting.types import BallotType
from server.access import Actor
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal
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
    wants_proposals = selects(info, "ballot", "entries", "proposal")
    answered: list[Proposal] = []

    async def work(session: AsyncSession, actor: Actor) -> voting.CastResult:
        result = await cast(session, actor)
        if wants_proposals and result.refused is None:
            # Read in the cast's own transaction, for the answer: not a read session
            # (a connection, BEGIN and ROLLBACK) of its own after the commit.
            answered[:] = await proposals_repo.by_ids(
                session, sorted({e.proposal_id for e in result.entries})
            )
        return result

    async def cast(session: AsyncSession, actor: Actor) -> voting.CastResult:
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
    info.context.loaders.proposal.prime_many({p.id: p for p in answered})
    return CastBallotPayload(ballot=BallotType.of(result.accepted(), result.entries), errors=[])
