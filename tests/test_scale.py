"""Results at city scale on real PostgreSQL (marker ``scale``: ``make test-scale``; kept
out of ``make test``). ``LEVELGROUND_SCALE_VOTERS`` sets the size (default 100,000).

- after ``seed-scale``, the live results equal a full recount from the ballots;
- casts, re-casts and withdrawals racing many readers leave exact counts;
- a committed cast shows in a read on another process within a second (the shared
  results' refresh window), through LISTEN/NOTIFY.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from typing import Any

import asyncpg
import httpx
import pytest

from server.config import Settings
from server.events import asyncpg_dsn
from server.ids import to_global_id
from server.voting import results
from server.voting import service as voting
from server.voting.models import RankedTally, VotingMethod
from server.voting.scale import seed
from tests.support import Api, Someone, World
from tests.test_voting_live import serve
from tests.voting_support import many_voters, pk

pytestmark = pytest.mark.scale

VOTERS = int(os.environ.get("LEVELGROUND_SCALE_VOTERS", "100000"))
RESULTS = """query($id: ID!) { node(id: $id) { ... on VotingRound { turnout results {
    turnout rows { rank score supporters proposal { id } } } } } }"""
CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }"""
WITHDRAW = """mutation($input: RoundInput!) { withdrawBallot(input: $input) { errors { code } } }"""


async def _seed(
    database_url: str, voters: int, method: VotingMethod, ranked: RankedTally = RankedTally.BORDA
) -> str:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        seeded = await seed(
            connection,
            area_slug="willenhall",
            voters=voters,
            proposals=12,
            method=method,
            ranked_tally=ranked,
        )
    finally:
        await connection.close()
    return to_global_id("VotingRound", seeded.round_id)


async def _recount(api: Api, round_id: str) -> dict[str, Any]:
    async def work(session: Any) -> results.RoundResults:
        return await results.recount(session, await voting.get(session, pk(round_id)))

    counted = await api.run(work)
    return {
        "turnout": counted.turnout,
        "rows": [
            {
                "rank": r.rank,
                "score": r.score,
                "supporters": r.supporters,
                "proposal": {"id": to_global_id("Proposal", r.proposal_id)},
            }
            for r in counted.rows
        ],
    }


@pytest.mark.parametrize(
    ("method", "ranked", "share"),
    [
        (VotingMethod.DOTS, RankedTally.BORDA, 1.0),
        (VotingMethod.APPROVAL, RankedTally.BORDA, 0.25),
        (VotingMethod.RANKED, RankedTally.BORDA, 0.25),
        (VotingMethod.RANKED, RankedTally.SCHULZE, 0.25),
    ],
)
async def test_results_after_seed_scale_equal_a_recount(
    api: Api, database_url: str, method: VotingMethod, ranked: RankedTally, share: float
) -> None:
    world = await World(api).build()
    voters = max(1, int(VOTERS * share))
    round_id = await _seed(database_url, voters, method, ranked)
    data = await api.data(RESULTS, {"id": round_id}, as_=world.board)
    assert data["node"]["turnout"] == voters
    assert data["node"]["results"] == await _recount(api, round_id)


