from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin

SLUG_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class Area(IdMixin, CreatedAtMixin, Base):
    """A place: the city, or a neighbourhood beneath it. Everything belongs to one."""

    __tablename__ = "areas"
    __table_args__ = (
        CheckConstraint(f"slug ~ '{SLUG_PATTERN}'", name="slug_format"),
        CheckConstraint("parent_id <> id", name="not_own_parent"),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    slug: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
