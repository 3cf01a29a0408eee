from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    FetchedValue,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin
from server.people.models import PersonKind
from server.types import enum_column


class VotingMethod(StrEnum):
    APPROVAL = "approval"
    DOTS = "dots"
    RANKED = "ranked"


class RankedTally(StrEnum):
    BORDA = "borda"
    SCHULZE = "schulze"


class RoundState(StrEnum):
    DRAFT = "draft"
    OPEN = "open"
    CLOSED = "closed"


class BallotSignIn(StrEnum):
    """What an online ballot needs: any sign-in (a join code too), or a verified one."""

    ANY = "any"
    VERIFIED = "verified"


class ResultVisibility(StrEnum):
    LIVE = "live"
    AFTER_OWN_BALLOT = "after_own_ballot"
    AFTER_CLOSE = "after_close"


MAX_DOTS_PER_PERSON = 1000


class VotingRound(IdMixin, CreatedAtMixin, Base):
    """A vote on a set of proposals. DRAFT -> OPEN -> CLOSED, never backwards."""

    __tablename__ = "voting_rounds"
    __table_args__ = (
        CheckConstraint(
            f"(method = 'dots') = (dots_per_person IS NOT NULL) "
            f"AND (dots_per_person IS NULL OR dots_per_person BETWEEN 1 AND {MAX_DOTS_PER_PERSON})",
            name="dots_budget",
        ),
        CheckConstraint(
            "max_dots_per_item IS NULL OR (method = 'dots' "
            "AND max_dots_per_item BETWEEN 1 AND dots_per_person)",
            name="item_cap",
        ),
        CheckConstraint("(state = 'draft') = (opened_at IS NULL)", name="opened_has_time"),
        CheckConstraint("(state = 'closed') = (closed_at IS NOT NULL)", name="closed_has_time"),
        # The auto-closer's scan: open rounds with a deadline.
        Index(
            "voting_rounds_due_idx",
            "closes_at",
            postgresql_where=text("state = 'open' AND closes_at IS NOT NULL"),
        ),
        Index("voting_rounds_area_id_id_idx", "area_id", "id"),
    )

    area_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("areas.id", ondelete="RESTRICT"))
    title: Mapped[str] = mapped_column(String(200))
    method: Mapped[VotingMethod] = mapped_column(enum_column(VotingMethod, "method"))
    ranked_tally: Mapped[RankedTally] = mapped_column(
        enum_column(RankedTally, "ranked_tally"),
        default=RankedTally.BORDA,
        server_default=RankedTally.BORDA.value,
    )
    state: Mapped[RoundState] = mapped_column(
        enum_column(RoundState, "state"), default=RoundState.DRAFT
    )
    dots_per_person: Mapped[int | None] = mapped_column(Integer)
    max_dots_per_item: Mapped[int | None] = mapped_column(Integer)
    result_visibility: Mapped[ResultVisibility] = mapped_column(
        enum_column(ResultVisibility, "result_visibility"),
        default=ResultVisibility.AFTER_CLOSE,
    )
    closes_at: Mapped[datetime | None]
    opened_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    # Ballots cast by facilitators for people in the room are never held to this.
    online_sign_in: Mapped[BallotSignIn] = mapped_column(
        enum_column(BallotSignIn, "online_sign_in"),
        default=BallotSignIn.ANY,
        server_default=BallotSignIn.ANY.value,
    )


class BallotItem(Base):
    """A proposal on a round's ballot."""

    __tablename__ = "ballot_items"

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(Integer)


