"""Results benchmark: a city-sized open round read by many while casts keep arriving.

    python -m bench results [--ballots 400000] [--readers 50] [--casters 20] [--duration 15]

On a fresh database (``DATABASE_URL``'s server, or an embedded PostgreSQL), through
GraphQL in process (one event loop, as one ``levelground serve`` worker):

1. ``seed-scale``'s loader makes an open DOTS round with ``--ballots`` ballots and a
   twin with a tenth of them; the time each took is reported.
2. Read cost without the shared cache, sequentially: the counters' sum on each round
   (and the ratio, 10x the ballots), and the old full recount (every ballot into Python)
   on each.
3. Under load for ``--duration`` seconds: ``--readers`` clients reading the big round's
   ``results`` and the area's ``priorities`` (of the twin, closed first) in turn, while
   ``--casters`` people re-cast and a probe casts new ballots, measuring each new
   ballot's staleness (from its cast's answer to the first read that counts it). Run
   once with the old path (a recount per read, no cache) and once with today's.
4. The 30-alias query on the big round: answered or refused, and how fast.
5. Casts per second with no readers, with the counting triggers on and switched off.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import statistics
import time
from collections.abc import AsyncIterator, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import asyncpg
import httpx

from bench import database
from bench.voting import build_scene
from server.config import RateLimits, Settings
from server.db import create_engine, create_sessionmaker
from server.events import asyncpg_dsn
from server.ids import to_global_id
from server.voting import results, service
from server.voting.models import VotingMethod
from server.voting.scale import DOTS_PER_PERSON, seed

RESULTS = """query($id: ID!) { node(id: $id) { ... on VotingRound { results {
    turnout rows { rank score supporters proposal { id } } } } } }"""
PRIORITIES = """query { area(slug: "willenhall") { priorities { rank score supporters
    proposal { id } } } }"""
GRACE = 10.0
CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }"""
TRIGGERS = [
    ("ballots", "ballots_counters"),
    ("ballots", "ballots_counters_delete"),
    ("ballot_entries", "ballot_entries_counters"),
]


@dataclass
class Load:
    reads: dict[str, list[float]] = field(default_factory=lambda: {"results": [], "priorities": []})
    casts: int = 0
    cast_errors: int = 0
    staleness: list[float] = field(default_factory=list)
    elapsed: float = 0.0
    failed: int = 0
    unanswered: int = 0


def _ms(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


POOL_SIZE = 10


def _settings(refresh: float, pool_size: int) -> Settings:
    return Settings(
        LEVELGROUND_DB_POOL_SIZE=pool_size,
        LEVELGROUND_ENV="test",
        SECRET_KEY=secrets.token_urlsafe(48),
        LEVELGROUND_ROUND_CLOSER_INTERVAL=3600.0,
        LEVELGROUND_REQUEST_TIMEOUT=10,
        LEVELGROUND_RUN_WORKER=False,
        LEVELGROUND_RESULTS_REFRESH_SECONDS=refresh,
        LEVELGROUND_RATE_LIMITS=RateLimits(writes_per_person=1_000_000, writes_per_ip=10_000_000),
    )


@contextlib.asynccontextmanager
async def _app(url: str, refresh: float, pool_size: int) -> AsyncIterator[httpx.AsyncClient]:
    from server.app import create_app

    app = create_app(_settings(refresh, pool_size), database_url=url)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://bench", timeout=300
        ) as http:
            yield http


@contextlib.contextmanager
def _old_path() -> Iterator[None]:
    """Results as before the counters: every read recounts every ballot."""
    counters = results.compute
    results.compute = results.recount
    try:
        yield
    finally:
        results.compute = counters


async def _post(http: httpx.AsyncClient, token: str, query: str, variables: Any) -> Any:
    response = await http.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}"},
    )
    return response.json() if response.status_code == 200 else {}


def _ballot(rng: random.Random, proposals: list[str]) -> list[dict[str, Any]]:
    left, entries = DOTS_PER_PERSON, []
    for proposal in rng.sample(proposals, rng.randint(1, 3)):
        if left == 0:
            break
        points = rng.randint(1, left)
        left -= points
        entries.append({"proposalId": proposal, "points": points})
    return entries


