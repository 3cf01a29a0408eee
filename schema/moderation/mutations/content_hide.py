from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, require_id
from schema.errors import UserError
from schema.moderation.types import ReportType, decode_subject
from schema.mutation import Failed, mutate
from server.access import Actor
from server.moderation import service as moderation
from server.moderation.models import Report


@strawberry.input(name="HideContentInput")
class HideContentInput:
    subject_id: strawberry.ID = strawberry.field(description="A Comment, Proposal or Answer.")
    reason: str = strawberry.field(description="Shown in place of the text.")


@strawberry.input(name="DismissReportInput")
class DismissReportInput:
    report_id: strawberry.ID


@strawberry.type(name="ModerationPayload")
class ModerationPayload:
    report: ReportType | None
    errors: list[UserError]


async def hide_content(info: Info, input: HideContentInput) -> ModerationPayload:
    """Hide a comment, proposal or answer with a stated reason (facilitators); its open
    reports are settled and its author is told why."""

    async def work(session: AsyncSession, actor: Actor) -> Report:
        kind, pk = decode_subject(input.subject_id)
        return await moderation.hide_content(session, actor, kind, pk, input.reason)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return ModerationPayload(report=None, errors=result.errors)
    return ModerationPayload(report=ReportType.of(result), errors=[])


async def dismiss_report(info: Info, input: DismissReportInput) -> ModerationPayload:
    """Close an open report without hiding anything (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: moderation.dismiss_report(
            session, actor, require_id(input.report_id, "Report", ["reportId"])
        ),
    )
    if isinstance(result, Failed):
        return ModerationPayload(report=None, errors=result.errors)
    return ModerationPayload(report=ReportType.of(result), errors=[])
