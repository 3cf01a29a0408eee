"""Places in a vote as pages show them: equal scores share a place ("joint 2nd", "=2").

The API keeps its strict ``rank``: the contract breaks ties by more supporters, then by
the proposal shared first. Pages list rows in that order too, but never present the
tie-break as if one idea had more votes than another.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

from server.voting.repository import PriorityRow
from web.i18n import gettext as _
from web.i18n import ordinal


class Scored(Protocol):
    @property
    def proposal_id(self) -> int: ...

    @property
    def score(self) -> float: ...

    @property
    def supporters(self) -> int: ...


S = TypeVar("S", bound=Scored)


@dataclass(frozen=True, slots=True)
class Place:
    # 1 + the number of rows with a higher score.
    number: int
    # Another row has the same score.
    joint: bool

    @property
    def short(self) -> str:
        """For tables and charts: 2, or =2 for a shared place."""
        return f"={self.number}" if self.joint else str(self.number)

    @property
    def words(self) -> str:
        """For sentences: 2nd, or joint 2nd."""
        if self.joint:
            return _("joint %(place)s") % {"place": ordinal(self.number)}
        return ordinal(self.number)


def places(rows: Sequence[Scored]) -> list[Place]:
    """The place of each row; ``rows`` are in result order (highest score first)."""
    counts: dict[float, int] = {}
    for row in rows:
        counts[row.score] = counts.get(row.score, 0) + 1
    found: list[Place] = []
    for index, row in enumerate(rows):
        previous = found[-1] if found and rows[index - 1].score == row.score else None
        number = previous.number if previous else index + 1
        found.append(Place(number, counts[row.score] > 1))
    return found


def priority_places(priorities: Sequence[PriorityRow]) -> dict[tuple[int, int], Place]:
    """The place of each (round, proposal) priority among its round's priorities."""
    by_round: dict[int, list[PriorityRow]] = {}
    for priority in sorted(priorities, key=lambda p: (p.round_id, p.rank)):
        by_round.setdefault(priority.round_id, []).append(priority)
    return {
        (priority.round_id, priority.proposal_id): place
        for rows in by_round.values()
        for priority, place in zip(rows, places(rows), strict=True)
    }


def tie_break_used(rows: Sequence[Scored]) -> bool:
    """Whether the tie-break decided any order among ``rows`` (two share a score)."""
    return any(place.joint for place in places(rows))


def order_ties_like(rows: Sequence[S], reference: Sequence[int]) -> list[S]:
    """Rows by score, equal scores in the order ``reference`` lists their proposals, so
    every table of one vote lists tied ideas the same way."""
    position = {proposal_id: index for index, proposal_id in enumerate(reference)}
    return sorted(rows, key=lambda row: (-row.score, position.get(row.proposal_id, len(position))))
