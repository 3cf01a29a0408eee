from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, Text, func, text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class ProposalStatus(StrEnum):
    OPEN = "open"
    SHORTLISTED = "shortlisted"
    ADOPTED = "adopted"
    MERGED = "merged"
    DECLINED = "declined"


class Proposal(IdMixin, CreatedAtMixin, Base):
    """A candidate action-plan item."""

    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged_has_target"
        ),
        CheckConstraint(
            "status <> 'declined' OR status_reason IS NOT NULL", name="declined_has_reason"
        ),
        CheckConstraint("merged_into_id <> id", name="not_merged_into_self"),
        Index("proposals_area_id_id_idx", "area_id", "id"),
        Index("proposals_themes_idx", "themes", postgresql_using="gin"),
        CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name="hidden_has_reason"),
    )

    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    status: Mapped[ProposalStatus] = mapped_column(
        enum_column(ProposalStatus, "status"), default=ProposalStatus.OPEN
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    conversation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="SET NULL"), index=True
    )
    story_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("stories.id", ondelete="SET NULL")
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="RESTRICT")
    )
    themes: Mapped[list[str]] = mapped_column(
        ARRAY(String(40)), server_default=text("'{}'::varchar[]")
    )
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    # Moderation: hidden with a reason shown in place of the text.
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    # What the room said that this idea grew from, if anything.
    answer_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("answers.id", ondelete="SET NULL"), index=True
    )
    theme_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("themes.id", ondelete="SET NULL"), index=True
    )


class ProposalRevision(IdMixin, CreatedAtMixin, Base):
    """The text of a proposal before an edit: edits keep history."""

    __tablename__ = "proposal_revisions"

    proposal_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    edited_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
