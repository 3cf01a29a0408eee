"""What makes a ballot valid, checked before anything is written."""

from __future__ import annotations

import pytest

from server.errors import DomainError, ErrorCode
from server.voting.models import VotingMethod
from server.voting.rules import EntryInput, Rules, check
from server.voting.tally import Mark

APPROVAL = Rules(VotingMethod.APPROVAL, {1, 2, 3})
DOTS = Rules(VotingMethod.DOTS, {1, 2, 3}, dots_per_person=5, max_dots_per_item=3)
RANKED = Rules(VotingMethod.RANKED, {1, 2, 3})


def code_of(rules: Rules, *entries: EntryInput) -> tuple[ErrorCode, list[str]]:
    with pytest.raises(DomainError) as raised:
        check(rules, entries)
    return raised.value.code, raised.value.field


def test_approval_points_default_to_one() -> None:
    assert check(APPROVAL, [EntryInput(1), EntryInput(2, points=1)]) == [Mark(1, 1), Mark(2, 1)]


@pytest.mark.parametrize("points", [0, 2, -1])
def test_approval_points_other_than_one_are_invalid(points: int) -> None:
    assert code_of(APPROVAL, EntryInput(1, points=points)) == (
        ErrorCode.INVALID_INPUT,
        ["entries", "0", "points"],
    )


def test_an_empty_ballot_is_invalid() -> None:
    assert code_of(APPROVAL)[0] is ErrorCode.INVALID_INPUT


def test_dots_within_budget_and_cap_are_kept() -> None:
    assert check(DOTS, [EntryInput(1, 3), EntryInput(2, 2)]) == [Mark(1, 3), Mark(2, 2)]


@pytest.mark.parametrize("points", [None, 0, -2])
def test_dots_need_at_least_one_point(points: int | None) -> None:
    assert code_of(DOTS, EntryInput(1, points))[0] is ErrorCode.INVALID_INPUT


def test_dots_over_the_item_cap() -> None:
    assert code_of(DOTS, EntryInput(1, 1), EntryInput(2, 4)) == (
        ErrorCode.OVER_ITEM_CAP,
        ["entries", "1", "points"],
    )


def test_dots_over_the_budget() -> None:
    assert code_of(DOTS, EntryInput(1, 3), EntryInput(2, 3))[0] is ErrorCode.OVER_BUDGET


def test_ranks_must_run_from_one_without_gaps() -> None:
    assert check(RANKED, [EntryInput(2, rank=2), EntryInput(3, rank=1)]) == [
        Mark(2, rank=2),
        Mark(3, rank=1),
    ]
    assert (
        code_of(RANKED, EntryInput(1, rank=1), EntryInput(2, rank=3))[0] is ErrorCode.INVALID_INPUT
    )
    assert (
        code_of(RANKED, EntryInput(1, rank=1), EntryInput(2, rank=1))[0] is ErrorCode.INVALID_INPUT
    )
    assert code_of(RANKED, EntryInput(1, rank=2))[0] is ErrorCode.INVALID_INPUT


def test_ranked_entries_need_a_rank_and_no_points() -> None:
    assert code_of(RANKED, EntryInput(1)) == (ErrorCode.INVALID_INPUT, ["entries", "0", "rank"])
    assert code_of(RANKED, EntryInput(1, points=1, rank=1))[1] == ["entries", "0", "points"]


def test_unknown_and_repeated_proposals() -> None:
    assert code_of(APPROVAL, EntryInput(9))[0] is ErrorCode.NOT_ON_BALLOT
    assert code_of(APPROVAL, EntryInput(None))[0] is ErrorCode.NOT_ON_BALLOT
    assert code_of(APPROVAL, EntryInput(1), EntryInput(1))[0] is ErrorCode.DUPLICATE_ENTRY
