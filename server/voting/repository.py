from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, select, text, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession

from server.people.models import PersonKind
from server.proposals.models import Proposal
from server.voting.models import (
    Ballot,
    BallotCast,
    BallotEntry,
    BallotItem,
    BallotSignIn,
    Priority,
    RoundPair,
    RoundSnapshot,
    RoundState,
    RoundTally,
    RoundTurnout,
    VotingMethod,
    VotingRound,
)
from server.voting.tally import Counts, Mark


async def by_id(session: AsyncSession, round_id: int) -> VotingRound | None:
    return await session.get(VotingRound, round_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[VotingRound]:
    return list(await session.scalars(select(VotingRound).where(VotingRound.id.in_(ids))))


async def locked(session: AsyncSession, round_id: int, *, share: bool) -> VotingRound | None:
    """The round, read after taking its gate: shared by casts and withdrawals, exclusive
    (then the row FOR UPDATE) by state changes.

    The gate is a transaction-scoped advisory lock, not only a row lock, because
    PostgreSQL queues lock requests there: once a close waits, later casts wait behind
    it, so a steady stream of casts cannot starve a close (as FOR SHARE row locks
    could). A close waits for the casts in flight; casts after it see CLOSED. Every
    writer takes the gate before any row lock on the round, so the two never deadlock.
    """
    gate = func.hashtextextended(f"round:{round_id}", 0)
    if share:
        await session.execute(select(func.pg_advisory_xact_lock_shared(gate)))
    else:
        await session.execute(select(func.pg_advisory_xact_lock(gate)))
    statement = select(VotingRound).where(VotingRound.id == round_id)
    if not share:
        statement = statement.with_for_update()
    return (await session.execute(statement.execution_options(populate_existing=True))).scalar()


async def for_areas(
    session: AsyncSession, area_ids: Sequence[int], state: RoundState | None
) -> list[VotingRound]:
    statement = select(VotingRound).where(VotingRound.area_id.in_(area_ids))
    if state is not None:
        statement = statement.where(VotingRound.state == state)
    return list(
        await session.scalars(statement.order_by(VotingRound.area_id, VotingRound.id.desc()))
    )


async def add_round(
    session: AsyncSession, voting_round: VotingRound, proposal_ids: Sequence[int]
) -> None:
    session.add(voting_round)
    await session.flush()
    await session.execute(
        insert(BallotItem),
        [
            {"round_id": voting_round.id, "proposal_id": proposal_id, "position": position}
            for position, proposal_id in enumerate(proposal_ids)
        ],
    )


async def candidates(session: AsyncSession, round_id: int) -> list[int]:
    """Proposal ids on the ballot, in creation order (the final tie-break)."""
    rows = await session.scalars(
        select(BallotItem.proposal_id)
        .join(Proposal, Proposal.id == BallotItem.proposal_id)
        .where(BallotItem.round_id == round_id)
        .order_by(Proposal.created_at, Proposal.id)
    )
    return list(rows)


async def ballot_proposals(
    session: AsyncSession, round_ids: Sequence[int]
) -> list[tuple[int, Proposal]]:
    rows = await session.execute(
        select(BallotItem.round_id, Proposal)
        .join(Proposal, Proposal.id == BallotItem.proposal_id)
        .where(BallotItem.round_id.in_(round_ids))
        .order_by(BallotItem.round_id, BallotItem.position)
    )
    return list(rows.all())


async def lock_voter(session: AsyncSession, round_id: int, person_id: int) -> None:
    """Serialise casts for one person in one round (held until the transaction ends)."""
    await session.execute(
        select(
            func.pg_advisory_xact_lock(func.hashtextextended(f"ballot:{round_id}:{person_id}", 0))
        )
    )


async def ballot_of(session: AsyncSession, round_id: int, person_id: int) -> Ballot | None:
    return await session.scalar(
        select(Ballot).where(Ballot.round_id == round_id, Ballot.person_id == person_id)
    )


async def ballots_of(
    session: AsyncSession, round_ids: Sequence[int], person_id: int
) -> list[Ballot]:
    return list(
        await session.scalars(
            select(Ballot).where(Ballot.round_id.in_(round_ids), Ballot.person_id == person_id)
        )
    )


@dataclass(frozen=True, slots=True)
class KeyedCast:
    """An earlier cast for a voter under an idempotency key: who cast it, how, and
    whether a cast by anybody else (or the same person the other way, in person or
    assisted) has written the voter's ballot since."""

    cast_by_id: int
    assisted: bool
    rewritten_since: bool


async def assisted_voter_by_key(
    session: AsyncSession, round_id: int, cast_by_id: int, key: str
) -> int | None:
    """Whom a facilitator's assisted cast with this idempotency key was for, if any."""
    found: int | None = await session.scalar(
        select(BallotCast.person_id).where(
            BallotCast.round_id == round_id,
            BallotCast.cast_by_id == cast_by_id,
            BallotCast.assisted.is_(True),
            BallotCast.idempotency_key == key,
        )
    )
    return found


async def delete_ballot(session: AsyncSession, round_id: int, person_id: int) -> bool:
    result = await session.execute(
        delete(Ballot)
        .where(Ballot.round_id == round_id, Ballot.person_id == person_id)
        .returning(Ballot.id)
    )
    return result.scalar_one_or_none() is not None


async def entries_of(session: AsyncSession, ballot_ids: Sequence[int]) -> list[BallotEntry]:
    return list(
        await session.scalars(
            select(BallotEntry)
            .where(BallotEntry.ballot_id.in_(ballot_ids))
            .order_by(BallotEntry.ballot_id, BallotEntry.rank.nulls_last(), BallotEntry.proposal_id)
        )
    )


async def marks_by_voter(
    session: AsyncSession, round_id: int
) -> list[tuple[int, PersonKind, Mark]]:
    """Every entry of every ballot in the round as (ballot id, the voter's kind when they
    cast it, mark): the full recount."""
    rows = await session.execute(
        select(
            BallotEntry.ballot_id,
            Ballot.voter_kind,
            BallotEntry.proposal_id,
            BallotEntry.points,
            BallotEntry.rank,
        )
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .where(BallotEntry.round_id == round_id)
        .order_by(BallotEntry.ballot_id)
    )
    return [
        (ballot_id, kind, Mark(proposal_id, points, rank))
        for ballot_id, kind, proposal_id, points, rank in rows
    ]


async def ballot_kinds(session: AsyncSession, round_id: int) -> dict[PersonKind, int]:
    """Ballots per voter kind, counted from the ballots (a ballot may have no entries)."""
    rows = await session.execute(
        select(Ballot.voter_kind, func.count())
        .where(Ballot.round_id == round_id)
        .group_by(Ballot.voter_kind)
    )
    return dict(rows.all())


async def counters(session: AsyncSession, round_id: int, *, pairs: bool) -> Counts:
    """The round's live counters, summed over shards and voter kinds: a cost set by the
    number of proposals, whatever the number of ballots."""
    turnout = await session.scalar(
        select(func.coalesce(func.sum(RoundTurnout.voters), 0)).where(
            RoundTurnout.round_id == round_id
        )
    )
    supporters: dict[int, int] = {}
    points: dict[int, int] = {}
    rank_sum: dict[int, int] = {}
    rows = await session.execute(
        select(
            RoundTally.proposal_id,
            func.sum(RoundTally.supporters),
            func.sum(RoundTally.points),
            func.sum(RoundTally.rank_sum),
        )
        .where(RoundTally.round_id == round_id)
        .group_by(RoundTally.proposal_id)
    )
    for proposal_id, n, total, ranks in rows:
        supporters[proposal_id] = int(n)
        points[proposal_id] = int(total)
        rank_sum[proposal_id] = int(ranks)
    found: dict[tuple[int, int], int] = {}
    if pairs:
        pair_rows = await session.execute(
            select(RoundPair.ahead_id, RoundPair.behind_id, func.sum(RoundPair.ballots))
            .where(RoundPair.round_id == round_id)
            .group_by(RoundPair.ahead_id, RoundPair.behind_id)
        )
        found = {(ahead, behind): int(n) for ahead, behind, n in pair_rows}
    return Counts(int(turnout or 0), supporters, points, rank_sum, found)


async def turnouts(session: AsyncSession, round_ids: Sequence[int]) -> dict[int, int]:
    """Ballots per round, from the live counters (not a count over the ballots)."""
    rows = await session.execute(
        select(RoundTurnout.round_id, func.sum(RoundTurnout.voters))
        .where(RoundTurnout.round_id.in_(round_ids))
        .group_by(RoundTurnout.round_id)
    )
    return {round_id: int(n) for round_id, n in rows}


async def due_for_closing(session: AsyncSession, now: datetime, limit: int) -> list[int]:
    """Open rounds past their deadline, most overdue first (not locked: the closer takes
    each round's gate and checks again)."""
    rows = await session.scalars(
        select(VotingRound.id)
        .where(VotingRound.state == RoundState.OPEN, VotingRound.closes_at <= now)
        .order_by(VotingRound.closes_at, VotingRound.id)
        .limit(limit)
    )
    return list(rows)


async def add_snapshot(
    session: AsyncSession,
    round_id: int,
    canonical_json: str,
    sha256: str,
    priorities: Sequence[Priority],
) -> None:
    session.add(RoundSnapshot(round_id=round_id, canonical_json=canonical_json, sha256=sha256))
    session.add_all(priorities)
    await session.flush()


async def snapshots(session: AsyncSession, round_ids: Sequence[int]) -> list[RoundSnapshot]:
    return list(
        await session.scalars(select(RoundSnapshot).where(RoundSnapshot.round_id.in_(round_ids)))
    )


async def latest_closed_per_area(
    session: AsyncSession, area_ids: Sequence[int]
) -> list[VotingRound]:
    statement = (
        select(VotingRound)
        .where(VotingRound.area_id.in_(area_ids), VotingRound.state == RoundState.CLOSED)
        .ext(distinct_on(VotingRound.area_id))
        .order_by(VotingRound.area_id, VotingRound.closed_at.desc(), VotingRound.id.desc())
    )
    return list(await session.scalars(statement))


@dataclass(frozen=True, slots=True)
class PriorityRow:
    """A priority as read (frozen rows, so plain values rather than tracked objects:
    a city's priorities are hundreds of rows per request)."""

    round_id: int
    proposal_id: int
    rank: int
    score: float
    supporters: int


async def priorities_for(session: AsyncSession, round_ids: Sequence[int]) -> list[PriorityRow]:
    rows = await session.execute(
        select(
            Priority.round_id,
            Priority.proposal_id,
            Priority.rank,
            Priority.score,
            Priority.supporters,
        )
        .where(Priority.round_id.in_(round_ids))
        .order_by(Priority.round_id, Priority.rank)
    )
    return [PriorityRow(*row) for row in rows]


async def priority(session: AsyncSession, round_id: int, proposal_id: int) -> Priority | None:
    return await session.get(Priority, (round_id, proposal_id))


async def move_ballot(session: AsyncSession, ballot_id: int, person_id: int) -> None:
    """Give a ballot to another person (merging two accounts of one person)."""
    await session.execute(update(Ballot).where(Ballot.id == ballot_id).values(person_id=person_id))


@dataclass(frozen=True, slots=True)
class CastSituation:
    """Everything a cast checks, read in one statement once its locks are held."""

    round_id: int
    area_id: int
    # The round's area and every area above it (roles are inherited downwards).
    area_path: tuple[int, ...]
    state: RoundState
    closes_at: datetime | None
    method: VotingMethod
    dots_per_person: int | None
    max_dots_per_item: int | None
    online_sign_in: BallotSignIn
    candidates: tuple[int, ...]
    ballot_id: int | None
    assisted_by_id: int | None
    voter_verified: bool
    keyed: KeyedCast | None


_LOCK_FOR_CAST = text(
    "SELECT pg_advisory_xact_lock_shared(hashtextextended(:gate, 0)),"
    " pg_advisory_xact_lock(hashtextextended(:voter, 0))"
)

# Read after the locks, in a statement of its own: a READ COMMITTED statement sees what
# was committed when it started, so a close that committed while this cast waited at
# the gate is seen here.
_CAST_SITUATION = text(
    """
SELECT r.id, r.area_id, r.state, r.closes_at, r.method, r.dots_per_person,
       r.max_dots_per_item, r.online_sign_in,
       ARRAY(
           WITH RECURSIVE up(id, parent_id) AS (
               SELECT a.id, a.parent_id FROM areas a WHERE a.id = r.area_id
               UNION ALL
               SELECT a.id, a.parent_id FROM areas a JOIN up ON a.id = up.parent_id
           )
           SELECT id FROM up
       ) AS area_path,
       ARRAY(
           SELECT i.proposal_id FROM ballot_items i JOIN proposals p ON p.id = i.proposal_id
           WHERE i.round_id = r.id ORDER BY p.created_at, p.id
       ) AS candidates,
       b.id AS ballot_id, b.assisted_by_id,
       (
           EXISTS (SELECT 1 FROM people v WHERE v.id = :voter_id
                   AND v.email_verified_at IS NOT NULL)
           OR EXISTS (SELECT 1 FROM external_identities x WHERE x.person_id = :voter_id)
       ) AS voter_verified,
       k.cast_by_id AS keyed_by_id, k.assisted AS keyed_assisted,
       EXISTS (
           SELECT 1 FROM ballot_casts later
           WHERE later.round_id = k.round_id AND later.person_id = k.person_id
             AND later.id > k.id
             AND (later.cast_by_id <> k.cast_by_id OR later.assisted <> k.assisted)
       ) AS keyed_rewritten
FROM voting_rounds r
LEFT JOIN ballots b ON b.round_id = r.id AND b.person_id = :voter_id
LEFT JOIN ballot_casts k ON k.round_id = r.id AND k.person_id = :voter_id
     AND k.idempotency_key = :key
WHERE r.id = :round_id
"""
)


async def cast_situation(
    session: AsyncSession, round_id: int, voter_id: int, key: str | None
) -> CastSituation | None:
    """Take the round's gate (shared) and the voter's lock, then read what a cast of
    this voter's ballot checks: two round trips, whatever the ballot."""
    await session.execute(
        _LOCK_FOR_CAST, {"gate": f"round:{round_id}", "voter": f"ballot:{round_id}:{voter_id}"}
    )
    row = (
        await session.execute(
            _CAST_SITUATION, {"round_id": round_id, "voter_id": voter_id, "key": key}
        )
    ).one_or_none()
    if row is None:
        return None
    return CastSituation(
        round_id=row.id,
        area_id=row.area_id,
        area_path=tuple(row.area_path),
        state=RoundState(row.state),
        closes_at=row.closes_at,
        method=VotingMethod(row.method),
        dots_per_person=row.dots_per_person,
        max_dots_per_item=row.max_dots_per_item,
        online_sign_in=BallotSignIn(row.online_sign_in),
        candidates=tuple(row.candidates),
        ballot_id=row.ballot_id,
        assisted_by_id=row.assisted_by_id,
        voter_verified=row.voter_verified,
        keyed=(
            KeyedCast(row.keyed_by_id, row.keyed_assisted, row.keyed_rewritten)
            if row.keyed_by_id is not None
            else None
        ),
    )


# One statement for every write of a cast: the ballot upserted, its entries no longer on
# it deleted, changed ones updated and new ones inserted (disjoint rows, told apart by
# the statement's snapshot, so the parts cannot meet), the cast logged, and the tally's
# listeners told (delivered at commit). Entries are not upserted with ON CONFLICT: that
# fires the counting trigger for an insert and then for the update of the same row.
_WRITE_CAST = text(
    """
WITH ballot AS (
    INSERT INTO ballots (round_id, person_id, assisted_by_id)
    VALUES (:round_id, :voter_id, :assisted_by_id)
    ON CONFLICT (round_id, person_id)
    DO UPDATE SET assisted_by_id = EXCLUDED.assisted_by_id, updated_at = now()
    RETURNING id, round_id, person_id, assisted_by_id, updated_at, created_at
), marks AS (
    SELECT * FROM unnest(
        CAST(:proposals AS bigint[]), CAST(:points AS integer[]), CAST(:ranks AS integer[])
    ) AS m(proposal_id, points, rank)
), dropped AS (
    DELETE FROM ballot_entries e USING ballot
    WHERE e.ballot_id = ballot.id AND e.proposal_id <> ALL(CAST(:proposals AS bigint[]))
), changed AS (
    UPDATE ballot_entries e SET points = m.points, rank = m.rank
    FROM ballot, marks m
    WHERE e.ballot_id = ballot.id AND e.proposal_id = m.proposal_id
      AND (e.points, e.rank) IS DISTINCT FROM (m.points, m.rank)
), added AS (
    INSERT INTO ballot_entries (ballot_id, round_id, proposal_id, points, rank)
    SELECT ballot.id, ballot.round_id, m.proposal_id, m.points, m.rank
    FROM ballot, marks m
    WHERE NOT EXISTS (
        SELECT 1 FROM ballot_entries e
        WHERE e.ballot_id = ballot.id AND e.proposal_id = m.proposal_id
    )
    ORDER BY m.proposal_id
), logged AS (
    INSERT INTO ballot_casts (round_id, person_id, cast_by_id, assisted, idempotency_key)
    VALUES (:round_id, :voter_id, :cast_by_id, :assisted, :key)
)
SELECT ballot.id, ballot.round_id, ballot.person_id, ballot.assisted_by_id,
       ballot.updated_at, ballot.created_at, pg_notify(:channel, :payload)
FROM ballot
"""
)


async def write_cast(
    session: AsyncSession,
    *,
    round_id: int,
    voter_id: int,
    cast_by_id: int,
    assisted: bool,
    key: str | None,
    marks: Sequence[Mark],
    channel: str,
) -> tuple[Ballot, list[BallotEntry]]:
    """Write a cast in one round trip; the ballot and its entries as written (detached
    objects, not read back)."""
    row = (
        await session.execute(
            _WRITE_CAST,
            {
                "round_id": round_id,
                "voter_id": voter_id,
                "assisted_by_id": cast_by_id if assisted else None,
                "cast_by_id": cast_by_id,
                "assisted": assisted,
                "key": key,
                "proposals": [m.proposal_id for m in marks],
                "points": [m.points for m in marks],
                "ranks": [m.rank for m in marks],
                "channel": channel,
                "payload": str(round_id),
            },
        )
    ).one()
    ballot = Ballot(
        id=row.id,
        round_id=row.round_id,
        person_id=row.person_id,
        assisted_by_id=row.assisted_by_id,
        updated_at=row.updated_at,
        created_at=row.created_at,
    )
    entries = [
        BallotEntry(
            ballot_id=row.id,
            round_id=round_id,
            proposal_id=m.proposal_id,
            points=m.points,
            rank=m.rank,
        )
        for m in sorted(marks, key=lambda m: (m.rank is None, m.rank or 0, m.proposal_id))
    ]
    return ballot, entries
