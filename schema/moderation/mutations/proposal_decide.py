from __future__ import annotations

import strawberry

from schema.base import Info, optional_id, require_id
from schema.mutation import Failed, mutate
from schema.proposals.mutations.proposal_edit import ProposalPayload
from schema.proposals.types import ProposalType
from server.moderation import service as moderation


@strawberry.input(name="DeclineProposalInput")
class DeclineProposalInput:
    proposal_id: strawberry.ID
    reason: str


@strawberry.input(name="MergeProposalInput")
class MergeProposalInput:
    proposal_id: strawberry.ID
    into_id: strawberry.ID


async def decline_proposal(info: Info, input: DeclineProposalInput) -> ProposalPayload:
    """Decline a proposal with a reason its author is told (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: moderation.decline_proposal(
            session, actor, require_id(input.proposal_id, "Proposal", ["proposalId"]), input.reason
        ),
    )
    if isinstance(result, Failed):
        return ProposalPayload(proposal=None, errors=result.errors)
    return ProposalPayload(proposal=ProposalType.of(result), errors=[])


async def merge_proposal(info: Info, input: MergeProposalInput) -> ProposalPayload:
    """Merge a duplicate into another proposal of the same area (facilitators): its
    comments move, and open rounds' ballots keep one entry with the larger mark."""
    result = await mutate(
        info,
        lambda session, actor: moderation.merge_proposal(
            session,
            actor,
            require_id(input.proposal_id, "Proposal", ["proposalId"]),
            optional_id(input.into_id, "Proposal", ["intoId"]),
        ),
    )
    if isinstance(result, Failed):
        return ProposalPayload(proposal=None, errors=result.errors)
    return ProposalPayload(proposal=ProposalType.of(result), errors=[])
