"""What a person contributed (for their download), and the statements that erase them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import delete, exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.models import Action
from server.answers.models import Answer
from server.areas.models import Area
from server.auth.models import ApiToken, BrowserSession, ExternalIdentity
from server.comments.models import Comment
from server.conversations.models import Conversation, ConversationFacilitator, Story
from server.moderation.models import Report, SubjectKind
from server.people.models import AreaRole, Person
from server.proposals.models import Proposal, ProposalRevision
from server.teams.models import TeamMembership
from server.voting.models import Ballot, BallotEntry, BallotItem, Priority, VotingRound

Row = dict[str, Any]


async def answers_by(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.execute(
        select(Answer, Conversation.title)
        .join(Conversation, Conversation.id == Answer.conversation_id)
        .where(Answer.author_id == person_id)
        .order_by(Answer.id)
    )
    return [
        {
            "conversation": title,
            "answer": a.body,
            "may_quote": a.may_quote,
            "hidden_reason": a.hidden_reason,
            "created_at": a.created_at,
        }
        for a, title in rows
    ]


async def proposals_by(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.execute(
        select(Proposal, Area.name)
        .join(Area, Area.id == Proposal.area_id)
        .where(Proposal.author_id == person_id)
        .order_by(Proposal.id)
    )
    return [
        {
            "area": area,
            "title": p.title,
            "description": p.description,
            "status": p.status.value,
            "created_at": p.created_at,
        }
        for p, area in rows
    ]


async def comments_by(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.scalars(
        select(Comment).where(Comment.author_id == person_id).order_by(Comment.id)
    )
    return [
        {
            "on": "proposal" if c.proposal_id is not None else "action",
            "comment": c.body,
            "hidden_reason": c.hidden_reason,
            "created_at": c.created_at,
        }
        for c in rows
    ]


async def ballots_of(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.execute(
        select(VotingRound.title, Proposal.title, BallotEntry.points, BallotEntry.rank, Ballot)
        .join(Ballot, Ballot.round_id == VotingRound.id)
        .join(BallotEntry, BallotEntry.ballot_id == Ballot.id)
        .join(Proposal, Proposal.id == BallotEntry.proposal_id)
        .where(Ballot.person_id == person_id)
        .order_by(Ballot.id, BallotEntry.rank.nulls_last(), Proposal.id)
    )
    return [
        {
            "round": round_title,
            "proposal": proposal_title,
            "points": points,
            "rank": rank,
            "assisted": ballot.assisted_by_id is not None,
            "updated_at": ballot.updated_at,
        }
        for round_title, proposal_title, points, rank, ballot in rows
    ]


async def stories_told_by(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.scalars(
        select(Story).where(Story.teller_id == person_id).order_by(Story.id)
    )
    return [
        {
            "told_as": s.teller_pseudonym,
            "story": s.body,
            "who_may_read": s.consent_scope.value,
            "withdrawn_at": s.withdrawn_at,
            "created_at": s.created_at,
        }
        for s in rows
    ]


async def reports_by(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.scalars(
        select(Report).where(Report.reporter_id == person_id).order_by(Report.id)
    )
    return [
        {
            "about": r.subject_kind.value,
            "reason": r.reason,
            "state": r.state.value,
            "created_at": r.created_at,
        }
        for r in rows
    ]


async def roles_of(session: AsyncSession, person_id: int) -> list[Row]:
    rows = await session.execute(
        select(AreaRole.role, Area.name, AreaRole.granted_at)
        .join(Area, Area.id == AreaRole.area_id)
        .where(AreaRole.person_id == person_id)
        .order_by(Area.name, AreaRole.role)
    )
    return [{"role": role.value, "area": area, "granted_at": at} for role, area, at in rows]


# Erasure.

ERASED_NAME = "Former participant"


async def tombstone(session: AsyncSession, person: Person, at: datetime) -> None:
    """Personal fields gone; the row stays so ballots keep counting (kind stays only
    as an input to the withheld-under-5 resident/professional aggregates)."""
    person.display_name = ERASED_NAME
    person.email = None
    person.affiliation = None
    person.password_hash = None
    person.email_verified_at = None
    person.erased_at = at
    await session.flush()


async def forget_access(session: AsyncSession, person_id: int, at: datetime) -> None:
    for model in (BrowserSession, ApiToken, ExternalIdentity, AreaRole, ConversationFacilitator):
        await session.execute(delete(model).where(model.person_id == person_id))
    await session.execute(
        update(TeamMembership)
        .where(TeamMembership.person_id == person_id, TeamMembership.left_at.is_(None))
        .values(left_at=at, left_reason=None)
    )


async def erase_words(session: AsyncSession, person_id: int, at: datetime, reason: str) -> None:
    """Answers deleted; told stories withdrawn; comments emptied and shown as removed;
    proposals that never reached a ballot or the plan emptied likewise (those that did
    are the area's record and keep their words, under the tombstone's name)."""
    theirs = select(Answer.id).where(Answer.author_id == person_id)
    # A report names its subject; an answer that is gone leaves nothing to report.
    await session.execute(
        delete(Report).where(
            Report.subject_kind == SubjectKind.ANSWER, Report.subject_id.in_(theirs)
        )
    )
    await session.execute(delete(Answer).where(Answer.author_id == person_id))
    await session.execute(
        update(Story)
        .where(Story.teller_id == person_id)
        .values(body=None, withdrawn_at=at, teller_pseudonym=ERASED_NAME, teller_id=None)
    )
    await session.execute(
        update(Comment)
        .where(Comment.author_id == person_id)
        .values(body="", hidden_at=at, hidden_reason=reason, hidden_by_id=None)
    )
    in_record = or_(
        exists().where(BallotItem.proposal_id == Proposal.id),
        exists().where(Priority.proposal_id == Proposal.id),
        exists().where(Action.proposal_id == Proposal.id),
    )
    private = select(Proposal.id).where(Proposal.author_id == person_id, ~in_record)
    await session.execute(delete(ProposalRevision).where(ProposalRevision.proposal_id.in_(private)))
    await session.execute(
        update(Proposal)
        .where(Proposal.id.in_(private))
        .values(title=reason, description="", hidden_at=at, hidden_reason=reason)
    )