async def _load(
    http: httpx.AsyncClient,
    *,
    round_id: str,
    proposals: list[str],
    reader: str,
    casters: list[str],
    probes: list[str],
    readers: int,
    duration: float,
) -> Load:
    load = Load()
    stop = time.perf_counter() + duration
    rng = random.Random(3)
    base = (await _post(http, reader, RESULTS, {"id": round_id}))["data"]["node"]["results"]
    expected = base["turnout"]
    pending: list[tuple[int, float]] = []

    async def read(n: int) -> None:
        kind = "results" if n % 5 else "priorities"
        while time.perf_counter() < stop:
            started = time.perf_counter()
            if kind == "results":
                body = await _post(http, reader, RESULTS, {"id": round_id})
                if not body.get("data"):
                    load.failed += 1
                    continue
                seen = body["data"]["node"]["results"]["turnout"]
                now = time.perf_counter()
                while pending and pending[0][0] <= seen:
                    load.staleness.append(now - pending.pop(0)[1])
            elif not (await _post(http, reader, PRIORITIES, {})).get("data"):
                load.failed += 1
                continue
            load.reads[kind].append(time.perf_counter() - started)

    async def cast(token: str) -> None:
        while time.perf_counter() < stop:
            entries = _ballot(rng, proposals)
            body = await _post(
                http, token, CAST, {"input": {"roundId": round_id, "entries": entries}}
            )
            if body.get("data") and body["data"]["castBallot"]["errors"] == []:
                load.casts += 1
            else:
                load.cast_errors += 1

    async def probe() -> None:
        nonlocal expected
        for token in probes:
            if time.perf_counter() > stop - 1.5:
                return
            body = await _post(
                http,
                token,
                CAST,
                {"input": {"roundId": round_id, "entries": _ballot(rng, proposals)}},
            )
            if body.get("data") and body["data"]["castBallot"]["errors"] == []:
                expected += 1
                pending.append((expected, time.perf_counter()))
            await asyncio.sleep(0.25)

    started = time.perf_counter()
    tasks = [
        asyncio.ensure_future(work)
        for work in (*(read(n) for n in range(readers)), *(cast(t) for t in casters), probe())
    ]
    # Requests still running GRACE seconds after the end are given up on, unanswered.
    _, late = await asyncio.wait(tasks, timeout=duration + GRACE)
    for task in late:
        task.cancel()
    load.unanswered = len(late)
    await asyncio.gather(*late, return_exceptions=True)
    load.elapsed = time.perf_counter() - started
    return load


async def _timed_reads(url: str, round_pk: int, count: int, *, old: bool) -> list[float]:
    engine = create_engine(url, pool_size=2)
    times = []
    try:
        async with create_sessionmaker(engine)() as session:
            voting_round = await service.get(session, round_pk)
            for _ in range(count):
                started = time.perf_counter()
                if old:
                    await results.recount(session, voting_round)
                else:
                    await results.compute(session, voting_round)
                times.append(time.perf_counter() - started)
    finally:
        await engine.dispose()
    return times


async def _proposals(url: str, round_pk: int) -> list[str]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        rows = await connection.fetch(
            "SELECT proposal_id FROM ballot_items WHERE round_id = $1", round_pk
        )
    finally:
        await connection.close()
    return [to_global_id("Proposal", row["proposal_id"]) for row in rows]


async def _seed(url: str, ballots: int, seed_value: int) -> tuple[int, float]:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    started = time.perf_counter()
    try:
        seeded = await seed(
            connection,
            area_slug="willenhall",
            voters=ballots,
            proposals=12,
            method=VotingMethod.DOTS,
            seed_value=seed_value,
        )
    finally:
        await connection.close()
    return seeded.round_id, time.perf_counter() - started


async def _close(url: str, round_pk: int) -> float:
    engine = create_engine(url, pool_size=2)
    try:
        async with create_sessionmaker(engine)() as session:
            started = time.perf_counter()
            await service.close_round(session, None, round_pk)
            await session.commit()
            return time.perf_counter() - started
    finally:
        await engine.dispose()


