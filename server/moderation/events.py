"""Moderation events, one function each: the audit record and who is told.

Every moderation path calls exactly one of these after its change, in the same
transaction. The person whose contribution was hidden, declined or merged hears why,
and the area's facilitators hear that a report waits, through notifications (in the
app, and by email as each person chose).
"""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server.audit import service as audit
from server.moderation.models import Report, SubjectKind
from server.notifications import events as notify
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
    await notify.report_waiting(
        session, report.reporter_id, report.id, report.area_id, report.reason
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
    link: str | None = None,
) -> None:
    """``link``: where the author finds an answer (comments and proposals are looked up)."""
    subject = (kind.value.capitalize(), subject_id)
    await audit.record(
        session, actor_id, f"{kind.value}.hidden", subject, area_id=area_id, reason=reason
    )
    await notify.content_hidden(session, actor_id, subject, reason, author_id=author_id, link=link)


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
    await notify.proposal_declined(session, actor_id, proposal.id, reason)


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
    await notify.proposal_merged(session, actor_id, proposal.id, target.id)