class Ballot(IdMixin, CreatedAtMixin, Base):
    """One person's ballot in one round: never two (unique), replaced when re-cast."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("round_id", "person_id"),
        # Target of ballot_entries' composite key, so an entry's round is its ballot's round.
        UniqueConstraint("id", "round_id"),
    )

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT"), index=True
    )
    # Set when a facilitator recorded this ballot for the person (in-room or on paper).
    assisted_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now())
    # The voter's kind when they (last) cast this ballot, set by the database trigger
    # ``ballots_voter_kind`` (migration 0010): the role split counts this, so changing
    # one's kind after voting changes no published figure.
    voter_kind: Mapped[PersonKind] = mapped_column(
        enum_column(PersonKind, "voter_kind"), server_default=FetchedValue()
    )


class BallotEntry(Base):
    """Support for one proposal on a ballot: points (approval, dots) or a rank (ranked)."""

    __tablename__ = "ballot_entries"
    __table_args__ = (
        ForeignKeyConstraint(
            ["ballot_id", "round_id"], ["ballots.id", "ballots.round_id"], ondelete="CASCADE"
        ),
        ForeignKeyConstraint(
            ["round_id", "proposal_id"],
            ["ballot_items.round_id", "ballot_items.proposal_id"],
            ondelete="CASCADE",
        ),
        CheckConstraint("points >= 1", name="points_positive"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("num_nonnulls(points, rank) = 1", name="points_or_rank"),
        Index("ballot_entries_round_id_proposal_id_idx", "round_id", "proposal_id"),
    )

    ballot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    proposal_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    round_id: Mapped[int] = mapped_column(BigInteger)
    points: Mapped[int | None] = mapped_column(Integer)
    rank: Mapped[int | None] = mapped_column(Integer)


# Live counters, kept by triggers on ``ballots`` and ``ballot_entries`` (migration 0010)
# in the transaction that changes a ballot, whatever wrote it. Each ballot counts in
# one of COUNTER_SHARDS rows (ballot id modulo), so concurrent casts rarely wait on the
# same row; a read sums the shards. See README "How results are kept".
COUNTER_SHARDS = 16


class RoundTally(Base):
    """Per proposal, voter kind and shard: ballots supporting it, points, sum of ranks."""

    __tablename__ = "round_tallies"

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    voter_kind: Mapped[PersonKind] = mapped_column(
        enum_column(PersonKind, "voter_kind"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    supporters: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    points: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))
    rank_sum: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class RoundTurnout(Base):
    """Per voter kind and shard: ballots in the round."""

    __tablename__ = "round_turnouts"

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    voter_kind: Mapped[PersonKind] = mapped_column(
        enum_column(PersonKind, "voter_kind"), primary_key=True
    )
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    voters: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class RoundPair(Base):
    """RANKED rounds, per shard: ballots ranking both proposals, ``ahead`` before ``behind``.

    With R(a) the ballots ranking a, Schulze's d[a][b] (ranked beats unranked) is
    R(a) - pairs(b ahead of a). No voter kind: the split is never live, and the frozen
    split is recounted from the ballots.
    """

    __tablename__ = "round_pairs"

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    ahead_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    behind_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    shard: Mapped[int] = mapped_column(SmallInteger, primary_key=True)
    ballots: Mapped[int] = mapped_column(BigInteger, server_default=text("0"))


class BallotCast(IdMixin, CreatedAtMixin, Base):
    """Every accepted cast, with its idempotency key: a retried key changes nothing."""

    __tablename__ = "ballot_casts"
    __table_args__ = (
        Index(
            "ballot_casts_idempotency_key",
            "round_id",
            "person_id",
            "idempotency_key",
            unique=True,
            postgresql_where=text("idempotency_key IS NOT NULL"),
        ),
    )

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(BigInteger, ForeignKey("people.id", ondelete="RESTRICT"))
    cast_by_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="RESTRICT")
    )
    assisted: Mapped[bool] = mapped_column(Boolean)
    idempotency_key: Mapped[str | None] = mapped_column(String(200))


class RoundSnapshot(CreatedAtMixin, Base):
    """The frozen result of a closed round: canonical JSON text and its SHA-256."""

    __tablename__ = "round_snapshots"
    __table_args__ = (CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),)

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    canonical_json: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))


class Priority(Base):
    """A row of a closed round's ranked result."""

    __tablename__ = "priorities"
    __table_args__ = (
        UniqueConstraint("round_id", "rank"),
        CheckConstraint("rank >= 1", name="rank_positive"),
        CheckConstraint("supporters >= 0", name="supporters_non_negative"),
    )

    round_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("voting_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("proposals.id", ondelete="RESTRICT"), primary_key=True, index=True
    )
    rank: Mapped[int] = mapped_column(Integer)
    score: Mapped[float] = mapped_column(Float)
    supporters: Mapped[int] = mapped_column(Integer)
