from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from server.people.models import Person, PersonKind
from server.proposals.models import Proposal
from server.voting.models import (
    Ballot,
    BallotCast,
    BallotEntry,
    BallotItem,
    Priority,
    RoundSnapshot,
    RoundState,
    VotingRound,
)
from server.voting.tally import Mark


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


async def keyed_cast(
    session: AsyncSession, round_id: int, person_id: int, key: str
) -> KeyedCast | None:
    earlier = aliased(BallotCast)
    later = aliased(BallotCast)
    rewritten = (
        select(later.id)
        .where(
            later.round_id == earlier.round_id,
            later.person_id == earlier.person_id,
            later.id > earlier.id,
            or_(later.cast_by_id != earlier.cast_by_id, later.assisted != earlier.assisted),
        )
        .exists()
    )
    row = (
        await session.execute(
            select(earlier.cast_by_id, earlier.assisted, rewritten).where(
                earlier.round_id == round_id,
                earlier.person_id == person_id,
                earlier.idempotency_key == key,
            )
        )
    ).one_or_none()
    if row is None:
        return None
    return KeyedCast(row[0], row[1], row[2])


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


async def upsert_ballot(
    session: AsyncSession, round_id: int, person_id: int, assisted_by_id: int | None
) -> int:
    values = pg_insert(Ballot).values(
        round_id=round_id, person_id=person_id, assisted_by_id=assisted_by_id
    )
    statement = values.on_conflict_do_update(
        index_elements=["round_id", "person_id"],
        set_={"assisted_by_id": values.excluded.assisted_by_id, "updated_at": func.now()},
    ).returning(Ballot.id)
    ballot_id: int = (await session.execute(statement)).scalar_one()
    return ballot_id


async def replace_entries(
    session: AsyncSession, ballot_id: int, round_id: int, marks: Sequence[Mark]
) -> None:
    await session.execute(delete(BallotEntry).where(BallotEntry.ballot_id == ballot_id))
    await session.execute(
        insert(BallotEntry),
        [
            {
                "ballot_id": ballot_id,
                "round_id": round_id,
                "proposal_id": mark.proposal_id,
                "points": mark.points,
                "rank": mark.rank,
            }
            for mark in marks
        ],
    )


async def log_cast(
    session: AsyncSession,
    *,
    round_id: int,
    person_id: int,
    cast_by_id: int,
    assisted: bool,
    idempotency_key: str | None,
) -> None:
    await session.execute(
        insert(BallotCast).values(
            round_id=round_id,
            person_id=person_id,
            cast_by_id=cast_by_id,
            assisted=assisted,
            idempotency_key=idempotency_key,
        )
    )


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
    """Every entry of every ballot in the round as (ballot id, voter kind, mark)."""
    rows = await session.execute(
        select(
            BallotEntry.ballot_id,
            Person.kind,
            BallotEntry.proposal_id,
            BallotEntry.points,
            BallotEntry.rank,
        )
        .join(Ballot, Ballot.id == BallotEntry.ballot_id)
        .join(Person, Person.id == Ballot.person_id)
        .where(BallotEntry.round_id == round_id)
        .order_by(BallotEntry.ballot_id)
    )
    return [
        (ballot_id, kind, Mark(proposal_id, points, rank))
        for ballot_id, kind, proposal_id, points, rank in rows
    ]


async def turnouts(session: AsyncSession, round_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Ballot.round_id, func.count())
        .where(Ballot.round_id.in_(round_ids))
        .group_by(Ballot.round_id)
    )
    return dict(rows.all())


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


async def priorities_for(session: AsyncSession, round_ids: Sequence[int]) -> list[Priority]:
    return list(
        await session.scalars(
            select(Priority)
            .where(Priority.round_id.in_(round_ids))
            .order_by(Priority.round_id, Priority.rank)
        )
    )


async def priority(session: AsyncSession, round_id: int, proposal_id: int) -> Priority | None:
    return await session.get(Priority, (round_id, proposal_id))


async def move_ballot(session: AsyncSession, ballot_id: int, person_id: int) -> None:
    """Give a ballot to another person (merging two accounts of one person)."""
    await session.execute(update(Ballot).where(Ballot.id == ballot_id).values(person_id=person_id))
