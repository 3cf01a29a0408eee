from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, optional_id, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.proposals.types import ProposalType
from server.access import Actor
from server.moderation import service as moderation
from server.proposals import service as proposals
from server.proposals.models import Proposal, ProposalStatus


@strawberry.input(name="EditProposalInput")
class EditProposalInput:
    proposal_id: strawberry.ID
    title: str | None = None
    description: str | None = None
    themes: list[str] | None = None


@strawberry.input(name="SetProposalStatusInput")
class SetProposalStatusInput:
    proposal_id: strawberry.ID
    status: ProposalStatus
    reason: str | None = strawberry.field(default=None, description="Required to decline.")
    merged_into_id: strawberry.ID | None = strawberry.field(
        default=None, description="Required to merge."
    )


@strawberry.type(name="ProposalPayload")
class ProposalPayload:
    proposal: ProposalType | None
    errors: list[UserError]


async def edit_proposal(info: Info, input: EditProposalInput) -> ProposalPayload:
    """Edit an open proposal (its author, or a facilitator); earlier text is kept."""
    result = await mutate(
        info,
        lambda session, actor: proposals.edit_proposal(
            session,
            actor,
            require_id(input.proposal_id, "Proposal", ["proposalId"]),
            title=input.title,
            description=input.description,
            themes=input.themes,
        ),
    )
    if isinstance(result, Failed):
        return ProposalPayload(proposal=None, errors=result.errors)
    return ProposalPayload(proposal=ProposalType.of(result), errors=[])


async def set_proposal_status(info: Info, input: SetProposalStatusInput) -> ProposalPayload:
    """Shortlist, decline (with a reason), merge or reopen a proposal (facilitators).
    Declining and merging are ``declineProposal`` and ``mergeProposal``."""

    async def work(session: AsyncSession, actor: Actor) -> Proposal:
        proposal_id = require_id(input.proposal_id, "Proposal", ["proposalId"])
        if input.status is ProposalStatus.DECLINED:
            return await moderation.decline_proposal(
                session, actor, proposal_id, input.reason or ""
            )
        if input.status is ProposalStatus.MERGED:
            into = optional_id(input.merged_into_id, "Proposal", ["mergedIntoId"])
            return await moderation.merge_proposal(session, actor, proposal_id, into)
        return await proposals.set_status(session, actor, proposal_id, input.status)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return ProposalPayload(proposal=None, errors=result.errors)
    return ProposalPayload(proposal=ProposalType.of(result), errors=[])
