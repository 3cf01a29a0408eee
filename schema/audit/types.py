from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema.base import Info, PageInfo, encode_cursor, gid
from schema.refs import AreaRef
from server.audit.models import AuditEvent


@strawberry.type(name="AuditEvent", description="Who did what to what, and when (admins only).")
class AuditEventType:
    verb: str
    occurred_at: datetime
    subject_type: str
    model: strawberry.Private[AuditEvent]

    @classmethod
    def of(cls, event: AuditEvent) -> AuditEventType:
        return cls(
            verb=event.verb,
            occurred_at=event.occurred_at,
            subject_type=event.subject_type,
            model=event,
        )

    @strawberry.field(description="The global id of what was acted on.")
    def subject_id(self) -> strawberry.ID:
        return gid(self.model.subject_type, self.model.subject_id)

    @strawberry.field(description="Who acted, by display name only; null for the system.")
    async def actor_name(self, info: Info) -> str | None:
        if self.model.actor_id is None:
            return None
        person = await info.context.loaders.person.load(self.model.actor_id)
        return person.display_name if person else None

    @strawberry.field
    async def area(self, info: Info) -> AreaRef | None:
        from schema.areas.types import AreaType

        if self.model.area_id is None:
            return None
        area = await info.context.loaders.area.load(self.model.area_id)
        return AreaType.of(area) if area else None


@strawberry.type(name="AuditEventEdge")
class AuditEventEdge:
    cursor: str
    node: AuditEventType


@strawberry.type(name="AuditEventConnection")
class AuditEventConnection:
    edges: list[AuditEventEdge]
    page_info: PageInfo

    @classmethod
    def of(cls, rows: Sequence[AuditEvent], has_next: bool) -> AuditEventConnection:
        edges = [
            AuditEventEdge(cursor=encode_cursor(e.id), node=AuditEventType.of(e)) for e in rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
        )
