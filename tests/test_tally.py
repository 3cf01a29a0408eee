"""The pure tally functions, on worked examples."""

from __future__ import annotations

from server.voting.models import RankedTally, VotingMethod
from server.voting.tally import Mark, Row, borda, points, schulze, tally


def ranked(*order: int) -> list[Mark]:
    return [Mark(p, rank=i + 1) for i, p in enumerate(order)]


def test_approval_counts_each_ballot_once_per_proposal() -> None:
    rows = points([1, 2, 3], [[Mark(1, 1), Mark(2, 1)], [Mark(2, 1)], [Mark(2, 1), Mark(3, 1)]])
    assert rows == [Row(1, 2, 3.0, 3), Row(2, 1, 1.0, 1), Row(3, 3, 1.0, 1)]


def test_ties_break_on_supporters_then_creation_order() -> None:
    # 1 and 2 both score 4; 2 has more supporters. 3 and 4 tie on both: earlier wins.
    ballots = [[Mark(1, 4)], [Mark(2, 2)], [Mark(2, 2)], [Mark(3, 1)], [Mark(4, 1)]]
    assert [r.proposal_id for r in points([1, 2, 3, 4], ballots)] == [2, 1, 3, 4]
    assert [r.proposal_id for r in points([4, 3, 2, 1], ballots)] == [2, 1, 4, 3]


def test_unsupported_proposals_still_get_a_row_and_a_rank() -> None:
    rows = points([1, 2], [[Mark(2, 3)]])
    assert rows == [Row(1, 2, 3.0, 1), Row(2, 1, 0.0, 0)]


def test_borda_gives_n_minus_rank_plus_one_with_n_the_ballot_size() -> None:
    # n = 4 proposals on the ballot; partial rankings leave the rest at 0.
    ballots = [ranked(1, 2), ranked(2, 1, 3), ranked(3)]
    rows = borda([1, 2, 3, 4], ballots)
    scores = {r.proposal_id: r.score for r in rows}
    assert scores == {1: 4 + 3, 2: 3 + 4, 3: 2 + 4, 4: 0}
    # 1 and 2 tie on 7 points and 2 supporters each: creation order decides.
    assert [r.proposal_id for r in rows] == [1, 2, 3, 4]


def test_schulze_finds_the_winner_of_a_condorcet_cycle() -> None:
    """Wikipedia's 45-voter example: A>B, B>C, C>A... and E wins under Schulze."""
    a, b, c, d, e = 1, 2, 3, 4, 5
    groups = [
        (5, (a, c, b, e, d)),
        (5, (a, d, e, c, b)),
        (8, (b, e, d, a, c)),
        (3, (c, a, b, e, d)),
        (7, (c, a, e, b, d)),
        (2, (c, b, a, d, e)),
        (7, (d, c, e, b, a)),
        (8, (e, b, a, d, c)),
    ]
    ballots = [ranked(*order) for count, order in groups for _ in range(count)]
    rows = schulze([a, b, c, d, e], ballots)
    assert [r.proposal_id for r in rows] == [e, a, c, b, d]
    assert [r.score for r in rows] == [4.0, 3.0, 2.0, 1.0, 0.0]


def test_schulze_treats_unranked_as_below_every_ranked_proposal() -> None:
    rows = schulze([1, 2, 3], [ranked(3), ranked(3), ranked(2, 1)])
    assert [r.proposal_id for r in rows] == [3, 2, 1]


def test_a_cycle_without_a_strongest_path_winner_falls_back_to_supporters() -> None:
    # A perfect three-way cycle: every strongest path ties, so no one beats anyone.
    ballots = [ranked(1, 2, 3), ranked(2, 3, 1), ranked(3, 1, 2)]
    rows = schulze([1, 2, 3], ballots)
    assert [r.score for r in rows] == [0.0, 0.0, 0.0]
    assert [r.proposal_id for r in rows] == [1, 2, 3]


def test_tally_dispatches_by_method() -> None:
    ballots = [ranked(2, 1)]
    assert tally(VotingMethod.RANKED, RankedTally.BORDA, [1, 2], ballots)[0].proposal_id == 2
    assert tally(VotingMethod.RANKED, RankedTally.SCHULZE, [1, 2], ballots)[0].proposal_id == 2
    dots = [[Mark(1, 2), Mark(2, 1)]]
    assert tally(VotingMethod.DOTS, RankedTally.BORDA, [1, 2], dots)[0].score == 2.0
