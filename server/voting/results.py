"""Round results: computed live from ballots, frozen into a snapshot on close, and
sealed per the round's ``resultVisibility`` by one function every reader goes through."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor
from server.ids import from_global_id, to_global_id
from server.people.models import PersonKind
from server.voting import repository
from server.voting.models import ResultVisibility, RoundState, VotingRound
from server.voting.tally import Mark, Row, tally

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


def split_by_kind(
    voting_round: VotingRound,
    candidates: list[int],
    ballots: dict[int, tuple[PersonKind, list[Mark]]],
) -> list[KindSplit]:
    """Resident / professional results from the same ballots, each weighing 1.

    If any group is under MIN_GROUP, every group is withheld: with the overall turnout
    and rows public, one group's figures would reveal the other's by subtraction.
    """
    groups: dict[PersonKind, list[list[Mark]]] = {kind: [] for kind in PersonKind}
    for kind, marks in ballots.values():
        groups[kind].append(marks)
    if any(len(members) < MIN_GROUP for members in groups.values()):
        return [KindSplit(kind, None, None) for kind in PersonKind]
    return [
        KindSplit(
            kind,
            len(members),
            tally(voting_round.method, voting_round.ranked_tally, candidates, members),
        )
        for kind, members in groups.items()
    ]


async def compute(session: AsyncSession, voting_round: VotingRound) -> RoundResults:
    """The live result from the ballots as they stand."""
    candidates = await repository.candidates(session, voting_round.id)
    ballots: dict[int, tuple[PersonKind, list[Mark]]] = {}
    for ballot_id, kind, mark in await repository.marks_by_voter(session, voting_round.id):
        ballots.setdefault(ballot_id, (kind, []))[1].append(mark)
    rows = tally(
        voting_round.method,
        voting_round.ranked_tally,
        candidates,
        [marks for _, marks in ballots.values()],
    )
    return RoundResults(
        round_id=voting_round.id,
        turnout=len(ballots),
        rows=rows,
        by_kind=split_by_kind(voting_round, candidates, ballots),
    )


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
