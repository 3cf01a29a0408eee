"""Moderation: anyone taking part reports a comment, proposal or answer; the area's
facilitators hide it with a stated reason (shown in place of the text), dismiss the
report, decline a proposal with a reason, or merge a duplicate into another.

Nothing disappears silently: every step is audited and the person whose contribution
was hidden, declined or merged is told why (``server.moderation.events``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.access import Actor
from server.answers import repository as answers_repo
from server.answers import service as answers
from server.comments import repository as comments_repo
from server.comments import service as comments
from server.errors import DomainError, ErrorCode, InvalidInput, InvalidState, NotFound
from server.moderation import events, repository
from server.moderation.models import Report, ReportState, SubjectKind
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal, ProposalStatus
from server.voting import repository as voting_repo
from server.voting.models import RoundState

MAX_REASON = 500


@dataclass(frozen=True)
class Subject:
    kind: SubjectKind
    id: int
    area_id: int
    author_id: int | None
    hidden: bool


async def subject(
    session: AsyncSession,
    actor: Actor,
    kind: SubjectKind,
    subject_id: int,
    field: Sequence[str] = ("subjectId",),
) -> Subject:
    """The reported thing, if it exists and the actor may read it (else NOT_FOUND)."""
    if kind is SubjectKind.COMMENT:
        comment = await comments_repo.by_id(session, subject_id)
        if comment is not None:
            area_id = await comments.area_of(session, comment)
            return Subject(
                kind, comment.id, area_id, comment.author_id, comment.hidden_at is not None
            )
    elif kind is SubjectKind.PROPOSAL:
        proposal = await proposals_repo.by_id(session, subject_id)
        if proposal is not None:
            return Subject(
                kind,
                proposal.id,
                proposal.area_id,
                proposal.author_id,
                proposal.hidden_at is not None,
            )
    else:
        answer = await answers_repo.by_id(session, subject_id)
        if answer is not None:
            _, conversation = await answers.answer_with_conversation(session, answer.id, field)
            if await answers.can_read(session, actor, answer, conversation.area_id):
                return Subject(
                    kind,
                    answer.id,
                    conversation.area_id,
                    answer.author_id,
                    answer.hidden_at is not None,
                )
    raise NotFound(kind.value.capitalize(), field)


def _reason(reason: str) -> str:
    return validation.text(reason, ["reason"], max_length=MAX_REASON, label="Reason")


async def report_content(
    session: AsyncSession, actor: Actor, kind: SubjectKind, subject_id: int, reason: str
) -> Report:
    """Anyone taking part who can read it. Reporting the same thing again, while the
    first report is open, changes nothing."""
    found = await subject(session, actor, kind, subject_id)
    await actor.require(session, found.area_id, Role.PARTICIPANT)
    reason = _reason(reason)
    if found.hidden:
        raise InvalidState("A facilitator has hidden that already.", ["subjectId"])
    report, created = await repository.add_report(
        session,
        Report(
            subject_kind=kind,
            subject_id=found.id,
            area_id=found.area_id,
            reporter_id=actor.person_id,
            reason=reason,
            state=ReportState.OPEN,
        ),
    )
    if created:
        await events.report_created(session, report)
    return report


async def hide_content(
    session: AsyncSession,
    actor: Actor,
    kind: SubjectKind,
    subject_id: int,
    reason: str,
    field: Sequence[str] = ("subjectId",),
) -> Report:
    """Hide with a reason shown in place of the text; the open reports on it are
    settled as HIDDEN. Hiding what nobody reported files the facilitator's own report,
    so the queue's history shows every hide."""
    found = await subject(session, actor, kind, subject_id, field)
    await actor.require(session, found.area_id, Role.FACILITATOR)
    reason = _reason(reason)
    if found.hidden:
        raise InvalidState(f"That {kind.value} is already hidden.")
    now = clock.now()
    link: str | None = None
    if kind is SubjectKind.COMMENT:
        comment = await comments_repo.by_id(session, subject_id)
        assert comment is not None
        comment.hidden_at, comment.hidden_reason, comment.hidden_by_id = (
            now,
            reason,
            actor.person_id,
        )
    elif kind is SubjectKind.PROPOSAL:
        proposal = await proposals_repo.for_update(session, subject_id)
        assert proposal is not None
        proposal.hidden_at, proposal.hidden_reason = now, reason
        proposal.hidden_by_id = actor.person_id
    else:
        answer = await answers_repo.by_id(session, subject_id)
        assert answer is not None
        answer.hidden_at, answer.hidden_reason, answer.hidden_by_id = now, reason, actor.person_id
        link = f"/conversations/{answer.conversation_id}"
    await session.flush()
    settled = await repository.resolve_open(
        session, kind, subject_id, ReportState.HIDDEN, actor.person_id, now
    )
    if settled:
        report = await repository.by_id(session, max(settled))
    else:
        report, _ = await repository.add_report(
            session,
            Report(
                subject_kind=kind,
                subject_id=subject_id,
                area_id=found.area_id,
                reporter_id=actor.person_id,
                reason=reason,
                state=ReportState.HIDDEN,
                resolved_at=now,
                resolved_by_id=actor.person_id,
            ),
        )
    assert report is not None
    await session.refresh(report)
    await events.content_hidden(
        session,
        actor_id=actor.person_id,
        kind=kind,
        subject_id=subject_id,
        area_id=found.area_id,
        author_id=found.author_id,
        reason=reason,
        link=link,
    )
    return report


