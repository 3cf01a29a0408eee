"""What a valid ballot looks like for a round (checked here, and again by the database)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass

from server.errors import DomainError, ErrorCode, InvalidInput
from server.voting.models import VotingMethod
from server.voting.tally import Mark


@dataclass(frozen=True, slots=True)
class EntryInput:
    """One line of a ballot as submitted; ``proposal_id`` is None when it named no proposal."""

    proposal_id: int | None
    points: int | None = None
    rank: int | None = None


@dataclass(frozen=True, slots=True)
class Rules:
    method: VotingMethod
    ballot: Collection[int]
    dots_per_person: int | None = None
    max_dots_per_item: int | None = None


def check(rules: Rules, entries: Sequence[EntryInput]) -> list[Mark]:
    """The marks to store, or the first rule the entries break."""
    broken = problems(rules, entries)
    if broken:
        raise broken[0]
    return [_mark(rules, entry, ["entries", str(i)]) for i, entry in enumerate(entries)]


def problems(rules: Rules, entries: Sequence[EntryInput]) -> list[DomainError]:
    """Every rule the entries break (so a form can show them all at once), in the order
    :func:`check` meets them."""
    if not entries:
        return [InvalidInput("Choose at least one proposal.", ["entries"])]
    found: list[DomainError] = []
    seen: set[int] = set()
    for i, entry in enumerate(entries):
        path = ["entries", str(i)]
        if entry.proposal_id is None or entry.proposal_id not in rules.ballot:
            found.append(
                DomainError(
                    ErrorCode.NOT_ON_BALLOT,
                    "That proposal is not on this round's ballot.",
                    [*path, "proposalId"],
                )
            )
            continue
        if entry.proposal_id in seen:
            found.append(
                DomainError(
                    ErrorCode.DUPLICATE_ENTRY,
                    "A proposal can appear only once on a ballot.",
                    [*path, "proposalId"],
                )
            )
            continue
        seen.add(entry.proposal_id)
        try:
            _mark(rules, entry, path)
        except DomainError as error:
            found.append(error)
    if rules.method is VotingMethod.DOTS:
        assert rules.dots_per_person is not None
        spent = sum(max(entry.points or 0, 0) for entry in entries)
        if spent > rules.dots_per_person:
            found.append(
                DomainError(
                    ErrorCode.OVER_BUDGET,
                    f"You have {rules.dots_per_person} dots to give and used {spent}.",
                    ["entries"],
                )
            )
    if rules.method is VotingMethod.RANKED:
        ranks = sorted(entry.rank for entry in entries if entry.rank is not None)
        if ranks != list(range(1, len(entries) + 1)):
            found.append(
                InvalidInput(
                    "Number your choices 1, 2, 3... with no gaps and no number used twice.",
                    ["entries"],
                )
            )
    return found


def _mark(rules: Rules, entry: EntryInput, path: list[str]) -> Mark:
    assert entry.proposal_id is not None
    match rules.method:
        case VotingMethod.APPROVAL:
            if entry.points not in (None, 1):
                raise InvalidInput("An approval is worth exactly 1 point.", [*path, "points"])
            if entry.rank is not None:
                raise InvalidInput("Approval votes are not ranked.", [*path, "rank"])
            return Mark(entry.proposal_id, points=1)
        case VotingMethod.DOTS:
            if entry.points is None or entry.points < 1:
                raise InvalidInput("Give each chosen proposal at least 1 dot.", [*path, "points"])
            if entry.rank is not None:
                raise InvalidInput("Dot votes are not ranked.", [*path, "rank"])
            cap = rules.max_dots_per_item
            if cap is not None and entry.points > cap:
                raise DomainError(
                    ErrorCode.OVER_ITEM_CAP,
                    f"At most {cap} dots can go on one proposal.",
                    [*path, "points"],
                )
            return Mark(entry.proposal_id, points=entry.points)
        case VotingMethod.RANKED:
            if entry.points is not None:
                raise InvalidInput("Ranked votes use rank, not points.", [*path, "points"])
            if entry.rank is None or entry.rank < 1:
                raise InvalidInput("Give each chosen proposal a rank from 1.", [*path, "rank"])
            return Mark(entry.proposal_id, rank=entry.rank)