async def _set_triggers(url: str, enabled: bool) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for table, trigger in TRIGGERS:
            verb = "ENABLE" if enabled else "DISABLE"
            await connection.execute(f"ALTER TABLE {table} {verb} TRIGGER {trigger}")
    finally:
        await connection.close()


async def _casts_only(
    url: str,
    round_id: str,
    proposals: list[str],
    casters: list[str],
    duration: float,
    pool_size: int,
) -> float:
    async with _app(url, 1.0, pool_size) as http:
        load = await _load(
            http,
            round_id=round_id,
            proposals=proposals,
            reader=casters[0],
            casters=casters,
            probes=[],
            readers=0,
            duration=duration,
        )
    return load.casts / load.elapsed


async def _quiet_staleness(
    http: httpx.AsyncClient, round_id: str, proposals: list[str], reader: str, probes: list[str]
) -> str:
    """Each probe casts a new ballot; a reader polls every 20 ms until it is counted."""
    rng = random.Random(5)
    delays = []
    for token in probes:
        before = (await _post(http, reader, RESULTS, {"id": round_id}))["data"]["node"]
        entries = _ballot(rng, proposals)
        await _post(http, token, CAST, {"input": {"roundId": round_id, "entries": entries}})
        answered = time.perf_counter()
        while True:
            body = await _post(http, reader, RESULTS, {"id": round_id})
            if body["data"]["node"]["results"]["turnout"] > before["results"]["turnout"]:
                break
            await asyncio.sleep(0.02)
        delays.append(time.perf_counter() - answered)
    return (
        f"  staleness      {len(delays)} new ballots, no load: counted after median "
        f"{_ms(delays, 0.5):.0f} ms, max {_ms(delays, 1.0):.0f} ms"
    )


def _line(label: str, load: Load) -> list[str]:
    r, p = load.reads["results"], load.reads["priorities"]
    return [
        f"  {label}:",
        f"    results     {len(r)} reads, p50 {_ms(r, 0.5):.0f} ms, p95 {_ms(r, 0.95):.0f} ms",
        f"    priorities  {len(p)} reads, p50 {_ms(p, 0.5):.0f} ms, p95 {_ms(p, 0.95):.0f} ms",
        f"    casts       {load.casts / load.elapsed:.1f}/s ({load.cast_errors} refused)",
        f"    failed      {load.failed} reads timed out; {load.unanswered} clients still "
        f"waiting {GRACE:.0f} s after the end",
        f"    staleness   {len(load.staleness)} probes, median {_ms(load.staleness, 0.5):.0f} ms, "
        f"max {1000 * max(load.staleness, default=float('nan')):.0f} ms",
    ]


