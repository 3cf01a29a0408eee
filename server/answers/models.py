from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin

# The themes every new area starts with (unless copied from a template area): what
# people in Coventry's first conversations said keeps them well.
DEFAULT_THEMES = (
    "family and friends",
    "work and money",
    "housing",
    "pets",
    "groups and clubs",
    "services",
    "places to go",
    "health",
)


class Theme(IdMixin, CreatedAtMixin, Base):
    """A theme of an area's answers; facilitators keep the list."""

    __tablename__ = "themes"
    __table_args__ = (
        Index("themes_area_id_lower_name_key", "area_id", text("lower(name)"), unique=True),
        CheckConstraint("length(btrim(name)) > 0", name="name_not_blank"),
    )

    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(60))


class Answer(IdMixin, CreatedAtMixin, Base):
    """A few words in answer to a conversation's question, typed by the person or, from
    a paper card, by a facilitator (then with no author)."""

    __tablename__ = "answers"
    __table_args__ = (
        CheckConstraint("(hidden_at IS NULL) = (hidden_reason IS NULL)", name="hidden_has_reason"),
        CheckConstraint("NOT from_paper OR author_id IS NULL", name="paper_has_no_author"),
        Index("answers_conversation_id_id_idx", "conversation_id", "id"),
    )

    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    entered_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    from_paper: Mapped[bool] = mapped_column(Boolean, default=False)
    # The author agreed the words may be quoted, without a name, as an example.
    may_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    hidden_at: Mapped[datetime | None]
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    hidden_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )


class AnswerTheme(Base):
    """An answer tagged with one of its area's themes."""

    __tablename__ = "answer_themes"

    answer_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("answers.id", ondelete="CASCADE"), primary_key=True
    )
    theme_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("themes.id", ondelete="CASCADE"), primary_key=True, index=True
    )
