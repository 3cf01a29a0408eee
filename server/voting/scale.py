"""``levelground seed-scale``: a city-sized open round, loaded in bulk.

N new people (participants of the area), a few proposals, one open round and one valid
ballot each, written with COPY in one transaction. The database's own rules stay on (a
ballot's budget and ranks are checked as for any cast), and the round's live counters
come out exact: the load sets ``levelground.uncounted_round`` so the counting triggers
skip this round's rows one by one, then rebuilds its counters in one statement each
(``lg_rebuild_round_counters``, migration 0010), all before the round is visible to
anyone else.

This is a loading tool, so it speaks SQL and COPY to asyncpg directly rather than
through the repositories.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import asyncpg

from server.voting.models import RankedTally, VotingMethod

DOTS_PER_PERSON = 5
BATCH = 20_000
RESIDENT_SHARE = 0.7

Entry = tuple[int, int | None, int | None]


@dataclass(frozen=True)
class Seeded:
    round_id: int
    voters: int
    entries: int


class UnknownArea(Exception):
    pass


def ballot(
    rng: random.Random, method: VotingMethod, weights: Sequence[float], ids: Sequence[int]
) -> list[Entry]:
    """One valid ballot as (proposal, points, rank), popular proposals chosen more often."""
    k = rng.randint(1, min(len(ids), 5))
    chosen: list[int] = []
    while len(chosen) < k:
        pick = rng.choices(ids, weights)[0]
        if pick not in chosen:
            chosen.append(pick)
    if method is VotingMethod.APPROVAL:
        return [(p, 1, None) for p in chosen]
    if method is VotingMethod.RANKED:
        return [(p, None, i + 1) for i, p in enumerate(chosen)]
    left, marks = DOTS_PER_PERSON, list[Entry]()
    for p in chosen:
        if left == 0:
            break
        points = rng.randint(1, left)
        left -= points
        marks.append((p, points, None))
    return marks


async def _ids(connection: asyncpg.Connection, table: str, n: int) -> list[int]:
    rows = await connection.fetch(
        "SELECT nextval(pg_get_serial_sequence($1, 'id')) AS id FROM generate_series(1, $2)",
        table,
        n,
    )
    return [row["id"] for row in rows]


def _batches(rows: Sequence[tuple[Any, ...]]) -> Iterator[Sequence[tuple[Any, ...]]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


async def seed(
    connection: asyncpg.Connection,
    *,
    area_slug: str,
    voters: int,
    proposals: int,
    method: VotingMethod,
    ranked_tally: RankedTally = RankedTally.BORDA,
    seed_value: int = 1,
    progress: Callable[[int], None] = lambda _: None,
) -> Seeded:
    """Load the round; ``progress(n)`` is called as each n voters' rows go in."""
    rng = random.Random(seed_value)  # noqa: S311 (test data, not secrets)
    async with connection.transaction():
        area_id = await connection.fetchval("SELECT id FROM areas WHERE slug = $1", area_slug)
        if area_id is None:
            raise UnknownArea(area_slug)
        author = await connection.fetchval(
            "INSERT INTO people (display_name, kind) VALUES ('Scale seed', 'professional') "
            "RETURNING id"
        )
        proposal_ids = [
            await connection.fetchval(
                "INSERT INTO proposals (area_id, title, description, status, author_id) "
                "VALUES ($1, $2, $3, 'shortlisted', $4) RETURNING id",
                area_id,
                f"Scale idea {i + 1}",
                "Seeded for a scale test.",
                author,
            )
            for i in range(proposals)
        ]
        round_id = await connection.fetchval(
            "INSERT INTO voting_rounds (area_id, title, method, ranked_tally, state,"
            " dots_per_person, result_visibility, opened_at, created_by_id)"
            " VALUES ($1, $2, $3, $4, 'open', $5, 'live', now(), $6) RETURNING id",
            area_id,
            f"City-wide vote ({voters:,} voters)",
            method.value,
            ranked_tally.value,
            DOTS_PER_PERSON if method is VotingMethod.DOTS else None,
            author,
        )
        await connection.copy_records_to_table(
            "ballot_items",
            records=[(round_id, p, i) for i, p in enumerate(proposal_ids)],
            columns=["round_id", "proposal_id", "position"],
        )
        await connection.execute(
            "SELECT set_config('levelground.uncounted_round', $1, true)", str(round_id)
        )
        weights = [1.0 / (i + 1) for i in range(len(proposal_ids))]
        entries = 0
        done = 0
        while done < voters:
            n = min(BATCH, voters - done)
            people = await _ids(connection, "people", n)
            ballots = await _ids(connection, "ballots", n)
            await connection.copy_records_to_table(
                "people",
                records=[
                    (
                        pid,
                        f"Voter {done + i + 1}",
                        "resident" if rng.random() < RESIDENT_SHARE else "professional",
                    )
                    for i, pid in enumerate(people)
                ],
                columns=["id", "display_name", "kind"],
            )
            await connection.copy_records_to_table(
                "area_roles",
                records=[(pid, area_id, "participant") for pid in people],
                columns=["person_id", "area_id", "role"],
            )
            await connection.copy_records_to_table(
                "ballots",
                records=[(bid, round_id, pid) for bid, pid in zip(ballots, people, strict=True)],
                columns=["id", "round_id", "person_id"],
            )
            rows = [
                (bid, round_id, p, points, rank)
                for bid in ballots
                for p, points, rank in ballot(rng, method, weights, proposal_ids)
            ]
            await connection.copy_records_to_table(
                "ballot_entries",
                records=rows,
                columns=["ballot_id", "round_id", "proposal_id", "points", "rank"],
            )
            await connection.copy_records_to_table(
                "ballot_casts",
                records=[(round_id, pid, pid, False) for pid in people],
                columns=["round_id", "person_id", "cast_by_id", "assisted"],
            )
            entries += len(rows)
            done += n
            progress(n)
        await connection.execute("SELECT set_config('levelground.uncounted_round', '', true)")
        await connection.execute("SELECT lg_rebuild_round_counters($1)", round_id)
    return Seeded(round_id, voters, entries)