async def run(url: str, args: argparse.Namespace) -> list[str]:
    people = args.casters + 200
    scene = await build_scene(url, people)
    tokens = scene.tokens
    casters, probes = tokens[: args.casters], tokens[args.casters :]
    lines = [
        f"results benchmark: {args.ballots:,} ballots, {args.readers} readers, "
        f"{args.casters} casters, one process, pool of {args.pool_size} connections"
    ]
    small_pk, small_seed = await _seed(url, max(1, args.ballots // 10), 2)
    big_pk, big_seed = await _seed(url, args.ballots, 1)
    lines.append(
        f"  seed-scale     {args.ballots:,} ballots in {big_seed:.1f} s; "
        f"{args.ballots // 10:,} in {small_seed:.1f} s"
    )
    big = to_global_id("VotingRound", big_pk)
    proposals = await _proposals(url, big_pk)

    await _timed_reads(url, big_pk, 5, old=False)
    await _timed_reads(url, small_pk, 5, old=False)
    new_big, new_small = [], []
    for _ in range(10):
        new_big += await _timed_reads(url, big_pk, 5, old=False)
        new_small += await _timed_reads(url, small_pk, 5, old=False)
    old_big = await _timed_reads(url, big_pk, 2, old=True)
    old_small = await _timed_reads(url, small_pk, 2, old=True)
    ratio = statistics.median(new_big) / statistics.median(new_small)
    lines += [
        "  one read, no cache (median):",
        f"    counters    {1000 * statistics.median(new_big):.1f} ms at {args.ballots:,}, "
        f"{1000 * statistics.median(new_small):.1f} ms at a tenth: x{ratio:.2f} for 10x ballots",
        f"    recount     {1000 * statistics.median(old_big):.0f} ms at {args.ballots:,}, "
        f"{1000 * statistics.median(old_small):.0f} ms at a tenth (the old path)",
    ]
    close_time = await _close(url, small_pk)
    lines.append(f"  close          {close_time * 1000:.0f} ms (recount of {args.ballots // 10:,})")

    # Everyone casts once first: the re-casts under load leave turnout alone, so each
    # probe's new ballot is what a read's turnout tells apart.
    async with _app(url, 1.0, args.pool_size) as http:
        rng = random.Random(9)
        for token in casters:
            await _post(
                http, token, CAST, {"input": {"roundId": big, "entries": _ballot(rng, proposals)}}
            )
        lines.append(await _quiet_staleness(http, big, proposals, tokens[-1], probes[180:]))
        alone: dict[str, list[float]] = {"results": [], "priorities": []}
        for _ in range(50):
            for kind, query, variables in (
                ("results", RESULTS, {"id": big}),
                ("priorities", PRIORITIES, {}),
            ):
                started = time.perf_counter()
                await _post(http, tokens[-1], query, variables)
                alone[kind].append(time.perf_counter() - started)
        lines.append(
            "  one client     results p50 {:.0f} ms, p95 {:.0f} ms; priorities p50 {:.0f} ms, "
            "p95 {:.0f} ms (whole GraphQL requests, one at a time)".format(
                _ms(alone["results"], 0.5),
                _ms(alone["results"], 0.95),
                _ms(alone["priorities"], 0.5),
                _ms(alone["priorities"], 0.95),
            )
        )
        after = await _load(
            http,
            round_id=big,
            proposals=proposals,
            reader=tokens[-1],
            casters=casters,
            probes=probes[:100],
            readers=args.readers,
            duration=args.duration,
        )
        aliases = " ".join(f"a{i}: results {{ turnout rows {{ score }} }}" for i in range(30))
        started = time.perf_counter()
        body = await _post(
            http,
            tokens[-1],
            f"query($id: ID!) {{ node(id: $id) {{ ... on VotingRound {{ {aliases} }} }} }}",
            {"id": big},
        )
        alias_ms = 1000 * (time.perf_counter() - started)
    refused = bool(body.get("errors"))
    with _old_path():
        async with _app(url, 0, args.pool_size) as http:
            before = await _load(
                http,
                round_id=big,
                proposals=proposals,
                reader=tokens[-1],
                casters=casters,
                probes=probes[100:180],
                readers=args.readers,
                duration=args.old_duration,
            )
    lines += _line(f"under load, today ({args.duration:.0f} s)", after)
    lines += _line(f"under load, old path: a recount per read ({args.old_duration:.0f} s)", before)
    lines.append(
        f"  30 aliases     {'refused' if refused else 'answered'} in {alias_ms:.0f} ms"
        + (f" ({body['errors'][0]['extensions'].get('code')})" if refused else "")
    )
    with_triggers = await _casts_only(
        url, big, proposals, casters, args.cast_duration, args.pool_size
    )
    await _set_triggers(url, enabled=False)
    try:
        without = await _casts_only(
            url, big, proposals, casters, args.cast_duration, args.pool_size
        )
    finally:
        await _set_triggers(url, enabled=True)
    lines.append(
        f"  casts alone    {with_triggers:.1f}/s with the counting triggers, "
        f"{without:.1f}/s with them off ({args.casters} casters, {args.cast_duration:.0f} s)"
    )
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench results", description=__doc__)
    parser.add_argument("--ballots", type=int, default=400_000)
    parser.add_argument("--readers", type=int, default=50)
    parser.add_argument("--casters", type=int, default=20)
    parser.add_argument("--duration", type=float, default=15.0)
    parser.add_argument("--old-duration", type=float, default=15.0)
    parser.add_argument("--cast-duration", type=float, default=10.0)
    parser.add_argument("--pool-size", type=int, default=POOL_SIZE)
    args = parser.parse_args(argv)
    with database.server_url() as server, database.database(server) as url:
        lines = asyncio.run(run(url, args))
    print("\n".join(lines))
    return 0
