"""The live counters (migration 0010) against the ballots themselves.

Random rounds, casts, re-casts and withdrawals through the service layer, then the writes
that bypass it (a moderation merge in plain SQL, a ballot deleted in SQL, a voter changing
kind and casting again, a ballot moved to another person): after each, the counters'
results equal a full recount from the ballots, for approval, dots, Borda and Schulze, and
every counter (per kind, per pair) equals the same aggregate taken over the ballots.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.ids import from_global_id, to_global_id
from server.moderation import repository as moderation_repo
from server.people.models import PersonKind, Role
from server.voting import repository, results, rules
from server.voting import service as voting
from server.voting.live import LiveResults
from server.voting.models import RankedTally, VotingMethod
from server.voting.tally import Mark, count, from_counts, tally
from tests.http_browser import Browser
from tests.support import Api, Someone, World
from tests.test_voting_properties import (
    PROPERTY_SETTINGS,
    Scenario,
    _cast_of,
    _play,
    scenarios,
)
from tests.voting_support import many_voters

# Each counter's rows, summed over shards, next to the same figure from the ballots.
COUNTER_CHECKS = [
    (
        "SELECT voter_kind, sum(voters) FROM round_turnouts WHERE round_id = :r "
        "GROUP BY 1 HAVING sum(voters) <> 0",
        "SELECT voter_kind, count(*) FROM ballots WHERE round_id = :r GROUP BY 1",
    ),
    (
        "SELECT proposal_id, voter_kind, sum(supporters), sum(points), sum(rank_sum) "
        "FROM round_tallies WHERE round_id = :r GROUP BY 1, 2 HAVING sum(supporters) <> 0 "
        "OR sum(points) <> 0 OR sum(rank_sum) <> 0",
        "SELECT e.proposal_id, b.voter_kind, count(*), coalesce(sum(e.points), 0), "
        "coalesce(sum(e.rank), 0) FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id "
        "WHERE e.round_id = :r GROUP BY 1, 2",
    ),
    (
        "SELECT ahead_id, behind_id, sum(ballots) FROM round_pairs WHERE round_id = :r "
        "GROUP BY 1, 2 HAVING sum(ballots) <> 0",
        "SELECT a.proposal_id, z.proposal_id, count(*) FROM ballot_entries a "
        "JOIN ballot_entries z ON z.ballot_id = a.ballot_id "
        "WHERE a.round_id = :r AND a.rank < z.rank GROUP BY 1, 2",
    ),
]


async def _agree(api: Api, round_id: int) -> None:
    async def work(session: AsyncSession) -> None:
        for counters, ballots in COUNTER_CHECKS:
            kept = sorted(map(tuple, await session.execute(text(counters), {"r": round_id})))
            counted = sorted(map(tuple, await session.execute(text(ballots), {"r": round_id})))
            assert kept == counted, counters
        voting_round = await voting.get(session, round_id)
        live = await results.compute(session, voting_round)
        recount = await results.recount(session, voting_round)
        assert (live.turnout, live.rows) == (recount.turnout, recount.rows)

    await api.run(work)


@PROPERTY_SETTINGS
@given(scenario=scenarios(), seed=st.integers(0, 1000))
async def test_the_counters_equal_a_recount_whatever_writes_the_ballots(
    api: Api, scenario: Scenario, seed: int
) -> None:
    cast = await _cast_of(api)
    proposal_ids, round_id, expected = await _play(cast, scenario)
    await _agree(api, round_id)
    if not expected:
        return
    voters = sorted(expected)
    someone = cast.voters[voters[seed % len(voters)]][0]

    # A voter changes kind: nothing counted moves, casting again included (the ballot
    # keeps the kind it was first cast with).
    async def change_kind(session: AsyncSession) -> None:
        await session.execute(
            text(
                "UPDATE people SET kind = CASE kind WHEN 'resident' THEN 'professional' "
                "ELSE 'resident' END WHERE id = :p"
            ),
            {"p": someone.person_id},
        )

    await api.run(change_kind)
    await _agree(api, round_id)

    async def cast_again(session: AsyncSession) -> None:
        marks = expected[voters[seed % len(voters)]]
        await voting.cast_ballot(
            session,
            someone,
            round_id=round_id,
            entries=[rules.EntryInput(proposal_ids[i], p, r) for i, (p, r) in marks.items()],
        )

    await api.run(cast_again)
    await _agree(api, round_id)

    # Moderation merges two proposals on the ballot in plain SQL (entries rewritten,
    # deleted, re-ranked).
    if len(proposal_ids) >= 2:
        source, target = proposal_ids[seed % len(proposal_ids)], proposal_ids[0]
        if source != target:
            await api.run(lambda s: moderation_repo.merge_on_ballot(s, round_id, source, target))
            await _agree(api, round_id)

    # A ballot given to another person (merged accounts), then one deleted in SQL.
    others = [v for v in range(len(cast.voters)) if v not in expected]
    if others:
        ballot = await api.run(lambda s: repository.ballot_of(s, round_id, someone.person_id))
        assert ballot is not None
        receiver = cast.voters[others[0]][0].person_id
        await api.run(lambda s: repository.move_ballot(s, ballot.id, receiver))
        await _agree(api, round_id)
    await api.run(
        lambda s: s.execute(
            text(
                "DELETE FROM ballots WHERE id = (SELECT min(id) FROM ballots WHERE round_id = :r)"
            ),
            {"r": round_id},
        )
    )
    await _agree(api, round_id)


marks_strategy = st.lists(
    st.tuples(st.integers(0, 5), st.integers(1, 4)),
    min_size=1,
    max_size=6,
    unique_by=lambda m: m[0],
)


@given(
    ballots=st.lists(marks_strategy, max_size=30),
    method=st.sampled_from(list(VotingMethod)),
    ranked=st.sampled_from(list(RankedTally)),
)
def test_counting_then_tallying_equals_tallying_the_ballots(
    ballots: Sequence[Sequence[tuple[int, int]]], method: VotingMethod, ranked: RankedTally
) -> None:
    candidates = list(range(6))
    made = [
        [
            Mark(p, None, i + 1) if method is VotingMethod.RANKED else Mark(p, points)
            for i, (p, points) in enumerate(marks)
        ]
        for marks in ballots
    ]
    assert from_counts(method, ranked, candidates, count(made)) == tally(
        method, ranked, candidates, made
    )


async def test_a_corrupted_counter_is_logged_at_close_and_the_recount_stands(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    world = await World(api).build()
    walk, bench = await world.proposal("A walking group"), await world.proposal("A bench")
    round_id = await world.round([walk, bench], resultVisibility="LIVE")
    await world.cast(round_id, world.resident, {"proposalId": walk})
    await world.cast(round_id, world.gp, {"proposalId": walk})
    await world.cast(round_id, world.facilitator, {"proposalId": bench})
    pk = _pk(round_id)
    await api.run(
        lambda s: s.execute(
            text(
                "UPDATE round_tallies SET supporters = supporters + 5, points = points + 5 "
                "WHERE ctid = (SELECT ctid FROM round_tallies WHERE round_id = :r LIMIT 1)"
            ),
            {"r": pk},
        )
    )
    live = await _results(api, world, round_id)
    assert sum(row["score"] for row in live["rows"]) == 8.0  # the corruption shows live

    with caplog.at_level(logging.WARNING, logger="server.voting.results"):
        await world.close(round_id)
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert [r.getMessage() for r in warnings] == [
        f"round {pk}: live counters disagree with the recount at close; the recount stands"
    ]
    frozen = await _results(api, world, round_id)
    assert frozen["turnout"] == 3
    assert [(r["proposal"]["id"], r["score"], r["supporters"]) for r in frozen["rows"]] == [
        (walk, 2.0, 2),
        (bench, 1.0, 1),
    ]


async def test_an_honest_close_logs_nothing(api: Api, caplog: pytest.LogCaptureFixture) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], method="RANKED", rankedTally="SCHULZE")
    await world.cast(round_id, world.resident, {"proposalId": walk, "rank": 1})
    with caplog.at_level(logging.WARNING, logger="server.voting.results"):
        await world.close(round_id)
    assert not [r for r in caplog.records if r.name == "server.voting.results"]


def _pk(round_id: str) -> int:
    decoded = from_global_id(round_id)
    assert decoded is not None
    return decoded[1]


RESULTS = """query($id: ID!) { node(id: $id) { ... on VotingRound { results {
    turnout rows { score supporters proposal { id } } byKind { kind voters rows { score } }
} } } }"""


async def _results(api: Api, world: World, round_id: str) -> dict[str, Any]:
    data = await api.data(RESULTS, {"id": round_id}, as_=world.board)
    found: dict[str, Any] = data["node"]["results"]
    return found


async def test_many_aliases_of_one_rounds_results_compute_once(api: Api) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], resultVisibility="LIVE")
    await world.cast(round_id, world.resident, {"proposalId": walk})
    shared: LiveResults = api.app.state.live_results
    aliases = " ".join(f"a{i}: results {{ turnout rows {{ score }} }} ...R" for i in range(8))
    query = (
        f"query($id: ID!) {{ node(id: $id) {{ ... on VotingRound {{ {aliases} }} }} }} "
        "fragment R on VotingRound { results { turnout } }"
    )
    before = shared.computations
    data = await api.data(query, {"id": round_id}, as_=world.board)
    assert shared.computations - before == 1
    assert {data["node"][f"a{i}"]["turnout"] for i in range(8)} == {1}


async def test_concurrent_readers_share_one_computation(api: Api) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], resultVisibility="LIVE")
    await world.cast(round_id, world.resident, {"proposalId": walk})
    shared = LiveResults(api.app.state.hub, refresh_seconds=60)
    pk = _pk(round_id)
    voting_round = await api.run(lambda s: voting.get(s, pk))

    async def read() -> results.RoundResults:
        async with api.app.state.sessionmaker() as session:
            return await shared.of(session, voting_round)

    found = await asyncio.gather(*(read() for _ in range(30)))
    assert shared.computations == 1
    assert {f.turnout for f in found} == {1}
    # A cast marks it stale; within the refresh window readers keep the last result,
    # so a busy round is summed at most once a window.
    await world.cast(round_id, world.gp, {"proposalId": walk})
    for _ in range(50):
        await asyncio.sleep(0.02)
        if shared._entries[pk].stale:
            break
    assert (await read()).turnout == 1
    assert shared.computations == 1


async def test_a_changed_round_is_read_afresh_after_the_refresh_window(api: Api) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], resultVisibility="LIVE")
    shared = LiveResults(api.app.state.hub, refresh_seconds=0.3)
    pk = _pk(round_id)
    voting_round = await api.run(lambda s: voting.get(s, pk))

    async def read() -> int:
        async with api.app.state.sessionmaker() as session:
            return (await shared.of(session, voting_round)).turnout

    assert await read() == 0
    await world.cast(round_id, world.resident, {"proposalId": walk})
    seen = 0
    for _ in range(100):
        seen = await read()
        if seen == 1:
            break
        await asyncio.sleep(0.02)
    assert seen == 1
    assert to_global_id("VotingRound", pk) == round_id


# ---------------------------------------------------------------------------------------
# The role split: the kind at cast, closed rounds only (issue 16, finding 1).


async def _voters(api: Api, residents: int, professionals: int) -> list[Someone]:
    return [
        *await many_voters(api, residents),
        *await many_voters(api, professionals, kind=PersonKind.PROFESSIONAL),
    ]


async def test_a_live_round_never_shows_the_split_so_a_withdrawal_reveals_nothing(
    api: Api,
) -> None:
    world = await World(api).build()
    walk, bench = await world.proposal("A walking group"), await world.proposal("A bench")
    round_id = await world.round([walk, bench], resultVisibility="LIVE")
    voters = await _voters(api, 5, 5)
    for i, voter in enumerate(voters):
        await world.cast(round_id, voter, {"proposalId": walk if i % 3 else bench})
    withheld = [
        {"kind": "RESIDENT", "voters": None, "rows": None},
        {"kind": "PROFESSIONAL", "voters": None, "rows": None},
    ]
    assert (await _results(api, world, round_id))["byKind"] == withheld
    await api.ok("withdrawBallot", {"roundId": round_id}, as_=voters[0], returning="round { id }")
    assert (await _results(api, world, round_id))["byKind"] == withheld

    await world.cast(round_id, voters[0], {"proposalId": walk})
    await world.close(round_id)
    split = (await _results(api, world, round_id))["byKind"]
    assert [(k["kind"], k["voters"]) for k in split] == [("RESIDENT", 5), ("PROFESSIONAL", 5)]


async def test_changing_kind_at_the_profile_after_voting_changes_no_figure(
    api: Api, browser: Browser
) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], resultVisibility="LIVE")
    await browser.register("switcher@example.org", name="Sam Switch", kind="professional")
    switcher = await api.someone(
        "Sam Switch",
        kind=PersonKind.PROFESSIONAL,
        email="switcher@example.org",
        roles=[(Role.PARTICIPANT, "willenhall")],
    )
    voters = [*await _voters(api, 4, 5), switcher]
    for voter in voters:
        await world.cast(round_id, voter, {"proposalId": walk})
    # 4 residents and 6 professionals voted; one now says they are a resident.
    saved = await browser.submit(
        "/auth/profile", "/auth/profile", {"displayName": "Sam Switch", "kind": "resident"}
    )
    assert "Your profile is saved." in saved.text
    # Casting again keeps the ballot's kind: it was fixed when the ballot was first cast.
    await world.cast(round_id, switcher, {"proposalId": walk})
    await world.close(round_id)
    split = (await _results(api, world, round_id))["byKind"]
    assert split == [
        {"kind": "RESIDENT", "voters": None, "rows": None},
        {"kind": "PROFESSIONAL", "voters": None, "rows": None},
    ]


async def test_seed_scale_prints_the_round_alone_on_its_last_line(
    api: Api, database_url: str
) -> None:
    from tests.test_cli import run

    world = await World(api).build()
    done = await asyncio.to_thread(
        run,
        database_url,
        "seed-scale",
        "--area",
        "willenhall",
        "--voters",
        "300",
        "--method",
        "ranked",
        "--tally",
        "schulze",
    )
    assert done.returncode == 0, done.stderr
    round_id = done.stdout.splitlines()[-1]
    assert done.stdout == round_id + "\n"
    found = await _results(api, world, round_id)
    assert found["turnout"] == 300
    await _agree(api, _pk(round_id))

    unknown = await asyncio.to_thread(
        run, database_url, "seed-scale", "--area", "nowhere", "--voters", "3"
    )
    assert unknown.returncode == 2
    assert unknown.stderr.strip().endswith("error: No area with slug 'nowhere'.")


async def test_when_the_computing_reader_fails_the_waiting_ones_compute_again(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await World(api).build()
    walk = await world.proposal()
    round_id = await world.round([walk], resultVisibility="LIVE")
    await world.cast(round_id, world.resident, {"proposalId": walk})
    shared = LiveResults(api.app.state.hub, refresh_seconds=60)
    voting_round = await api.run(lambda s: voting.get(s, _pk(round_id)))
    original = results.live_from_counters
    calls = 0

    async def lost_once(*args: Any) -> results.RoundResults:
        nonlocal calls
        calls += 1
        if calls == 1:
            await asyncio.sleep(0.1)
            raise ConnectionError("the first reader's connection went")
        return await original(*args)

    monkeypatch.setattr(results, "live_from_counters", lost_once)

    async def read() -> int:
        async with api.app.state.sessionmaker() as session:
            return (await shared.of(session, voting_round)).turnout

    first, *others = await asyncio.gather(*(read() for _ in range(5)), return_exceptions=True)
    assert isinstance(first, ConnectionError)
    assert others == [1, 1, 1, 1]
    assert shared.computations == 2
