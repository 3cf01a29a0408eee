"""Casting under real concurrency: many requests at once through GraphQL over HTTP, each on
its own database connection from the app's pool. One person never gets two ballots or a
half-written one, a close never splits a cast, and nothing answers 500.

Each test prints its figures (run with ``-s`` to see them)."""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from server.config import Settings
from server.voting.models import RoundState
from tests.support import Api, Someone, World
from tests.voting_support import (
    ballot_count,
    cast_count,
    many_voters,
    pk,
    second_app,
    snapshots,
    stored_ballots,
)

Json = dict[str, Any]
CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) {
    ballot { entries { points rank proposal { id } } } errors { code field } } }"""
CLOSE = """mutation($input: RoundInput!) { closeVotingRound(input: $input) {
    round { state } errors { code } } }"""
TURNOUT = "query($id: ID!) { node(id: $id) { ... on VotingRound { state turnout } } }"
SNAPSHOT = """query($id: ID!) { node(id: $id) { ... on VotingRound { state turnout
    results { turnout snapshotHash rows { score supporters proposal { id } } } } } }"""

DOTS, CAP = 10, 4
BUDGET_ERRORS = {"OVER_BUDGET", "OVER_ITEM_CAP"}


@pytest.fixture
async def other(settings: Settings, database_url: str) -> AsyncIterator[Api]:
    async with second_app(settings, database_url) as api:
        yield api


# Busy answers (no database connection came free in time: a 503, or RATE_LIMITED as a
# payload or GraphQL error) seen per idempotency key. A client retries those, which is
# safe with a key; the tests do the same and report how often it happened.
BUSY: Counter[str] = Counter()


def _is_busy(response: httpx.Response) -> bool:
    if response.status_code == 503:
        return True
    body = response.json()
    if body.get("errors"):
        assert [e["extensions"]["code"] for e in body["errors"]] == ["RATE_LIMITED"], body
        return True
    errors = body["data"]["castBallot"]["errors"]
    return bool(errors) and errors[0]["code"] == "RATE_LIMITED"


async def _cast(api: Api, who: Someone, input: Json) -> Json:
    """One castBallot over HTTP: its payload. Never a 500; a busy answer is retried when
    the cast has an idempotency key (and returned as it is when it has none)."""
    key = input.get("idempotencyKey")
    for attempt in range(30):
        response = await api.post(CAST, {"input": input}, token=who.token)
        assert response.status_code in (200, 503), response.text
        if key is None or not _is_busy(response):
            break
        BUSY[key] += 1
        await asyncio.sleep(0.1 * (1 + attempt % 5))
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    payload: Json = body["data"]["castBallot"]
    return payload


def _dots_ballot(rng: random.Random, proposals: list[str], *, valid: bool) -> list[Json]:
    """A DOTS ballot inside the budget, or one that breaks the budget or the item cap."""
    if not valid:
        if rng.random() < 0.5:
            return [{"proposalId": p, "points": CAP} for p in proposals[:3]]  # 12 > 10
        return [{"proposalId": proposals[0], "points": CAP + 1}]
    chosen = rng.sample(proposals, rng.randint(1, len(proposals)))
    left, entries = DOTS, []
    for proposal in chosen:
        if left == 0:
            break
        points = rng.randint(1, min(CAP, left))
        left -= points
        entries.append({"proposalId": proposal, "points": points})
    return entries


def _as_stored(entries: list[Json]) -> dict[int, tuple[int | None, int | None]]:
    return {pk(e["proposalId"]): (e.get("points"), e.get("rank")) for e in entries}


def _report(name: str, **figures: object) -> None:
    print(f"\n[{name}] " + " ".join(f"{k}={v}" for k, v in figures.items()))


async def _dots_round(world: World, count: int = 5) -> tuple[str, list[str]]:
    proposals = [await world.proposal(f"Idea {i}") for i in range(count)]
    round_id = await world.round(
        proposals, method="DOTS", dotsPerPerson=DOTS, maxDotsPerItem=CAP, resultVisibility="LIVE"
    )
    return round_id, proposals


async def test_two_hundred_concurrent_casts_by_one_person_leave_one_valid_ballot(api: Api) -> None:
    BUSY.clear()
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    rng = random.Random(4)
    ballots = [_dots_ballot(rng, proposals, valid=i % 5 != 0) for i in range(200)]

    started = time.perf_counter()
    keys = [f"one-{i}" for i in range(len(ballots))]
    answers = await asyncio.gather(
        *(
            _cast(api, world.resident, {"roundId": round_id, "entries": b, "idempotencyKey": k})
            for b, k in zip(ballots, keys, strict=True)
        )
    )
    elapsed = time.perf_counter() - started

    accepted = [b for b, a in zip(ballots, answers, strict=True) if not a["errors"]]
    refused = Counter(a["errors"][0]["code"] for a in answers if a["errors"])
    for submitted, answer, key in zip(ballots, answers, keys, strict=True):
        if answer["errors"]:
            assert len(answer["errors"]) == 1
            assert answer["errors"][0]["code"] in BUDGET_ERRORS, answer
            assert answer["ballot"] is None
        elif not BUSY[key]:  # a retried key answers with the ballot as it then stood
            returned = [
                {"proposalId": e["proposal"]["id"], "points": e["points"]}
                for e in answer["ballot"]["entries"]
            ]
            assert _as_stored(returned) == _as_stored(submitted)
    stored = await stored_ballots(api, round_id)
    assert len(stored) == 1
    (ballot,) = stored
    assert ballot.person_id == world.resident.person_id
    total = sum(points or 0 for points, _ in ballot.entries.values())
    assert 1 <= total <= DOTS
    assert all(1 <= (points or 0) <= CAP for points, _ in ballot.entries.values())
    assert ballot.entries in [_as_stored(b) for b in accepted]
    assert len(accepted) == 160
    assert sum(refused.values()) == 40
    assert await cast_count(api, round_id) == len(accepted)
    turnout = (await api.data(TURNOUT, {"id": round_id}, as_=world.board))["node"]
    assert turnout == {"state": "OPEN", "turnout": 1}
    _report(
        "one person x200",
        requests=len(ballots),
        accepted=len(accepted),
        refused=dict(refused),
        ballots=len(stored),
        stored_dots=total,
        budget_drift=max(0, total - DOTS),
        busy_retries=sum(BUSY[k] for k in keys),
        wall_s=f"{elapsed:.2f}",
    )


async def test_two_hundred_people_casting_at_once_all_count(api: Api) -> None:
    BUSY.clear()
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    voters = await many_voters(api, 200)
    rng = random.Random(7)
    ballots = [_dots_ballot(rng, proposals, valid=True) for _ in voters]

    started = time.perf_counter()
    answers = await asyncio.gather(
        *(
            _cast(api, who, {"roundId": round_id, "entries": b, "idempotencyKey": f"k{who.id}"})
            for who, b in zip(voters, ballots, strict=True)
        )
    )
    elapsed = time.perf_counter() - started

    assert [a["errors"] for a in answers] == [[]] * len(voters)
    stored = {b.person_id: b.entries for b in await stored_ballots(api, round_id)}
    assert stored == {who.person_id: _as_stored(b) for who, b in zip(voters, ballots, strict=True)}
    turnout = (await api.data(TURNOUT, {"id": round_id}, as_=world.board))["node"]
    assert turnout == {"state": "OPEN", "turnout": 200}
    results = await api.data(SNAPSHOT, {"id": round_id}, as_=world.board)
    scores = {row["proposal"]["id"]: row["score"] for row in results["node"]["results"]["rows"]}
    expected: Counter[str] = Counter()
    for ballot in ballots:
        for entry in ballot:
            expected[entry["proposalId"]] += entry["points"]
    assert scores == {p: float(expected[p]) for p in proposals}
    _report(
        "200 people",
        requests=len(voters),
        accepted=len(voters),
        ballots=len(stored),
        busy_retries=sum(BUSY[f"k{who.id}"] for who in voters),
        wall_s=f"{elapsed:.2f}",
        casts_per_s=f"{len(voters) / elapsed:.0f}",
    )


async def test_casts_racing_a_close_are_counted_or_refused_never_half_written(
    api: Api, other: Api
) -> None:
    BUSY.clear()
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    voters = await many_voters(api, 120)
    rng = random.Random(11)
    ballots = [_dots_ballot(rng, proposals, valid=True) for _ in voters]

    async def close_midway() -> Json:
        # Closed through a second app instance (its own engine and pool) on the same
        # database, once a good share of the casts are in, so it really races the rest.
        for _ in range(3000):
            if await ballot_count(other, round_id) >= len(voters) // 3:
                break
            await asyncio.sleep(0.01)
        response = await other.post(
            CLOSE, {"input": {"roundId": round_id}}, token=world.facilitator.token
        )
        assert response.status_code == 200, response.text
        payload: Json = response.json()["data"]["closeVotingRound"]
        return payload

    started = time.perf_counter()
    *answers, closed = await asyncio.gather(
        *(
            _cast(api, who, {"roundId": round_id, "entries": b, "idempotencyKey": f"k{who.id}"})
            for who, b in zip(voters, ballots, strict=True)
        ),
        close_midway(),
    )
    elapsed = time.perf_counter() - started

    assert closed == {"round": {"state": "CLOSED"}, "errors": []}
    # The close really landed among the casts: some were counted, some refused.
    counted = {
        who.person_id: _as_stored(b)
        for who, b, a in zip(voters, ballots, answers, strict=True)
        if not a["errors"]
    }
    refused = [a for a in answers if a["errors"]]
    assert counted
    assert refused
    assert all(a["errors"] == [{"code": "ROUND_NOT_OPEN", "field": ["roundId"]}] for a in refused)
    stored = {b.person_id: b.entries for b in await stored_ballots(api, round_id)}
    assert stored == counted
    (snapshot,) = await snapshots(api, round_id)
    frozen = (await api.data(SNAPSHOT, {"id": round_id}, as_=world.board))["node"]
    assert frozen["state"] == RoundState.CLOSED.name
    assert frozen["turnout"] == frozen["results"]["turnout"] == len(stored)
    assert frozen["results"]["snapshotHash"] == snapshot.sha256
    expected: Counter[int] = Counter()
    for entries in stored.values():
        for proposal_id, (points, _) in entries.items():
            expected[proposal_id] += points or 0
    frozen_scores = {pk(r["proposal"]["id"]): r["score"] for r in frozen["results"]["rows"]}
    assert frozen_scores == {pk(p): float(expected[pk(p)]) for p in proposals}
    # A cast after the close is refused and changes nothing.
    late = await _cast(
        api,
        voters[0],
        {"roundId": round_id, "entries": [{"proposalId": proposals[0], "points": 1}]},
    )
    assert late["errors"] == [{"code": "ROUND_NOT_OPEN", "field": ["roundId"]}]
    assert {b.person_id: b.entries for b in await stored_ballots(api, round_id)} == stored
    _report(
        "casts racing a close",
        requests=len(voters),
        counted=len(counted),
        refused_round_not_open=len(refused),
        snapshot_turnout=frozen["results"]["turnout"],
        ballots_in_db=len(stored),
        busy_retries=sum(BUSY[f"k{who.id}"] for who in voters),
        wall_s=f"{elapsed:.2f}",
    )


async def test_a_retried_cast_takes_effect_once_and_answers_the_same(api: Api) -> None:
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    first = [{"proposalId": proposals[0], "points": 3}, {"proposalId": proposals[1], "points": 2}]
    retry = {"roundId": round_id, "entries": first, "idempotencyKey": "phone-tap-1"}

    answers = await asyncio.gather(*(_cast(api, world.resident, retry) for _ in range(30)))

    assert all(a["errors"] == [] for a in answers)
    assert len({repr(a["ballot"]) for a in answers}) == 1
    assert await cast_count(api, round_id) == 1
    (stored,) = await stored_ballots(api, round_id)
    assert stored.entries == _as_stored(first)
    # A later cast with a new key replaces the ballot; the old key replays, changing nothing.
    second = [{"proposalId": proposals[2], "points": 1}]
    assert (
        await _cast(
            api,
            world.resident,
            {"roundId": round_id, "entries": second, "idempotencyKey": "phone-tap-2"},
        )
    )["errors"] == []
    assert (await _cast(api, world.resident, retry))["errors"] == []
    (stored,) = await stored_ballots(api, round_id)
    assert stored.entries == _as_stored(second)
    assert await cast_count(api, round_id) == 2


async def test_a_retry_after_the_round_closed_answers_with_the_original_cast(
    api: Api,
) -> None:
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    entries = [{"proposalId": proposals[0], "points": 4}]
    cast = {"roundId": round_id, "entries": entries, "idempotencyKey": "lost-response"}
    original = await _cast(api, world.resident, cast)
    assert original["errors"] == []
    await world.close(round_id)

    replayed = await asyncio.gather(*(_cast(api, world.resident, cast) for _ in range(5)))

    assert replayed == [original] * 5
    assert await cast_count(api, round_id) == 1
    fresh = await _cast(api, world.resident, {**cast, "idempotencyKey": "new-key"})
    assert fresh["errors"] == [{"code": "ROUND_NOT_OPEN", "field": ["roundId"]}]
    unkeyed = await _cast(api, world.resident, {"roundId": round_id, "entries": entries})
    assert unkeyed["errors"] == [{"code": "ROUND_NOT_OPEN", "field": ["roundId"]}]


@pytest.mark.parametrize("count", [40])
async def test_concurrent_withdrawals_and_recasts_keep_one_ballot_at_most(
    api: Api, count: int
) -> None:
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    withdraw = """mutation($input: RoundInput!) { withdrawBallot(input: $input) {
        errors { code } } }"""
    rng = random.Random(3)

    async def one(i: int) -> Json:
        if i % 3 == 0:
            response = await api.post(
                withdraw, {"input": {"roundId": round_id}}, token=world.resident.token
            )
            assert response.status_code == 200, response.text
            body = response.json()
            assert "errors" not in body, body
            payload: Json = body["data"]["withdrawBallot"]
            assert payload["errors"] in ([], [{"code": "NOT_FOUND"}]), payload
            return payload
        entries = _dots_ballot(rng, proposals, valid=True)
        return await _cast(api, world.resident, {"roundId": round_id, "entries": entries})

    answers = await asyncio.gather(*(one(i) for i in range(count)))

    assert all(a["errors"] in ([], [{"code": "NOT_FOUND"}]) for a in answers)
    stored = await stored_ballots(api, round_id)
    assert len(stored) <= 1
    assert all(b.entries for b in stored)


class _Deadlock(Exception):
    sqlstate = "40P01"


async def test_a_cast_that_keeps_deadlocking_is_retried_then_answered_not_a_500(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy.exc import DBAPIError

    from server.db_errors import ATTEMPTS
    from server.voting import service

    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    attempts = 0

    async def deadlocks(*args: Any, **kwargs: Any) -> Any:
        nonlocal attempts
        attempts += 1
        raise DBAPIError("SELECT 1", {}, _Deadlock("deadlock detected"))

    monkeypatch.setattr(service, "cast_ballot", deadlocks)
    answer = await _cast(
        api,
        world.resident,
        {"roundId": round_id, "entries": [{"proposalId": proposals[0], "points": 1}]},
    )
    assert answer == {"ballot": None, "errors": [{"code": "RATE_LIMITED", "field": []}]}
    assert attempts == ATTEMPTS
    assert await stored_ballots(api, round_id) == []


async def test_with_every_connection_busy_a_cast_is_told_to_retry_not_a_500(api: Api) -> None:
    world = await World(api).build()
    round_id, proposals = await _dots_round(world)
    engine = api.app.state.engine
    cast = {
        "roundId": round_id,
        "entries": [{"proposalId": proposals[0], "points": 1}],
        "idempotencyKey": "busy-1",
    }
    pool = engine.pool
    held = [await engine.connect() for _ in range(pool.size() + engine.pool._max_overflow)]
    waited, pool._timeout = pool._timeout, 0.2
    try:
        response = await api.post(CAST, {"input": cast}, token=world.resident.token)
    finally:
        pool._timeout = waited
        for connection in held:
            await connection.close()
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
    assert await stored_ballots(api, round_id) == []
    assert (await _cast(api, world.resident, cast))["errors"] == []
