from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.comments.models import Comment
from server.moderation.models import Report, ReportState, SubjectKind
from server.voting.models import BallotItem, RoundState, VotingRound


async def add_report(session: AsyncSession, report: Report) -> tuple[Report, bool]:
    """(the new report, True), or (the reporter's open one on that subject, False)."""
    values = pg_insert(Report).values(
        subject_kind=report.subject_kind,
        subject_id=report.subject_id,
        area_id=report.area_id,
        reporter_id=report.reporter_id,
        reason=report.reason,
        state=report.state,
        resolved_at=report.resolved_at,
        resolved_by_id=report.resolved_by_id,
    )
    inserted = await session.scalar(
        values.on_conflict_do_nothing(
            index_elements=["subject_kind", "subject_id", "reporter_id"],
            index_where=text("state = 'open'"),
        ).returning(Report.id)
    )
    if inserted is None:
        existing = await session.scalar(
            select(Report).where(
                Report.subject_kind == report.subject_kind,
                Report.subject_id == report.subject_id,
                Report.reporter_id == report.reporter_id,
                Report.state == ReportState.OPEN,
            )
        )
        assert existing is not None
        return existing, False
    found = await session.get(Report, inserted)
    assert found is not None
    return found, True


async def by_id(session: AsyncSession, report_id: int) -> Report | None:
    return await session.get(Report, report_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Report]:
    return list(await session.scalars(select(Report).where(Report.id.in_(ids))))


async def for_areas(
    session: AsyncSession, area_ids: Sequence[int], *, open_only: bool, limit: int = 200
) -> list[Report]:
    statement = select(Report).where(Report.area_id.in_(area_ids))
    if open_only:
        statement = statement.where(Report.state == ReportState.OPEN)
    return list(await session.scalars(statement.order_by(Report.id.desc()).limit(limit)))


async def resolve_open(
    session: AsyncSession,
    kind: SubjectKind,
    subject_id: int,
    state: ReportState,
    by_id: int,
    at: datetime,
) -> list[int]:
    rows = await session.scalars(
        update(Report)
        .where(
            Report.subject_kind == kind,
            Report.subject_id == subject_id,
            Report.state == ReportState.OPEN,
        )
        .values(state=state, resolved_by_id=by_id, resolved_at=at)
        .returning(Report.id)
    )
    return list(rows)


# Merging duplicate proposals.


async def move_comments(session: AsyncSession, source_id: int, target_id: int) -> int:
    result = await session.execute(
        update(Comment).where(Comment.proposal_id == source_id).values(proposal_id=target_id)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def rounds_not_closed_with(session: AsyncSession, proposal_id: int) -> list[int]:
    rows = await session.scalars(
        select(BallotItem.round_id)
        .join(VotingRound, VotingRound.id == BallotItem.round_id)
        .where(BallotItem.proposal_id == proposal_id, VotingRound.state != RoundState.CLOSED)
        .order_by(BallotItem.round_id)
    )
    return list(rows)


_MERGE_BALLOTS = (
    # The target takes the source's place on the ballot, if it was not there already.
    """
    INSERT INTO ballot_items (round_id, proposal_id, position)
    SELECT round_id, :target, position FROM ballot_items
     WHERE round_id = :round AND proposal_id = :source
    ON CONFLICT DO NOTHING
    """,
    # A ballot naming both keeps one entry with the larger mark: more points, or the
    # better (smaller) rank.
    """
    UPDATE ballot_entries t
       SET points = GREATEST(t.points, s.points), rank = LEAST(t.rank, s.rank)
      FROM ballot_entries s
     WHERE t.round_id = :round AND t.proposal_id = :target
       AND s.ballot_id = t.ballot_id AND s.proposal_id = :source
       AND (t.points, t.rank) IS DISTINCT FROM
           (GREATEST(t.points, s.points), LEAST(t.rank, s.rank))
    """,
    """
    DELETE FROM ballot_entries s
     USING ballot_entries t
     WHERE s.round_id = :round AND s.proposal_id = :source
       AND t.ballot_id = s.ballot_id AND t.proposal_id = :target
    """,
    # A ballot naming only the source now names the target.
    """
    UPDATE ballot_entries SET proposal_id = :target
     WHERE round_id = :round AND proposal_id = :source
    """,
    "DELETE FROM ballot_items WHERE round_id = :round AND proposal_id = :source",
    # Ranks close up so no ballot has a gap (1, 3 -> 1, 2).
    """
    UPDATE ballot_entries e SET rank = n.new_rank
      FROM (SELECT ballot_id, proposal_id,
                   row_number() OVER (PARTITION BY ballot_id ORDER BY rank) AS new_rank
              FROM ballot_entries WHERE round_id = :round AND rank IS NOT NULL) n
     WHERE e.ballot_id = n.ballot_id AND e.proposal_id = n.proposal_id
       AND e.rank <> n.new_rank
    """,
)


async def merge_on_ballot(session: AsyncSession, round_id: int, source: int, target: int) -> None:
    """Plain SQL on ballot_items and ballot_entries, so the database's own rules and
    any triggers on those tables see every change. The caller holds the round's gate."""
    for statement in _MERGE_BALLOTS:
        await session.execute(
            text(statement), {"round": round_id, "source": source, "target": target}
        )


async def forget_reporter(session: AsyncSession, person_id: int, reason: str) -> None:
    """Erasure: a report's words were the reporter's; facilitators keep the outcome."""
    await session.execute(
        update(Report)
        .where(Report.reporter_id == person_id)
        .values(reporter_id=None, reason=reason)
    )
