"""Round results: read live from the counters the database keeps, frozen into a snapshot
on close (recounted from the ballots themselves and checked against the counters), and
sealed per the round's ``resultVisibility`` by one function every reader goes through.

The resident / professional split is published only in the frozen result of a closed
round, from the kind each voter had when they cast: never live, where watching it move
(a withdrawal, a late ballot, an account that changed kind) would reveal one person's
ballot by subtraction.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor
from server.ids import from_global_id, to_global_id
from server.people.models import PersonKind
from server.voting import repository
from server.voting.models import (
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
    VotingRound,
)
from server.voting.tally import Mark, Row, from_counts, tally

log = logging.getLogger(__name__)

# Role-split figures for a group smaller than this are withheld.
MIN_GROUP = 5
SNAPSHOT_VERSION = 1


@dataclass(frozen=True, slots=True)
class KindSplit:
    kind: PersonKind
    voters: int | None
    rows: list[Row] | None


@dataclass(frozen=True, slots=True)
class RoundResults:
    round_id: int
    turnout: int
    rows: list[Row]
    by_kind: list[KindSplit]
    snapshot_hash: str | None = None
    # The canonical JSON the hash is taken over (closed rounds only).
    snapshot_json: str | None = None


def is_unsealed(voting_round: VotingRound, *, has_own_ballot: bool) -> bool:
    """Whether results may be shown to someone (the single rule for every read path)."""
    if voting_round.state is RoundState.CLOSED:
        return True
    if voting_round.state is RoundState.DRAFT:
        return False
    match voting_round.result_visibility:
        case ResultVisibility.LIVE:
            return True
        case ResultVisibility.AFTER_OWN_BALLOT:
            return has_own_ballot
        case ResultVisibility.AFTER_CLOSE:
            return False


async def visible_to(session: AsyncSession, actor: Actor, voting_round: VotingRound) -> bool:
    has_own_ballot = False
    if (
        voting_round.state is RoundState.OPEN
        and voting_round.result_visibility is ResultVisibility.AFTER_OWN_BALLOT
    ):
        has_own_ballot = (
            await repository.ballot_of(session, voting_round.id, actor.person_id) is not None
        )
    return is_unsealed(voting_round, has_own_ballot=has_own_ballot)


WITHHELD = [KindSplit(kind, None, None) for kind in PersonKind]


def split_by_kind(
    voting_round: VotingRound,
    candidates: list[int],
    ballots: dict[int, tuple[PersonKind, list[Mark]]],
    voters: dict[PersonKind, int],
) -> list[KindSplit]:
    """Resident / professional results from the same ballots, each weighing 1.

    If any group is under MIN_GROUP voters, every group is withheld: with the overall
    turnout and rows public, one group's figures would reveal the other's by subtraction.
    """
    groups: dict[PersonKind, list[list[Mark]]] = {kind: [] for kind in PersonKind}
    for kind, marks in ballots.values():
        groups[kind].append(marks)
    if any(voters.get(kind, 0) < MIN_GROUP for kind in PersonKind):
        return [KindSplit(kind, None, None) for kind in PersonKind]
    return [
        KindSplit(
            kind,
            voters[kind],
            tally(voting_round.method, voting_round.ranked_tally, candidates, members),
        )
        for kind, members in groups.items()
    ]


async def compute(session: AsyncSession, voting_round: VotingRound) -> RoundResults:
    """The live result, from the counters: a few hundred rows to sum at most, however
    many ballots there are. Never the split (see the module's note)."""
    return await live_from_counters(
        session, voting_round.id, voting_round.method, voting_round.ranked_tally
    )


async def live_from_counters(
    session: AsyncSession, round_id: int, method: VotingMethod, ranked_tally: RankedTally
) -> RoundResults:
    candidates = await repository.candidates(session, round_id)
    counts = await repository.counters(
        session,
        round_id,
        pairs=method is VotingMethod.RANKED and ranked_tally is RankedTally.SCHULZE,
    )
    return RoundResults(
        round_id=round_id,
        turnout=counts.turnout,
        rows=from_counts(method, ranked_tally, candidates, counts),
        by_kind=WITHHELD,
    )


async def recount(session: AsyncSession, voting_round: VotingRound) -> RoundResults:
    """The result counted from every ballot, with the split: what a round freezes."""
    candidates = await repository.candidates(session, voting_round.id)
    ballots: dict[int, tuple[PersonKind, list[Mark]]] = {}
    for ballot_id, kind, mark in await repository.marks_by_voter(session, voting_round.id):
        ballots.setdefault(ballot_id, (kind, []))[1].append(mark)
    voters = await repository.ballot_kinds(session, voting_round.id)
    rows = tally(
        voting_round.method,
        voting_round.ranked_tally,
        candidates,
        [marks for _, marks in ballots.values()],
    )
    return RoundResults(
        round_id=voting_round.id,
        turnout=sum(voters.values()),
        rows=rows,
        by_kind=split_by_kind(voting_round, candidates, ballots, voters),
    )


async def checked_recount(session: AsyncSession, voting_round: VotingRound) -> RoundResults:
    """The recount, compared with the live counters: a disagreement means the counters
    went wrong somewhere, so it is logged, and the recount is what stands."""
    counted = await recount(session, voting_round)
    live = await compute(session, voting_round)
    if (live.turnout, live.rows) != (counted.turnout, counted.rows):
        log.warning(
            "round %s: live counters disagree with the recount at close; the recount stands",
            voting_round.id,
            extra={
                "fields": {
                    "round_id": voting_round.id,
                    "live_turnout": live.turnout,
                    "recount_turnout": counted.turnout,
                }
            },
        )
    return counted


def _row_json(row: Row, titles: dict[int, str]) -> dict[str, Any]:
    return {
        "rank": row.rank,
        "proposal": {
            "id": to_global_id("Proposal", row.proposal_id),
            "title": titles[row.proposal_id],
        },
        "score": row.score,
        "supporters": row.supporters,
    }


def canonical_snapshot(
    voting_round: VotingRound, results: RoundResults, titles: dict[int, str]
) -> str:
    """Canonical JSON (sorted keys, no spaces, UTF-8) of the frozen result."""
    assert voting_round.closed_at is not None
    document = {
        "version": SNAPSHOT_VERSION,
        "round": {
            "id": to_global_id("VotingRound", voting_round.id),
            "title": voting_round.title,
            "method": voting_round.method.name,
            "rankedTally": voting_round.ranked_tally.name,
            "closedAt": voting_round.closed_at.isoformat().replace("+00:00", "Z"),
        },
        "turnout": results.turnout,
        "rows": [_row_json(row, titles) for row in results.rows],
        "byKind": [
            {
                "kind": split.kind.name,
                "voters": split.voters,
                "rows": None if split.rows is None else [_row_json(r, titles) for r in split.rows],
            }
            for split in results.by_kind
        ],
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def snapshot_hash(canonical_json: str) -> str:
    return hashlib.sha256(canonical_json.encode("utf-8")).hexdigest()


def _row_from_json(data: dict[str, Any]) -> Row:
    decoded = from_global_id(data["proposal"]["id"])
    assert decoded is not None
    return Row(
        rank=data["rank"],
        proposal_id=decoded[1],
        score=data["score"],
        supporters=data["supporters"],
    )


def from_snapshot(round_id: int, canonical_json: str, sha256: str) -> RoundResults:
    document = json.loads(canonical_json)
    return RoundResults(
        round_id=round_id,
        turnout=document["turnout"],
        rows=[_row_from_json(row) for row in document["rows"]],
        by_kind=[
            KindSplit(
                PersonKind[split["kind"]],
                split["voters"],
                None if split["rows"] is None else [_row_from_json(r) for r in split["rows"]],
            )
            for split in document["byKind"]
        ],
        snapshot_hash=sha256,
        snapshot_json=canonical_json,
    )
