from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column
from server.voting.models import ResultVisibility, VotingMethod

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


class AreaSettings(Base):
    """What a new area copies from a template area: the questions its conversations
    start from, and its voting rounds' defaults (method, dots, when results show)."""

    __tablename__ = "area_settings"
    __table_args__ = (
        CheckConstraint("cardinality(prompts) BETWEEN 1 AND 10", name="prompts_count"),
        CheckConstraint(
            "dots_per_person BETWEEN 1 AND 1000 AND (max_dots_per_item IS NULL "
            "OR max_dots_per_item BETWEEN 1 AND dots_per_person)",
            name="dots_range",
        ),
    )

    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True
    )
    prompts: Mapped[list[str]] = mapped_column(ARRAY(String(500)))
    round_method: Mapped[VotingMethod] = mapped_column(
        enum_column(VotingMethod, "round_method"), default=VotingMethod.APPROVAL
    )
    dots_per_person: Mapped[int] = mapped_column(Integer)
    max_dots_per_item: Mapped[int | None] = mapped_column(Integer)
    round_result_visibility: Mapped[ResultVisibility] = mapped_column(
        enum_column(ResultVisibility, "round_result_visibility"),
        default=ResultVisibility.AFTER_CLOSE,
    )
