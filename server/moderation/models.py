from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, ForeignKey, Index, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class SubjectKind(StrEnum):
    COMMENT = "comment"
    PROPOSAL = "proposal"
    ANSWER = "answer"


class ReportState(StrEnum):
    OPEN = "open"
    HIDDEN = "hidden"
    DISMISSED = "dismissed"


class Report(IdMixin, CreatedAtMixin, Base):
    """Someone taking part asked the facilitators to look at a contribution."""

    __tablename__ = "reports"
    __table_args__ = (
        # One open report per person per contribution: reporting twice changes nothing.
        Index(
            "reports_one_open_per_reporter_key",
            "subject_kind",
            "subject_id",
            "reporter_id",
            unique=True,
            postgresql_where=text("state = 'open'"),
        ),
        Index("reports_area_id_state_idx", "area_id", "state"),
        Index("reports_subject_idx", "subject_kind", "subject_id"),
    )

    subject_kind: Mapped[SubjectKind] = mapped_column(enum_column(SubjectKind, "subject_kind"))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="CASCADE"))
    reporter_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    state: Mapped[ReportState] = mapped_column(
        enum_column(ReportState, "state"), default=ReportState.OPEN
    )
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
