from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class ConversationStatus(StrEnum):
    PLANNED = "planned"
    OPEN = "open"
    CLOSED = "closed"


class ConsentScope(StrEnum):
    FACILITATORS = "facilitators"
    PARTICIPANTS = "participants"
    PUBLIC = "public"


class Conversation(IdMixin, CreatedAtMixin, Base):
    """A Big Conversation (in a room) or an online discussion, in one area."""

    __tablename__ = "conversations"
    __table_args__ = (
        # A join code is only live while the conversation is not closed.
        Index(
            "conversations_live_join_code_key",
            "join_code",
            unique=True,
            postgresql_where=text("status <> 'closed'"),
        ),
        Index("conversations_area_id_id_idx", "area_id", "id"),
        CheckConstraint("status <> 'closed' OR closed_at IS NOT NULL", name="closed_has_time"),
        CheckConstraint("join_limit BETWEEN 1 AND 10000", name="join_limit_range"),
        CheckConstraint("headcount BETWEEN 0 AND 100000", name="headcount_range"),
    )

    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    prompt: Mapped[str] = mapped_column(String(500))
    starts_at: Mapped[datetime | None]
    location: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ConversationStatus] = mapped_column(
        enum_column(ConversationStatus, "status"), default=ConversationStatus.PLANNED
    )
    join_code: Mapped[str] = mapped_column(String(12))
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    closed_at: Mapped[datetime | None]
    # How many new people the join code may make (the room's headcount); None: no cap.
    join_limit: Mapped[int | None]
    # How many people were in the room, counted by a facilitator (null until entered).
    headcount: Mapped[int | None] = mapped_column(Integer)
    closing_summary: Mapped[str | None] = mapped_column(Text)


class ConversationFacilitator(Base):
    """Someone who ran the conversation (shown by display name only)."""

    __tablename__ = "conversation_facilitators"

    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class Story(IdMixin, CreatedAtMixin, Base):
    """A lived-experience account told at a conversation, shown only within its consent."""

    __tablename__ = "stories"
    __table_args__ = (
        # Withdrawing consent erases the words; the story's place in the record remains.
        CheckConstraint(
            "(withdrawn_at IS NULL) = (body IS NOT NULL)", name="withdrawn_erases_body"
        ),
    )

    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE"), index=True
    )
    teller_pseudonym: Mapped[str] = mapped_column(String(80))
    body: Mapped[str | None] = mapped_column(Text)
    consent_scope: Mapped[ConsentScope] = mapped_column(enum_column(ConsentScope, "consent_scope"))
    consent_given_at: Mapped[datetime]
    withdrawn_at: Mapped[datetime | None]
    recorded_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    # The teller, when they have an account here: their story is theirs to take out or
    # erase with the rest of their data.
    teller_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
