from __future__ import annotations

import functools
from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from schema.base import Info, Node, gid
from schema.loaders import now_or_later
from schema.refs import ActionRef, AreaRef, ProposalRef
from server.people.models import PersonKind
from server.voting import results as voting_results
from server.voting.models import (
    Ballot,
    BallotEntry,
    BallotSignIn,
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
    VotingRound,
)
from server.voting.repository import PriorityRow
from server.voting.tally import Row

if TYPE_CHECKING:
    from schema.proposals.types import ProposalType


@functools.cache
def _proposal_type() -> type[ProposalType]:
    """ProposalType, imported once (the modules refer to each other): an import inside a
    resolver run for every row of a list was a visible part of the list's cost."""
    from schema.proposals.types import ProposalType

    return ProposalType


async def _proposal(info: Info, proposal_id: int) -> ProposalRef:
    proposal = await info.context.loaders.proposal.load(proposal_id)
    assert proposal is not None
    return _proposal_type().of(proposal)


async def _round(info: Info, round_id: int) -> VotingRoundType:
    voting_round = await info.context.loaders.round.load(round_id)
    assert voting_round is not None
    return VotingRoundType.of(voting_round)


@strawberry.type(name="VotingRound", description="A vote on a set of proposals.")
class VotingRoundType(Node):
    id: strawberry.ID
    title: str
    method: VotingMethod
    ranked_tally: RankedTally = strawberry.field(
        description="How RANKED ballots are counted (BORDA unless chosen otherwise)."
    )
    state: RoundState
    dots_per_person: int | None
    max_dots_per_item: int | None
    result_visibility: ResultVisibility
    closes_at: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None
    online_sign_in: BallotSignIn = strawberry.field(
        description="What a ballot cast online needs; ballots facilitators record in the "
        "room need nothing more."
    )
    model: strawberry.Private[VotingRound]

    @classmethod
    def of(cls, voting_round: VotingRound) -> VotingRoundType:
        return cls(
            id=gid("VotingRound", voting_round.id),
            title=voting_round.title,
            method=voting_round.method,
            ranked_tally=voting_round.ranked_tally,
            state=voting_round.state,
            dots_per_person=voting_round.dots_per_person,
            max_dots_per_item=voting_round.max_dots_per_item,
            result_visibility=voting_round.result_visibility,
            closes_at=voting_round.closes_at,
            opened_at=voting_round.opened_at,
            closed_at=voting_round.closed_at,
            online_sign_in=voting_round.online_sign_in,
            model=voting_round,
        )

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)

    @strawberry.field(description="The proposals on the ballot, in ballot order.")
    async def proposals(self, info: Info) -> list[ProposalRef]:
        from schema.proposals.types import ProposalType

        rows = await info.context.loaders.ballot_proposals.load(self.model.id)
        return [ProposalType.of(p) for p in rows]

    @strawberry.field(description="The viewer's own ballot, or null.")
    async def my_ballot(self, info: Info) -> BallotType | None:
        ballot = await info.context.loaders.my_ballot.load(self.model.id)
        return BallotType.of(ballot) if ballot else None

    @strawberry.field(
        description="Number of people who have a ballot in this round (always visible)."
    )
    async def turnout(self, info: Info) -> int:
        return await info.context.loaders.turnout.load(self.model.id)

    @strawberry.field(
        description="Null while results are sealed for this viewer (see resultVisibility)."
    )
    async def results(self, info: Info) -> RoundResultsType | None:
        found = await info.context.loaders.results.load(self.model.id)
        return RoundResultsType.of(found) if found else None


@strawberry.type(name="BallotEntry")
class BallotEntryType:
    points: int | None = strawberry.field(
        description="APPROVAL: 1; DOTS: dots given; RANKED: null."
    )
    rank: int | None = strawberry.field(description="RANKED: 1 = first preference; otherwise null.")
    model: strawberry.Private[BallotEntry]

    @strawberry.field
    def proposal(self, info: Info) -> ProposalRef:
        return now_or_later(
            info.context.loaders.proposal, self.model.proposal_id, _proposal_type().of_found
        )


