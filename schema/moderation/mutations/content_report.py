from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info
from schema.errors import UserError
from schema.moderation.types import ReportType, decode_subject
from schema.mutation import Failed, mutate
from server.access import Actor
from server.moderation import service as moderation
from server.moderation.models import Report


@strawberry.input(name="ReportContentInput")
class ReportContentInput:
    subject_id: strawberry.ID = strawberry.field(description="A Comment, Proposal or Answer.")
    reason: str


@strawberry.type(name="ReportPayload")
class ReportPayload:
    report: ReportType | None
    errors: list[UserError]


async def report_content(info: Info, input: ReportContentInput) -> ReportPayload:
    """Ask the facilitators to look at a contribution (anyone taking part who can read
    it). Reporting it again while the first report is open changes nothing."""

    async def work(session: AsyncSession, actor: Actor) -> Report:
        kind, pk = decode_subject(input.subject_id)
        return await moderation.report_content(session, actor, kind, pk, input.reason)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return ReportPayload(report=None, errors=result.errors)
    return ReportPayload(report=ReportType.of(result), errors=[])
