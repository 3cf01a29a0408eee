"""Pure tally functions: ballots in, ranked rows out. No database, no I/O.

Every ballot weighs exactly 1, whoever cast it: nothing here can see who the voter is
beyond the ``kind`` used to split results afterwards, and no function reads it.

Ordering (all methods): higher score first, then more supporters, then the proposal
created earlier (the order of ``candidates``). ``rank`` is the 1-based position, so no
two rows share a rank.

- APPROVAL: score = number of ballots approving the proposal.
- DOTS: score = dots given to the proposal in total.
- RANKED, Borda: a ballot ranking a proposal r-th gives it n - r + 1 points, n being the
  number of proposals on the round's ballot; unranked proposals get 0 from that ballot.
- RANKED, Schulze: d[a][b] = ballots preferring a to b (ranked beats unranked; unranked
  ties with unranked). p[a][b] = strength of the strongest path from a to b (widest
  path). a beats b when p[a][b] > p[b][a]; score = number of proposals a beats. This
  relation is transitive, so ordering by score yields the Schulze order.

``supporters`` is the number of ballots giving the proposal any support (an approval, at
least one dot, or any rank).

Every method also runs from :class:`Counts` (what the database's live counters hold):
per proposal the supporters, the points and the sum of ranks, and per ordered pair the
ballots ranking both, one ahead of the other. Borda is then supporters * (n + 1) - sum of
ranks, and Schulze's d[a][b] = R(a) - pairs[b ahead of a], R(a) being the ballots ranking
a (a ballot ranking a either ranks b too, ahead or behind, or leaves b unranked, which a
beats; ranks on one ballot are distinct). ``count`` turns ballots into Counts, so the
recount and the counters are compared like for like.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from server.voting.models import RankedTally, VotingMethod


@dataclass(frozen=True, slots=True)
class Mark:
    proposal_id: int
    points: int | None = None
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Row:
    rank: int
    proposal_id: int
    score: float
    supporters: int


Ballot = Sequence[Mark]


@dataclass(frozen=True, slots=True)
class Counts:
    turnout: int
    supporters: dict[int, int]
    points: dict[int, int]
    rank_sum: dict[int, int]
    # (ahead, behind) -> ballots ranking both, ``ahead`` first.
    pairs: dict[tuple[int, int], int]


def count(ballots: Sequence[Ballot]) -> Counts:
    supporters: dict[int, int] = {}
    points_: dict[int, int] = {}
    rank_sum: dict[int, int] = {}
    pairs: dict[tuple[int, int], int] = {}
    for ballot in ballots:
        for mark in ballot:
            p = mark.proposal_id
            supporters[p] = supporters.get(p, 0) + 1
            points_[p] = points_.get(p, 0) + (mark.points or 0)
            rank_sum[p] = rank_sum.get(p, 0) + (mark.rank or 0)
        ranked = [m for m in ballot if m.rank is not None]
        for a in ranked:
            for b in ranked:
                if a.rank is not None and b.rank is not None and a.rank < b.rank:
                    key = (a.proposal_id, b.proposal_id)
                    pairs[key] = pairs.get(key, 0) + 1
    return Counts(len(ballots), supporters, points_, rank_sum, pairs)


def order(
    candidates: Sequence[int], scores: dict[int, float], supporters: dict[int, int]
) -> list[Row]:
    """Rows in result order; ``candidates`` must be in creation order (the last tie-break)."""
    position = {proposal_id: index for index, proposal_id in enumerate(candidates)}
    ordered = sorted(
        candidates, key=lambda p: (-scores.get(p, 0.0), -supporters.get(p, 0), position[p])
    )
    return [
        Row(
            rank=i + 1,
            proposal_id=p,
            score=float(scores.get(p, 0.0)),
            supporters=supporters.get(p, 0),
        )
        for i, p in enumerate(ordered)
    ]


def _supporters(ballots: Sequence[Ballot]) -> dict[int, int]:
    counts: dict[int, int] = {}
    for ballot in ballots:
        for mark in {m.proposal_id for m in ballot}:
            counts[mark] = counts.get(mark, 0) + 1
    return counts


def points(candidates: Sequence[int], ballots: Sequence[Ballot]) -> list[Row]:
    """APPROVAL and DOTS: the sum of points (1 per approval, the dots given)."""
    scores: dict[int, float] = {}
    for ballot in ballots:
        for mark in ballot:
            scores[mark.proposal_id] = scores.get(mark.proposal_id, 0.0) + (mark.points or 0)
    return order(candidates, scores, _supporters(ballots))


def borda(candidates: Sequence[int], ballots: Sequence[Ballot]) -> list[Row]:
    n = len(candidates)
    scores: dict[int, float] = {}
    for ballot in ballots:
        for mark in ballot:
            if mark.rank is not None:
                scores[mark.proposal_id] = scores.get(mark.proposal_id, 0.0) + n - mark.rank + 1
    return order(candidates, scores, _supporters(ballots))


def schulze(candidates: Sequence[int], ballots: Sequence[Ballot]) -> list[Row]:
    index = {proposal_id: i for i, proposal_id in enumerate(candidates)}
    n = len(candidates)
    unranked = n + 1
    d = [[0] * n for _ in range(n)]
    for ballot in ballots:
        ranks = [unranked] * n
        for mark in ballot:
            if mark.rank is not None and mark.proposal_id in index:
                ranks[index[mark.proposal_id]] = mark.rank
        for a in range(n):
            for b in range(n):
                if ranks[a] < ranks[b]:
                    d[a][b] += 1
    return _schulze_order(candidates, d, _supporters(ballots))


def _schulze_order(
    candidates: Sequence[int], d: list[list[int]], supporters: dict[int, int]
) -> list[Row]:
    n = len(candidates)
    p = [[d[a][b] if d[a][b] > d[b][a] else 0 for b in range(n)] for a in range(n)]
    for via in range(n):
        for a in range(n):
            if a == via:
                continue
            for b in range(n):
                if b not in (a, via):
                    p[a][b] = max(p[a][b], min(p[a][via], p[via][b]))
    scores = {
        candidates[a]: float(sum(1 for b in range(n) if b != a and p[a][b] > p[b][a]))
        for a in range(n)
    }
    return order(candidates, scores, supporters)


def tally(
    method: VotingMethod,
    ranked_tally: RankedTally,
    candidates: Sequence[int],
    ballots: Sequence[Ballot],
) -> list[Row]:
    if method is VotingMethod.RANKED:
        return (schulze if ranked_tally is RankedTally.SCHULZE else borda)(candidates, ballots)
    return points(candidates, ballots)


def from_counts(
    method: VotingMethod,
    ranked_tally: RankedTally,
    candidates: Sequence[int],
    counts: Counts,
) -> list[Row]:
    """The same rows as :func:`tally` over the ballots the counts were taken from."""
    on_ballot = set(candidates)
    supporters = {p: c for p, c in counts.supporters.items() if p in on_ballot}
    if method is not VotingMethod.RANKED:
        return order(candidates, {p: float(counts.points.get(p, 0)) for p in on_ballot}, supporters)
    if ranked_tally is RankedTally.BORDA:
        n = len(candidates)
        scores = {
            p: float(supporters.get(p, 0) * (n + 1) - counts.rank_sum.get(p, 0)) for p in on_ballot
        }
        return order(candidates, scores, supporters)
    d = [
        [0 if a == b else supporters.get(a, 0) - counts.pairs.get((b, a), 0) for b in candidates]
        for a in candidates
    ]
    return _schulze_order(candidates, d, supporters)