async def dismiss_report(session: AsyncSession, actor: Actor, report_id: int) -> Report:
    report = await repository.by_id(session, report_id)
    if report is None:
        raise NotFound("Report", ["reportId"])
    await actor.require(session, report.area_id, Role.FACILITATOR)
    if report.state is not ReportState.OPEN:
        raise InvalidState("That report has been dealt with already.", ["reportId"])
    report.state = ReportState.DISMISSED
    report.resolved_at = clock.now()
    report.resolved_by_id = actor.person_id
    await session.flush()
    await events.report_dismissed(session, actor_id=actor.person_id, report=report)
    return report


async def reports(
    session: AsyncSession, actor: Actor, area_id: int, *, open_only: bool
) -> list[Report] | None:
    """The area's queue (with the areas beneath), for its facilitators; None for
    anyone else."""
    if not await actor.has_role(session, area_id, Role.FACILITATOR):
        return None
    tree = await actor.tree(session)
    return await repository.for_areas(session, tree.descendants(area_id), open_only=open_only)


async def _open_for_decision(session: AsyncSession, actor: Actor, proposal_id: int) -> Proposal:
    proposal = await proposals_repo.for_update(session, proposal_id)
    if proposal is None:
        raise NotFound("Proposal", ["proposalId"])
    await actor.require(session, proposal.area_id, Role.FACILITATOR)
    if proposal.status in (ProposalStatus.ADOPTED, ProposalStatus.MERGED, ProposalStatus.DECLINED):
        raise InvalidState(f"A {proposal.status.value} proposal cannot be changed like that.")
    return proposal


async def decline_proposal(
    session: AsyncSession, actor: Actor, proposal_id: int, reason: str
) -> Proposal:
    proposal = await _open_for_decision(session, actor, proposal_id)
    reason = validation.text(reason, ["reason"], max_length=2000, label="Reason")
    proposal.status = ProposalStatus.DECLINED
    proposal.status_reason = reason
    await session.flush()
    await events.proposal_declined(
        session, actor_id=actor.person_id, proposal=proposal, reason=reason
    )
    return proposal


async def merge_proposal(
    session: AsyncSession, actor: Actor, proposal_id: int, into_id: int | None
) -> Proposal:
    """The duplicate points at its target; its comments move there; a ballot in a round
    not yet closed that names both keeps one entry with the larger mark (ranks close
    up), and one naming only the duplicate names the target. Closed rounds and their
    frozen snapshots never change."""
    proposal = await _open_for_decision(session, actor, proposal_id)
    if into_id is None:
        raise NotFound("Proposal to merge into", ["intoId"])
    target = await proposals_repo.by_id(session, into_id)
    if target is None:
        raise NotFound("Proposal to merge into", ["intoId"])
    if target.id == proposal.id or target.area_id != proposal.area_id:
        raise InvalidInput("Merge into another proposal of the same area.", ["intoId"])
    if target.status in (ProposalStatus.MERGED, ProposalStatus.DECLINED):
        raise DomainError(
            ErrorCode.INVALID_STATE, f"That proposal is {target.status.value}.", ["intoId"]
        )
    changed: list[int] = []
    for round_id in await repository.rounds_not_closed_with(session, proposal.id):
        # The gate casts take: a close waits for this, and this never touches a round
        # that closed meanwhile.
        voting_round = await voting_repo.locked(session, round_id, share=True)
        if voting_round is None or voting_round.state is RoundState.CLOSED:
            continue
        await repository.merge_on_ballot(session, round_id, proposal.id, target.id)
        changed.append(round_id)
    moved = await repository.move_comments(session, proposal.id, target.id)
    proposal.status = ProposalStatus.MERGED
    proposal.merged_into_id = target.id
    proposal.status_reason = None
    await session.flush()
    await events.proposal_merged(
        session,
        actor_id=actor.person_id,
        proposal=proposal,
        target=target,
        comments_moved=moved,
        rounds_changed=changed,
    )
    return proposal
