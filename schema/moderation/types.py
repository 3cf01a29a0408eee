from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info, Node, gid
from server.errors import NotFound
from server.ids import from_global_id
from server.moderation.models import Notice, NoticeKind, Report, ReportState, SubjectKind

strawberry.enum(ReportState, name="ReportState")
strawberry.enum(NoticeKind, name="NoticeKind")

_NODE_TYPES = {
    SubjectKind.COMMENT: "Comment",
    SubjectKind.PROPOSAL: "Proposal",
    SubjectKind.ANSWER: "Answer",
}


def subject_id(kind: SubjectKind, pk: int) -> strawberry.ID:
    return gid(_NODE_TYPES[kind], pk)


@strawberry.type(name="Report", description="A contribution someone asked facilitators to look at.")
class ReportType(Node):
    id: strawberry.ID
    reason: str
    state: ReportState
    created_at: datetime
    resolved_at: datetime | None
    model: strawberry.Private[Report]

    @classmethod
    def of(cls, report: Report) -> ReportType:
        return cls(
            id=gid("Report", report.id),
            reason=report.reason,
            state=report.state,
            created_at=report.created_at,
            resolved_at=report.resolved_at,
            model=report,
        )

    @strawberry.field(description="The Comment, Proposal or Answer reported.")
    async def subject(self, info: Info) -> Node:
        from schema.queries import resolve_node

        found = await resolve_node(
            info, _NODE_TYPES[self.model.subject_kind], self.model.subject_id
        )
        assert found is not None, "reports are on things their facilitators can read"
        return found


@strawberry.type(
    name="ModerationNotice",
    description="What a facilitator did to one of your contributions, and why.",
)
class NoticeType:
    kind: NoticeKind
    reason: str | None = strawberry.field(
        description="The stated reason (for a merge: the title of the idea it joined)."
    )
    created_at: datetime
    read: bool
    subject_id: strawberry.ID

    @classmethod
    def of(cls, notice: Notice) -> NoticeType:
        return cls(
            kind=notice.kind,
            reason=notice.reason,
            created_at=notice.created_at,
            read=notice.read_at is not None,
            subject_id=subject_id(notice.subject_kind, notice.subject_id),
        )


def decode_subject(value: str) -> tuple[SubjectKind, int]:
    """A Comment, Proposal or Answer id; anything else names nothing (NOT_FOUND)."""
    decoded = from_global_id(value)
    kinds = {name: kind for kind, name in _NODE_TYPES.items()}
    if decoded is None or decoded[0] not in kinds:
        raise NotFound("Comment, proposal or answer", ["subjectId"])
    return kinds[decoded[0]], decoded[1]
