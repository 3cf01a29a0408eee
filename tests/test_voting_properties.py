"""Random rounds, random ballots, re-casts and withdrawals through the service layer on
real PostgreSQL: the tally the app computes (live, and frozen at close) always equals an
independent model written here; it does not depend on the order ballots arrived in; and
every ballot weighs 1, whatever the voter's kind or roles.

One test database per test; each example adds its own proposals and rounds to it, so an
example costs a few transactions, not a new database."""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor, Scope
from server.errors import DomainError, ErrorCode
from server.people import repository as people_repo
from server.people.models import PersonKind, Role
from server.proposals import service as proposals
from server.voting import rules
from server.voting import service as voting
from server.voting.models import RankedTally, ResultVisibility, VotingMethod
from server.voting.results import MIN_GROUP, RoundResults
from tests.support import Api, Someone, World
from tests.voting_support import many_voters

# proposal index -> (points, rank)
Marks = dict[int, tuple[int | None, int | None]]
RowTuple = tuple[int, int, float, int]  # rank, proposal id, score, supporters

PROPERTY_SETTINGS = settings(
    max_examples=25,
    deadline=None,
    # The database fixtures are built once per test on purpose: each example makes its
    # own proposals and rounds, and never depends on another example's.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


# ---------------------------------------------------------------------------------------
# The independent model.


def model_valid(method: VotingMethod, dots: int | None, cap: int | None, marks: Marks) -> bool:
    if not marks:
        return False
    if method is VotingMethod.APPROVAL:
        return all(points in (None, 1) and rank is None for points, rank in marks.values())
    if method is VotingMethod.DOTS:
        assert dots is not None
        given_points = [points for points, _ in marks.values()]
        if any(p is None or p < 1 or p > (cap or dots) for p in given_points):
            return False
        return sum(p or 0 for p in given_points) <= dots
    ranks = sorted(rank or 0 for _, rank in marks.values())
    return all(points is None for points, _ in marks.values()) and ranks == list(
        range(1, len(marks) + 1)
    )


def model_schulze(candidates: Sequence[int], ballots: Sequence[Marks]) -> dict[int, float]:
    """Schulze by widest paths found with a max-min Dijkstra from each candidate (not the
    Floyd-Warshall of the app), scored as the number of candidates each one beats."""
    never = len(candidates) + 1

    def rank_of(ballot: Marks, c: int) -> int:
        return ballot[c][1] or never if c in ballot else never

    prefer = {
        (a, b): sum(1 for ballot in ballots if rank_of(ballot, a) < rank_of(ballot, b))
        for a in candidates
        for b in candidates
        if a != b
    }
    link = {(a, b): d if d > prefer[(b, a)] else 0 for (a, b), d in prefer.items()}
    strength: dict[tuple[int, int], int] = {}
    for source in candidates:
        best = {c: 0 for c in candidates if c != source}
        for c in best:
            best[c] = link[(source, c)]
        done: set[int] = set()
        while len(done) < len(best):
            here = max((c for c in best if c not in done), key=lambda c: best[c])
            done.add(here)
            for there in best:
                if there not in done and there != here:
                    best[there] = max(best[there], min(best[here], link[(here, there)]))
        for c, value in best.items():
            strength[(source, c)] = value
    return {
        a: float(sum(1 for b in candidates if b != a and strength[(a, b)] > strength[(b, a)]))
        for a in candidates
    }


def model_tally(
    method: VotingMethod, ranked: RankedTally, candidates: Sequence[int], ballots: Sequence[Marks]
) -> list[RowTuple]:
    n = len(candidates)
    score = dict.fromkeys(candidates, 0.0)
    supporters = dict.fromkeys(candidates, 0)
    for ballot in ballots:  # each ballot counted once, with weight 1
        for proposal, (points, rank) in ballot.items():
            supporters[proposal] += 1
            if method is VotingMethod.APPROVAL:
                score[proposal] += 1
            elif method is VotingMethod.DOTS:
                score[proposal] += points or 0
            elif ranked is RankedTally.BORDA:
                assert rank is not None
                score[proposal] += n - rank + 1
    if method is VotingMethod.RANKED and ranked is RankedTally.SCHULZE:
        score = model_schulze(candidates, ballots)
    ordered = sorted(candidates, key=lambda c: (-score[c], -supporters[c], candidates.index(c)))
    return [(i + 1, c, score[c], supporters[c]) for i, c in enumerate(ordered)]


# ---------------------------------------------------------------------------------------
# Scenarios.


@dataclass(frozen=True)
class Scenario:
    method: VotingMethod
    ranked: RankedTally
    size: int
    dots: int | None
    cap: int | None
    # (voter index, marks by proposal index) or (voter index, None) for a withdrawal
    steps: list[tuple[int, Marks | None]]
    arrival: list[int] = field(default_factory=list)


VOTERS = 12  # 6 residents, 6 professionals; some facilitate, administer or sit on the board


@st.composite
def scenarios(draw: st.DrawFn) -> Scenario:
    method = draw(st.sampled_from(VotingMethod))
    ranked = (
        draw(st.sampled_from(RankedTally)) if method is VotingMethod.RANKED else RankedTally.BORDA
    )
    size = draw(st.integers(2, 5))
    dots = draw(st.integers(1, 8)) if method is VotingMethod.DOTS else None
    cap = draw(st.none() | st.integers(1, dots)) if dots is not None else None

    def marks(data: st.DrawFn) -> Marks:
        chosen = data(st.lists(st.integers(0, size - 1), min_size=1, max_size=size, unique=True))
        broken = data(st.integers(0, 9)) == 0  # now and then, a ballot that breaks a rule
        if method is VotingMethod.APPROVAL:
            result: Marks = {p: (data(st.sampled_from([None, 1])), None) for p in chosen}
            if broken:
                result[chosen[0]] = (2, None)
            return result
        if method is VotingMethod.DOTS:
            assert dots is not None
            top = (cap or dots) + (1 if broken else 0)
            return {p: (data(st.integers(1, top)), None) for p in chosen}
        ranks = list(range(1, len(chosen) + 1))
        if broken:
            ranks[-1] += 1
        return {p: (None, r) for p, r in zip(chosen, ranks, strict=True)}

    steps: list[tuple[int, Marks | None]] = []
    for _ in range(draw(st.integers(1, 16))):
        voter = draw(st.integers(0, VOTERS - 1))
        withdraw = draw(st.integers(0, 5)) == 0
        steps.append((voter, None if withdraw else marks(draw)))
    arrival = draw(st.permutations(range(VOTERS)))
    return Scenario(method, ranked, size, dots, cap, steps, list(arrival))


# ---------------------------------------------------------------------------------------
# Driving the service layer.


@dataclass
class Cast:
    api: Api
    facilitator: Actor
    voters: list[tuple[Actor, PersonKind]]


async def _actor(api: Api, who: Someone) -> Actor:
    async def work(session: AsyncSession) -> Actor:
        grants = await people_repo.grants(session, who.person_id)
        return Actor.build(who.person_id, (Scope.READ, Scope.WRITE), grants)

    return await api.run(work)


# Hypothesis runs every example of a test with the same fixture values: the people built
# on its first example are kept for the others, per test (per Api).
_CASTS: weakref.WeakKeyDictionary[Api, Cast] = weakref.WeakKeyDictionary()


async def _cast_of(api: Api) -> Cast:
    """The same people for every example of a test (built on its first example)."""
    if api not in _CASTS:
        world = await World(api).build()
        board_voter = await api.someone(
            "Bea Board",
            kind=PersonKind.RESIDENT,
            roles=[(Role.BOARD, "coventry"), (Role.PARTICIPANT, "willenhall")],
        )
        residents = [world.resident, board_voter, *await many_voters(api, 4)]
        professionals = [
            world.gp,
            world.facilitator,
            world.admin,
            *await many_voters(api, 3, kind=PersonKind.PROFESSIONAL),
        ]
        voters = [(await _actor(api, w), PersonKind.RESIDENT) for w in residents]
        voters += [(await _actor(api, w), PersonKind.PROFESSIONAL) for w in professionals]
        assert len(voters) == VOTERS
        _CASTS[api] = Cast(api, await _actor(api, world.facilitator), voters)
    return _CASTS[api]


async def _new_round(cast: Cast, scenario: Scenario, proposal_ids: list[int]) -> int:
    async def work(session: AsyncSession) -> int:
        made = await voting.create_round(
            session,
            cast.facilitator,
            area_slug="willenhall",
            title="Which first?",
            method=scenario.method,
            proposal_ids=proposal_ids,
            dots_per_person=scenario.dots,
            max_dots_per_item=scenario.cap,
            result_visibility=ResultVisibility.AFTER_CLOSE,
            closes_at=None,
            ranked_tally=scenario.ranked,
        )
        await voting.open_round(session, cast.facilitator, made.id)
        return made.id

    return await cast.api.run(work)


async def _proposals(cast: Cast, size: int) -> list[int]:
    async def work(session: AsyncSession) -> list[int]:
        made = []
        for i in range(size):
            proposal = await proposals.propose_item(
                session,
                cast.voters[i % VOTERS][0],
                area_slug="willenhall",
                title=f"Idea {i}",
                description="An idea.",
                conversation_id=None,
            )
            made.append(proposal.id)
        return made

    return await cast.api.run(work)


def _entries(marks: Marks, proposal_ids: list[int]) -> list[rules.EntryInput]:
    return [
        rules.EntryInput(proposal_ids[index], points, rank)
        for index, (points, rank) in marks.items()
    ]


async def _step(
    cast: Cast, round_id: int, voter: Actor, marks: Marks | None, proposal_ids: list[int]
) -> None:
    async def work(session: AsyncSession) -> None:
        if marks is None:
            await voting.withdraw_ballot(session, voter, round_id)
        else:
            await voting.cast_ballot(
                session, voter, round_id=round_id, entries=_entries(marks, proposal_ids)
            )

    await cast.api.run(work)


async def _results(cast: Cast, round_id: int, close: bool = False) -> RoundResults:
    async def work(session: AsyncSession) -> RoundResults:
        if close:
            await voting.close_round(session, cast.facilitator, round_id)
        voting_round = await voting.get(session, round_id)
        return await voting.results_unsealed(session, voting_round)

    return await cast.api.run(work)


def _rows(found: Sequence[Any]) -> list[RowTuple]:
    return [(r.rank, r.proposal_id, r.score, r.supporters) for r in found]


def _by_index(ballots: dict[int, Marks], proposal_ids: list[int]) -> dict[int, Marks]:
    return {
        voter: {proposal_ids[i]: m for i, m in marks.items()} for voter, marks in ballots.items()
    }


async def _play(cast: Cast, scenario: Scenario) -> tuple[list[int], int, dict[int, Marks]]:
    """Run the scenario's steps on a new round, checking each against the model; the
    proposals, the round and the ballots the model expects to stand."""
    proposal_ids = await _proposals(cast, scenario.size)
    round_id = await _new_round(cast, scenario, proposal_ids)
    expected: dict[int, Marks] = {}
    for voter_index, marks in scenario.steps:
        voter = cast.voters[voter_index][0]
        should_work = (
            voter_index in expected
            if marks is None
            else model_valid(scenario.method, scenario.dots, scenario.cap, marks)
        )
        refused: DomainError | None = None
        try:
            await _step(cast, round_id, voter, marks, proposal_ids)
        except DomainError as error:
            refused = error
        if refused is not None:
            assert not should_work, (marks, refused)
            assert refused.code in {
                ErrorCode.INVALID_INPUT,
                ErrorCode.OVER_BUDGET,
                ErrorCode.OVER_ITEM_CAP,
                ErrorCode.NOT_FOUND,
            }
        else:
            assert should_work, marks
            if marks is None:
                del expected[voter_index]
            else:
                expected[voter_index] = marks
    return proposal_ids, round_id, expected


# ---------------------------------------------------------------------------------------
# The properties.


@PROPERTY_SETTINGS
@given(scenario=scenarios())
async def test_the_tally_equals_the_model_live_and_frozen(api: Api, scenario: Scenario) -> None:
    cast = await _cast_of(api)
    proposal_ids, round_id, expected = await _play(cast, scenario)
    ballots = _by_index(expected, proposal_ids)
    want = model_tally(scenario.method, scenario.ranked, proposal_ids, list(ballots.values()))

    live = await _results(cast, round_id)
    assert live.turnout == len(ballots)
    assert _rows(live.rows) == want

    frozen = await _results(cast, round_id, close=True)
    assert frozen.turnout == len(ballots)
    assert _rows(frozen.rows) == want
    assert frozen.snapshot_hash is not None

    kinds = {
        kind: [m for v, m in ballots.items() if cast.voters[v][1] is kind] for kind in PersonKind
    }
    shown = all(len(group) >= MIN_GROUP for group in kinds.values())
    for split in frozen.by_kind:
        if not shown:
            assert (split.voters, split.rows) == (None, None)
            continue
        assert split.voters == len(kinds[split.kind])
        assert split.rows is not None
        assert _rows(split.rows) == model_tally(
            scenario.method, scenario.ranked, proposal_ids, kinds[split.kind]
        )


@PROPERTY_SETTINGS
@given(scenario=scenarios())
async def test_results_do_not_depend_on_the_order_ballots_arrive(
    api: Api, scenario: Scenario
) -> None:
    cast = await _cast_of(api)
    proposal_ids, round_id, expected = await _play(cast, scenario)
    first = await _results(cast, round_id, close=True)

    # The same final ballots, cast straight away in another order, in a twin round.
    twin = await _new_round(cast, scenario, proposal_ids)
    for voter_index in scenario.arrival:
        if voter_index in expected:
            voter = cast.voters[voter_index][0]
            await _step(cast, twin, voter, expected[voter_index], proposal_ids)
    second = await _results(cast, twin, close=True)

    assert second.turnout == first.turnout
    assert _rows(second.rows) == _rows(first.rows)
    assert second.by_kind == first.by_kind


@PROPERTY_SETTINGS
@given(scenario=scenarios(), voter_index=st.integers(0, VOTERS - 1))
async def test_every_ballot_weighs_one_whoever_casts_it(
    api: Api, scenario: Scenario, voter_index: int
) -> None:
    """The same ballot moves the result by exactly one ballot's worth, cast by a resident
    or a professional, a participant, facilitator, board member or admin."""
    cast = await _cast_of(api)
    proposal_ids, round_id, expected = await _play(cast, scenario)
    before = await _results(cast, round_id)
    ballots = _by_index(expected, proposal_ids)
    others = [m for v, m in ballots.items() if v != voter_index]
    one = ballots.get(voter_index)
    if one is None:
        return
    assert _rows(before.rows) == model_tally(
        scenario.method, scenario.ranked, proposal_ids, [*others, one]
    )
    await _step(cast, round_id, cast.voters[voter_index][0], None, proposal_ids)
    without = await _results(cast, round_id)
    assert without.turnout == before.turnout - 1
    assert _rows(without.rows) == model_tally(
        scenario.method, scenario.ranked, proposal_ids, others
    )
    if scenario.method is not VotingMethod.RANKED or scenario.ranked is RankedTally.BORDA:
        n = len(proposal_ids)
        gained = {r.proposal_id: r.score for r in before.rows}
        lost = {r.proposal_id: r.score for r in without.rows}
        for proposal, (points, rank) in one.items():
            weight = {
                VotingMethod.APPROVAL: 1,
                VotingMethod.DOTS: points or 0,
                VotingMethod.RANKED: n - (rank or 0) + 1,
            }[scenario.method]
            assert gained[proposal] - lost[proposal] == weight


def test_the_model_agrees_with_a_known_schulze_example() -> None:
    """Wikipedia's Schulze example (45 voters, A..E): order E > A > C > B > D."""
    a, b, c, d, e = range(1, 6)
    groups = [
        (5, [a, c, b, e, d]),
        (5, [a, d, e, c, b]),
        (8, [b, e, d, a, c]),
        (3, [c, a, b, e, d]),
        (7, [c, a, e, b, d]),
        (2, [c, b, a, d, e]),
        (7, [d, c, e, b, a]),
        (8, [e, b, a, d, c]),
    ]
    ballots: list[Marks] = [
        {p: (None, r) for r, p in enumerate(order, start=1)}
        for count, order in groups
        for _ in range(count)
    ]
    rows = model_tally(VotingMethod.RANKED, RankedTally.SCHULZE, [a, b, c, d, e], ballots)
    assert [proposal for _, proposal, _, _ in rows] == [e, a, c, b, d]
