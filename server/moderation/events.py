"""Moderation events, one function each: the audit record and what the person is told.

Every moderation path calls exactly one of these after its change, in the same
transaction, so anything else that should follow an event (notifications, email) is
one more line here.
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.moderation import repository
from server.moderation.models import Notice, NoticeKind, Report, SubjectKind
from server.proposals.models import Proposal


async def report_created(session: AsyncSession, report: Report) -> None:
    await audit.record(
        session,
        report.reporter_id,
        "report.created",
        ("Report", report.id),
        area_id=report.area_id,
        subject_kind=report.subject_kind.value,
        subject_id=report.subject_id,
    )


async def content_hidden(
    session: AsyncSession,
    *,
    actor_id: int,
    kind: SubjectKind,
    subject_id: int,
    area_id: int,
    author_id: int | None,
    reason: str,
) -> None:
    await audit.record(
        session,
        actor_id,
        f"{kind.value}.hidden",
        (kind.value.capitalize(), subject_id),
        area_id=area_id,
        reason=reason,
    )
    if author_id is not None:
        await repository.add_notice(
            session,
            Notice(
                person_id=author_id,
                kind=NoticeKind.HIDDEN,
                subject_kind=kind,
                subject_id=subject_id,
                reason=reason,
            ),
        )


async def report_dismissed(session: AsyncSession, *, actor_id: int, report: Report) -> None:
    await audit.record(
        session, actor_id, "report.dismissed", ("Report", report.id), area_id=report.area_id
    )


async def proposal_declined(
    session: AsyncSession, *, actor_id: int, proposal: Proposal, reason: str
) -> None:
    await audit.record(
        session,
        actor_id,
        "proposal.declined",
        ("Proposal", proposal.id),
        area_id=proposal.area_id,
        reason=reason,
    )
    await repository.add_notice(
        session,
        Notice(
            person_id=proposal.author_id,
            kind=NoticeKind.DECLINED,
            subject_kind=SubjectKind.PROPOSAL,
            subject_id=proposal.id,
            reason=reason,
        ),
    )


async def proposal_merged(
    session: AsyncSession,
    *,
    actor_id: int,
    proposal: Proposal,
    target: Proposal,
    comments_moved: int,
    rounds_changed: list[int],
) -> None:
    await audit.record(
        session,
        actor_id,
        "proposal.merged",
        ("Proposal", proposal.id),
        area_id=proposal.area_id,
        merged_into_id=target.id,
        comments_moved=comments_moved,
        rounds_changed=rounds_changed,
    )
    await repository.add_notice(
        session,
        Notice(
            person_id=proposal.author_id,
            kind=NoticeKind.MERGED,
            subject_kind=SubjectKind.PROPOSAL,
            subject_id=proposal.id,
            reason=target.title,
        ),
    )
