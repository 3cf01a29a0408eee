from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, Index, String, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class NotificationKind(StrEnum):
    ROUND_OPENED = "round_opened"
    RESULTS_PUBLISHED = "results_published"
    PROPOSAL_ADOPTED = "proposal_adopted"
    PROPOSAL_DECLINED = "proposal_declined"
    PROPOSAL_MERGED = "proposal_merged"
    CONTENT_HIDDEN = "content_hidden"
    ACTION_UPDATED = "action_updated"
    ACTION_CLOSED = "action_closed"
    HELP_ANSWERED = "help_answered"
    COMMENT_REPLY = "comment_reply"
    REPORT_WAITING = "report_waiting"
    ACTION_NEEDS_LEAD = "action_needs_lead"


class EmailDelivery(StrEnum):
    IMMEDIATE = "immediate"
    DAILY = "daily"
    WEEKLY = "weekly"
    OFF = "off"


# Digests, not floods: what is about you and rare comes at once; what happens around
# you (votes, news of actions, the moderation queue) comes in a digest.
DEFAULT_EMAIL: dict[NotificationKind, EmailDelivery] = {
    NotificationKind.ROUND_OPENED: EmailDelivery.DAILY,
    NotificationKind.RESULTS_PUBLISHED: EmailDelivery.DAILY,
    NotificationKind.PROPOSAL_ADOPTED: EmailDelivery.IMMEDIATE,
    NotificationKind.PROPOSAL_DECLINED: EmailDelivery.IMMEDIATE,
    NotificationKind.PROPOSAL_MERGED: EmailDelivery.IMMEDIATE,
    NotificationKind.CONTENT_HIDDEN: EmailDelivery.IMMEDIATE,
    NotificationKind.ACTION_UPDATED: EmailDelivery.WEEKLY,
    NotificationKind.ACTION_CLOSED: EmailDelivery.DAILY,
    NotificationKind.HELP_ANSWERED: EmailDelivery.IMMEDIATE,
    NotificationKind.COMMENT_REPLY: EmailDelivery.DAILY,
    NotificationKind.REPORT_WAITING: EmailDelivery.DAILY,
    NotificationKind.ACTION_NEEDS_LEAD: EmailDelivery.DAILY,
}


class Notification(IdMixin, CreatedAtMixin, Base):
    """One thing one person hears about: in their list always, by email as they chose."""

    __tablename__ = "notifications"
    __table_args__ = (
        CheckConstraint("email_route IS NULL OR email_route <> 'off'", name="route_sends"),
        CheckConstraint("emailed_at IS NULL OR email_route IS NOT NULL", name="emailed_has_route"),
        # Opening a notification redirects here: a path on this site, never elsewhere.
        CheckConstraint("link LIKE '/%' AND link NOT LIKE '//%'", name="link_is_local"),
        Index("notifications_person_id_id_idx", "person_id", "id"),
        Index("notifications_unread_idx", "person_id", postgresql_where=text("read_at IS NULL")),
        # The digests' scan: what still waits to be emailed, per route.
        Index(
            "notifications_unsent_idx",
            "email_route",
            "person_id",
            postgresql_where=text("emailed_at IS NULL AND email_route IS NOT NULL"),
        ),
    )

    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id", ondelete="CASCADE"))
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "kind"))
    # What it is about: a Proposal, VotingRound, Action, Update, Comment or Report.
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int] = mapped_column(BigInteger)
    # Who did it, when that is part of the news ("Sam replied"): named by display name
    # when shown, so a later change of name or an erasure shows through.
    actor_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    # The page it is about: a path on this site.
    link: Mapped[str] = mapped_column(String(300))
    # The public words of the moment: titles, the facilitator's reason, the statement.
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, server_default=text("'{}'::jsonb"))
    read_at: Mapped[datetime | None]
    # How it goes by email, decided when it is made (None: it does not, e.g. no address
    # or email off), and when it went.
    email_route: Mapped[EmailDelivery | None] = mapped_column(
        enum_column(EmailDelivery, "email_route")
    )
    emailed_at: Mapped[datetime | None]


class NotificationPreference(Base):
    """A person's choice for one kind; without a row, :data:`DEFAULT_EMAIL` holds."""

    __tablename__ = "notification_preferences"

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        enum_column(NotificationKind, "kind"), primary_key=True
    )
    email: Mapped[EmailDelivery] = mapped_column(enum_column(EmailDelivery, "email"))
