from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.types import enum_column


class ActionStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    BLOCKED = "blocked"
    DONE = "done"
    DROPPED = "dropped"


class Rag(StrEnum):
    RED = "red"
    AMBER = "amber"
    GREEN = "green"


class UpdateKind(StrEnum):
    PROGRESS = "progress"
    BLOCKER = "blocker"
    LEARNING = "learning"
    ASK_FOR_HELP = "ask_for_help"


class Action(IdMixin, CreatedAtMixin, Base):
    """What a priority became: owned by a core team, moved along by updates."""

    __tablename__ = "actions"
    __table_args__ = (
        # One action per priority.
        UniqueConstraint("round_id", "proposal_id"),
        CheckConstraint("percent_complete BETWEEN 0 AND 100", name="percent_range"),
        CheckConstraint(
            "status NOT IN ('done', 'dropped') OR closing_statement IS NOT NULL",
            name="closed_has_statement",
        ),
        Index("actions_area_id_id_idx", "area_id", "id"),
    )

    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ActionStatus] = mapped_column(
        enum_column(ActionStatus, "status"), default=ActionStatus.NOT_STARTED
    )
    rag: Mapped[Rag] = mapped_column(enum_column(Rag, "rag"), default=Rag.GREEN)
    percent_complete: Mapped[int] = mapped_column(SmallInteger, default=0)
    target_date: Mapped[datetime | None]
    team_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("core_teams.id", ondelete="SET NULL"), index=True
    )
    lead_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    # Provenance: the priority (round + rank), its proposal and where that came from.
    round_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="RESTRICT")
    )
    proposal_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="RESTRICT"), index=True
    )
    priority_rank: Mapped[int | None] = mapped_column(Integer)
    conversation_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="SET NULL")
    )
    story_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("stories.id", ondelete="SET NULL")
    )
    # The public "you said, we did" line, required once DONE or DROPPED.
    closing_statement: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    last_update_at: Mapped[datetime | None]


class Milestone(IdMixin, CreatedAtMixin, Base):
    __tablename__ = "milestones"

    action_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("actions.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    due_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]


class Update(IdMixin, CreatedAtMixin, Base):
    """Working out loud: progress, a blocker, a learning or an ask for help."""

    __tablename__ = "updates"
    __table_args__ = (
        CheckConstraint(
            "percent_after IS NULL OR percent_after BETWEEN 0 AND 100", name="percent_range"
        ),
        CheckConstraint(
            "resolved_at IS NULL OR kind IN ('blocker', 'ask_for_help')",
            name="only_blockers_and_asks_resolve",
        ),
        CheckConstraint("(resolved_at IS NULL) = (resolution IS NULL)", name="resolved_says_how"),
        Index("updates_action_id_id_idx", "action_id", "id"),
    )

    action_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("actions.id", ondelete="CASCADE"))
    kind: Mapped[UpdateKind] = mapped_column(enum_column(UpdateKind, "kind"))
    body: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    # What the update changed, so the history reads "moved to BLOCKED, 40% -> 45%".
    status_after: Mapped[ActionStatus | None] = mapped_column(
        enum_column(ActionStatus, "status_after")
    )
    rag_after: Mapped[Rag | None] = mapped_column(enum_column(Rag, "rag_after"))
    percent_after: Mapped[int | None] = mapped_column(SmallInteger)
    # A BLOCKER or ASK_FOR_HELP stays open until resolved (an ask is answered), and
    # says how: "the library gave us a room on Thursdays".
    resolved_at: Mapped[datetime | None]
    resolved_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    resolution: Mapped[str | None] = mapped_column(Text)


class ActionOwnership(IdMixin, Base):
    """Who owned an action from when: one row per change of core team or lead, so
    "who owned this action on date X" is the latest row at or before X."""

    __tablename__ = "action_ownerships"
    __table_args__ = (Index("action_ownerships_action_id_since_idx", "action_id", "since", "id"),)

    action_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("actions.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("core_teams.id", ondelete="SET NULL")
    )
    lead_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    since: Mapped[datetime] = mapped_column(server_default=func.now())
    changed_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    reason: Mapped[str | None] = mapped_column(Text)
