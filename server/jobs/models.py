from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import CheckConstraint, Index, Integer, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class JobState(StrEnum):
    QUEUED = "queued"
    DONE = "done"
    # Failed for good: kept, with its last error, until someone retries it.
    FAILED = "failed"


class Job(IdMixin, CreatedAtMixin, Base):
    """One piece of background work. A worker runs it while holding its row lock, so
    two workers never run the same job at once."""

    __tablename__ = "jobs"
    __table_args__ = (
        # A periodic job's key (e.g. "digests:daily:2026-12-01T08:00Z") makes enqueueing
        # it again a no-op, however many workers try.
        UniqueConstraint("key"),
        CheckConstraint("attempts >= 0 AND max_attempts >= 1", name="attempts_range"),
        CheckConstraint("(state = 'queued') = (finished_at IS NULL)", name="finished_has_time"),
        # The workers' scan: ready jobs, oldest due first.
        Index("jobs_ready_idx", "run_after", "id", postgresql_where=text("state = 'queued'")),
    )

    task: Mapped[str] = mapped_column(String(100))
    args: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    key: Mapped[str | None] = mapped_column(String(200))
    state: Mapped[JobState] = mapped_column(
        enum_column(JobState, "state"), default=JobState.QUEUED, server_default="queued"
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    max_attempts: Mapped[int] = mapped_column(Integer, default=12, server_default="12")
    run_after: Mapped[datetime] = mapped_column(server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