@strawberry.type(name="Ballot", description="One person's ballot in one round.")
class BallotType:
    assisted: bool = strawberry.field(
        description="Recorded by a facilitator for this person (in the room or on paper)."
    )
    updated_at: datetime
    model: strawberry.Private[Ballot]
    # The entries as written by the cast that answers with this ballot: a concurrent
    # re-cast must not change what an earlier cast reports it wrote.
    written: strawberry.Private[list[BallotEntry] | None] = None

    @classmethod
    def of(cls, ballot: Ballot, written: list[BallotEntry] | None = None) -> BallotType:
        return cls(
            assisted=ballot.assisted_by_id is not None,
            updated_at=ballot.updated_at,
            model=ballot,
            written=written,
        )

    @strawberry.field
    async def round(self, info: Info) -> VotingRoundType:
        return await _round(info, self.model.round_id)

    @strawberry.field
    async def entries(self, info: Info) -> list[BallotEntryType]:
        entries = self.written
        if entries is None:
            entries = await info.context.loaders.entries.load(self.model.id)
        return [BallotEntryType(points=e.points, rank=e.rank, model=e) for e in entries]


@strawberry.type(name="ResultRow")
class ResultRowType:
    rank: int
    score: float = strawberry.field(
        description="APPROVAL: approvals; DOTS: dots; RANKED: Borda points (Schulze: "
        "proposals beaten)."
    )
    supporters: int = strawberry.field(description="People who gave this proposal any support.")
    proposal_id: strawberry.Private[int]

    @classmethod
    def of(cls, row: Row) -> ResultRowType:
        return cls(
            rank=row.rank, score=row.score, supporters=row.supporters, proposal_id=row.proposal_id
        )

    @strawberry.field
    async def proposal(self, info: Info) -> ProposalRef:
        return await _proposal(info, self.proposal_id)


@strawberry.type(name="KindBreakdown")
class KindBreakdownType:
    kind: PersonKind
    voters: int | None = strawberry.field(
        description="Null when fewer than 5 people of this kind voted (suppressed). To stop "
        "subtraction revealing a small group, all kinds are withheld when any one is. "
        "Published only once the round is closed (null while open), counting the kind each "
        "voter had when they cast."
    )
    rows: list[ResultRowType] | None


@strawberry.type(name="RoundResults")
class RoundResultsType:
    turnout: int
    rows: list[ResultRowType]
    by_kind: list[KindBreakdownType]
    snapshot_hash: str | None = strawberry.field(
        description="Set once the round is closed: sha256 hex of the canonical frozen result."
    )
    snapshot_json: str | None = strawberry.field(
        description="Set once the round is closed: the canonical frozen result (JSON, sorted "
        "keys, no spaces, UTF-8) whose sha256 is snapshotHash. Null while open."
    )
    round_id: strawberry.Private[int]

    @classmethod
    def of(cls, found: voting_results.RoundResults) -> RoundResultsType:
        return cls(
            turnout=found.turnout,
            rows=[ResultRowType.of(r) for r in found.rows],
            by_kind=[
                KindBreakdownType(
                    kind=split.kind,
                    voters=split.voters,
                    rows=None if split.rows is None else [ResultRowType.of(r) for r in split.rows],
                )
                for split in found.by_kind
            ],
            snapshot_hash=found.snapshot_hash,
            snapshot_json=found.snapshot_json,
            round_id=found.round_id,
        )

    @strawberry.field
    async def round(self, info: Info) -> VotingRoundType:
        return await _round(info, self.round_id)


@strawberry.type(name="Priority", description="A row of a closed round's ranked result.")
class PriorityType:
    rank: int
    score: float
    supporters: int
    # A value, not a resolver: the list that makes priorities has read their proposals
    # already, and a resolver per row (Strawberry's argument and extension machinery
    # for each) cost more than the proposal itself.
    proposal: ProposalRef
    model: strawberry.Private[PriorityRow]

    @classmethod
    def of(cls, priority: PriorityRow, proposal: ProposalType) -> PriorityType:
        return cls(
            rank=priority.rank,
            score=priority.score,
            supporters=priority.supporters,
            proposal=proposal,
            model=priority,
        )

    @strawberry.field
    async def round(self, info: Info) -> VotingRoundType:
        return await _round(info, self.model.round_id)

    @strawberry.field(description="The action this priority became, if adopted.")
    async def action(self, info: Info) -> ActionRef | None:
        from schema.actions.types import ActionType

        key = (self.model.round_id, self.model.proposal_id)
        action = await info.context.loaders.priority_action.load(key)
        return ActionType.of(action) if action else None
