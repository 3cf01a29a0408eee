from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, SmallInteger, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin

MAX_DEPTH = 3


class Comment(IdMixin, CreatedAtMixin, Base):
    """A contribution to the discussion of a proposal or an action, threaded 3 deep."""

    __tablename__ = "comments"
    __table_args__ = (
        CheckConstraint("num_nonnulls(proposal_id, action_id) = 1", name="one_subject"),
        CheckConstraint(f"depth BETWEEN 1 AND {MAX_DEPTH}", name="depth_range"),
        CheckConstraint("(parent_id IS NULL) = (depth = 1)", name="depth_matches_parent"),
        CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name="hidden_has_reason"),
        Index("comments_proposal_id_id_idx", "proposal_id", "id"),
        Index("comments_action_id_id_idx", "action_id", "id"),
    )

    proposal_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="CASCADE")
    )
    action_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("actions.id", ondelete="CASCADE")
    )
    parent_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("comments.id", ondelete="CASCADE"), index=True
    )
    depth: Mapped[int] = mapped_column(SmallInteger)
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    body: Mapped[str] = mapped_column(Text)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
