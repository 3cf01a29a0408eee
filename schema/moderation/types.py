from __future__ import annotations

from datetime import datetime

import strawberry

from schema.base import Info, Node, gid
from server.errors import NotFound
from server.ids import from_global_id
from server.moderation.models import Report, ReportState, SubjectKind

strawberry.enum(ReportState, name="ReportState")

_NODE_TYPES = {
    SubjectKind.COMMENT: "Comment",
    SubjectKind.PROPOSAL: "Proposal",
    SubjectKind.ANSWER: "Answer",
}


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


def decode_subject(value: str) -> tuple[SubjectKind, int]:
    """A Comment, Proposal or Answer id; anything else names nothing (NOT_FOUND)."""
    decoded = from_global_id(value)
    kinds = {name: kind for kind, name in _NODE_TYPES.items()}
    if decoded is None or decoded[0] not in kinds:
        raise NotFound("Comment, proposal or answer", ["subjectId"])
    return kinds[decoded[0]], decoded[1]
