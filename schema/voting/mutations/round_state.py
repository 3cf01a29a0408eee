from __future__ import annotations

import strawberry

from schema.base import Info, require_id
from schema.mutation import mutate
from schema.voting.mutations.round_create import VotingRoundPayload
from server.voting import service as voting


@strawberry.input(name="RoundInput")
class RoundInput:
    round_id: strawberry.ID


def _round_id(input: RoundInput) -> int:
    return require_id(input.round_id, "VotingRound", ["roundId"], "Voting round")


async def open_voting_round(info: Info, input: RoundInput) -> VotingRoundPayload:
    """DRAFT -> OPEN (facilitators)."""
    return VotingRoundPayload.of(
        await mutate(info, lambda s, actor: voting.open_round(s, actor, _round_id(input)))
    )


async def close_voting_round(info: Info, input: RoundInput) -> VotingRoundPayload:
    """OPEN -> CLOSED (facilitators); freezes the result and its snapshot hash."""
    return VotingRoundPayload.of(
        await mutate(info, lambda s, actor: voting.close_round(s, actor, _round_id(input)))
    )


async def withdraw_ballot(info: Info, input: RoundInput) -> VotingRoundPayload:
    """Withdraw the viewer's own ballot while the round is open."""
    return VotingRoundPayload.of(
        await mutate(info, lambda s, actor: voting.withdraw_ballot(s, actor, _round_id(input)))
    )
