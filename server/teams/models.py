from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin


class CoreTeam(IdMixin, CreatedAtMixin, Base):
    """The people carrying actions forward in an area; membership changes over time."""

    __tablename__ = "core_teams"
    __table_args__ = (
        Index("core_teams_area_id_name_key", "area_id", text("lower(name)"), unique=True),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"))
    name: Mapped[str] = mapped_column(String(120))


class TeamMembership(IdMixin, Base):
    """A dated spell of membership: joined, and left (with a reason) when it ended."""

    __tablename__ = "team_memberships"
    __table_args__ = (
        Index(
            "team_memberships_current_key",
            "team_id",
            "person_id",
            unique=True,
            postgresql_where=text("left_at IS NULL"),
        ),
        CheckConstraint("left_at IS NULL OR left_at >= joined_at", name="left_after_joined"),
    )

    team_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("core_teams.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())
    left_at: Mapped[datetime | None]
    left_reason: Mapped[str | None] = mapped_column(Text)
    added_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