async def test_casts_and_reads_racing_keep_exact_counts(api: Api, database_url: str) -> None:
    world = await World(api).build()
    round_id = await _seed(database_url, VOTERS, VotingMethod.APPROVAL)
    ideas = [row["proposal"]["id"] for row in (await _recount(api, round_id))["rows"]]
    newcomers = await many_voters(api, 60)
    rng = random.Random(7)
    turnouts: list[int] = []

    async def cast(http: httpx.AsyncClient, who: Someone) -> None:
        for _ in range(3):  # cast, then re-cast differently
            entries = [{"proposalId": p} for p in rng.sample(ideas, rng.randint(1, 4))]
            body = (
                await http.post(
                    "/graphql",
                    json={
                        "query": CAST,
                        "variables": {"input": {"roundId": round_id, "entries": entries}},
                    },
                    headers={"Authorization": f"Bearer {who.token}"},
                )
            ).json()
            assert body["data"]["castBallot"]["errors"] == [], body
        if who.person_id % 4 == 0:
            body = (
                await http.post(
                    "/graphql",
                    json={"query": WITHDRAW, "variables": {"input": {"roundId": round_id}}},
                    headers={"Authorization": f"Bearer {who.token}"},
                )
            ).json()
            assert body["data"]["withdrawBallot"]["errors"] == [], body

    async def read(http: httpx.AsyncClient) -> None:
        for _ in range(10):
            body = (
                await http.post(
                    "/graphql",
                    json={"query": RESULTS, "variables": {"id": round_id}},
                    headers={"Authorization": f"Bearer {world.board.token}"},
                )
            ).json()
            turnouts.append(body["data"]["node"]["results"]["turnout"])

    transport = httpx.ASGITransport(app=api.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        await asyncio.gather(*(cast(http, w) for w in newcomers), *(read(http) for _ in range(10)))
    withdrawn = sum(1 for w in newcomers if w.person_id % 4 == 0)
    assert all(VOTERS <= t <= VOTERS + len(newcomers) for t in turnouts)
    data = await api.data(RESULTS, {"id": round_id}, as_=world.board)
    assert data["node"]["results"]["turnout"] == VOTERS + len(newcomers) - withdrawn
    assert data["node"]["results"] == await _recount(api, round_id)


async def test_a_committed_cast_shows_in_every_process_within_a_second(
    api: Api, settings: Settings, database_url: str
) -> None:
    world = await World(api).build()
    round_id = await _seed(database_url, VOTERS, VotingMethod.DOTS)
    idea = (await _recount(api, round_id))["rows"][-1]["proposal"]["id"]
    newcomers = await many_voters(api, 3)
    # The production window (the tests' own settings recompute on every read).
    window = Settings.model_fields["results_refresh_seconds"].default
    windowed = settings.model_copy(update={"results_refresh_seconds": window})
    with serve(windowed, database_url) as a, serve(windowed, database_url) as b:

        async def turnout(http: httpx.AsyncClient) -> int:
            body = (
                await http.post(
                    "/graphql",
                    json={"query": RESULTS, "variables": {"id": round_id}},
                    headers={"Authorization": f"Bearer {world.board.token}"},
                )
            ).json()
            found: int = body["data"]["node"]["results"]["turnout"]
            return found

        async with (
            httpx.AsyncClient(base_url=a.url, timeout=60) as on_a,
            httpx.AsyncClient(base_url=b.url, timeout=60) as on_b,
        ):
            expected = VOTERS
            for who in newcomers:
                # Both processes have the round's results cached and fresh.
                assert await turnout(on_a) == expected
                assert await turnout(on_b) == expected
                body = (
                    await on_b.post(
                        "/graphql",
                        json={
                            "query": CAST,
                            "variables": {
                                "input": {
                                    "roundId": round_id,
                                    "entries": [{"proposalId": idea, "points": 1}],
                                }
                            },
                        },
                        headers={"Authorization": f"Bearer {who.token}"},
                    )
                ).json()
                assert body["data"]["castBallot"]["errors"] == [], body
                committed = time.monotonic()
                expected += 1
                for http in (on_a, on_b):
                    while await turnout(http) != expected:
                        # The refresh window, plus a notice's trip and one computation:
                        # within the second results may be stale.
                        assert time.monotonic() - committed < 1.0
                        await asyncio.sleep(0.02)


async def test_a_city_round_closes_to_its_recount(api: Api, database_url: str) -> None:
    world = await World(api).build()
    round_id = await _seed(database_url, VOTERS, VotingMethod.DOTS)
    live = await api.data(RESULTS, {"id": round_id}, as_=world.board)
    counted = await _recount(api, round_id)
    assert live["node"]["results"] == counted
    # seed-scale's round was created by no facilitator: the scheduled closer's path.
    await api.run(lambda s: voting.close_round(s, None, pk(round_id)))
    frozen = await api.data(RESULTS, {"id": round_id}, as_=world.board)
    assert frozen["node"]["results"] == counted
