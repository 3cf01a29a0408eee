from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class PersonKind(StrEnum):
    RESIDENT = "resident"
    PROFESSIONAL = "professional"


class Role(StrEnum):
    PARTICIPANT = "participant"
    FACILITATOR = "facilitator"
    BOARD = "board"
    ADMIN = "admin"


class Person(IdMixin, CreatedAtMixin, Base):
    """Someone taking part. ``kind`` and ``affiliation`` are private ("lanyards off")."""

    __tablename__ = "people"
    __table_args__ = (
        Index("people_email_lower_key", text("lower(email)"), unique=True),
        CheckConstraint("length(btrim(display_name)) > 0", name="display_name_not_blank"),
        CheckConstraint("language IN ('en', 'pl')", name="language_known"),
    )

    display_name: Mapped[str] = mapped_column(String(80))
    email: Mapped[str | None] = mapped_column(String(254))
    kind: Mapped[PersonKind] = mapped_column(
        enum_column(PersonKind, "kind"), default=PersonKind.RESIDENT
    )
    affiliation: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Set when an identity provider vouched for the email; until then it is only claimed.
    email_verified_at: Mapped[datetime | None]
    # What tells this person apart from a namesake in the room ("blue coat, with Sam"):
    # written by facilitators, shown to facilitators only.
    facilitator_note: Mapped[str | None] = mapped_column(String(120))
    # The language for messages sent to them (email, notifications): their latest choice
    # on the site; None until they made one (English then).
    language: Mapped[str | None] = mapped_column(String(8))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    # Set when the person was erased: the row stays as a nameless tombstone so their
    # ballots still count, anonymously.
    erased_at: Mapped[datetime | None]


class AreaRole(IdMixin, Base):
    """A role held in an area; it holds in every area beneath it too."""

    __tablename__ = "area_roles"
    __table_args__ = (UniqueConstraint("person_id", "area_id", "role"),)

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    area_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("areas.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    granted_at: Mapped[datetime] = mapped_column(server_default=func.now())
    granted_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
