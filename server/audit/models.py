from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, IdMixin


class AuditEvent(IdMixin, Base):
    """Append-only record of who did what to what (a trigger refuses UPDATE and DELETE)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("audit_events_subject_idx", "subject_type", "subject_id"),
        Index("audit_events_area_id_id_idx", "area_id", "id"),
    )

    occurred_at: Mapped[datetime] = mapped_column(server_default=func.now())
    actor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    verb: Mapped[str] = mapped_column(String(64))
    subject_type: Mapped[str] = mapped_column(String(32))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    area_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("areas.id", ondelete="RESTRICT")
    )
    data: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
