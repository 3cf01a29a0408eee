"""Cast benchmark: N people casting (and re-casting) at once through GraphQL over HTTP.

Reports casts per second, latency percentiles and SQL statements per cast (everything a
cast request runs: authentication, rate limits, the cast, the answer). Runs against a
fresh database on the server named by ``DATABASE_URL``, or on an embedded PostgreSQL in a
temporary folder when it is unset; the database is dropped afterwards.

    python -m bench voting [--people 200] [--casts 3] [--pool-size 10] [--uvicorn]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import random
import secrets
import statistics
import time
from collections import Counter
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from bench import database
from server.access import Actor, Scope
from server.areas import service as areas
from server.auth import tokens
from server.config import RateLimits, Settings
from server.db import create_engine, create_sessionmaker, unit_of_work
from server.ids import to_global_id
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import PersonKind, Role
from server.proposals import service as proposals
from server.voting import service as voting
from server.voting.models import ResultVisibility, VotingMethod

CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) {
    ballot { entries { points proposal { id } } } errors { code } } }"""
DOTS, CAP, PROPOSALS = 10, 4, 8


@dataclass(frozen=True)
class Scene:
    round_id: str
    proposal_ids: list[str]
    tokens: list[str]


async def build_scene(url: str, people_count: int) -> Scene:
    """An area, a facilitator, ``people_count`` participants with tokens, an open round."""
    engine = create_engine(url, pool_size=2)
    try:
        async with unit_of_work(create_sessionmaker(engine)) as session:
            return await _scene(session, people_count)
    finally:
        await engine.dispose()


async def _scene(session: AsyncSession, people_count: int) -> Scene:
    city = await areas.add_area(
        session, name="Coventry", slug="coventry", parent=None, actor_id=None
    )
    area = await areas.add_area(
        session, name="Willenhall", slug="willenhall", parent=city, actor_id=None
    )

    async def person(i: int, role: Role) -> tuple[Actor, str]:
        found, _ = await people.ensure_person(
            session,
            email=f"bench{i}@example.org",
            display_name=f"Bench {i}",
            kind=PersonKind.RESIDENT if i % 2 else PersonKind.PROFESSIONAL,
        )
        await people.grant(session, found, area, role, None)
        issued = await tokens.issue(
            session,
            person_id=found.id,
            name="bench",
            scopes={Scope.READ, Scope.WRITE},
            expires_in=timedelta(days=1),
        )
        grants = await people_repo.grants(session, found.id)
        return Actor.build(found.id, (Scope.READ, Scope.WRITE), grants), issued.plaintext

    facilitator, _ = await person(0, Role.FACILITATOR)
    voters = [await person(i + 1, Role.PARTICIPANT) for i in range(people_count)]
    proposal_ids = []
    for i in range(PROPOSALS):
        proposal = await proposals.propose_item(
            session,
            voters[i % len(voters)][0],
            area_slug="willenhall",
            title=f"Idea {i}",
            description="An idea.",
            conversation_id=None,
        )
        proposal_ids.append(proposal.id)
    made = await voting.create_round(
        session,
        facilitator,
        area_slug="willenhall",
        title="Bench round",
        method=VotingMethod.DOTS,
        proposal_ids=proposal_ids,
        dots_per_person=DOTS,
        max_dots_per_item=CAP,
        result_visibility=ResultVisibility.LIVE,
        closes_at=None,
    )
    await voting.open_round(session, facilitator, made.id)
    return Scene(
        to_global_id("VotingRound", made.id),
        [to_global_id("Proposal", p) for p in proposal_ids],
        [token for _, token in voters],
    )


def ballot(rng: random.Random, proposal_ids: list[str]) -> list[dict[str, Any]]:
    left, entries = DOTS, []
    for proposal in rng.sample(proposal_ids, rng.randint(1, 4)):
        if left == 0:
            break
        points = rng.randint(1, min(CAP, left))
        left -= points
        entries.append({"proposalId": proposal, "points": points})
    return entries


@dataclass
class Outcome:
    latencies: list[float]
    answers: Counter[str]
    statements: int
    elapsed: float


@contextlib.asynccontextmanager
async def client_for(app: Starlette, use_uvicorn: bool) -> AsyncIterator[httpx.AsyncClient]:
    """A client for the app, in process or over a real socket. The app's lifespan has
    already run on this event loop (its engine lives here), so uvicorn serves on this
    loop too: a server thread with its own loop would use the engine across loops."""
    if not use_uvicorn:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
            yield http
        return
    import uvicorn

    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            serving.result()
        await asyncio.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    try:
        async with httpx.AsyncClient(
            base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=120
        ) as http:
            yield http
    finally:
        server.should_exit = True
        await serving


async def run_casts(
    url: str, scene: Scene, casts_per_person: int, pool_size: int, use_uvicorn: bool
) -> Outcome:
    from server.app import create_app

    settings = Settings(
        LEVELGROUND_ENV="test",
        SECRET_KEY=secrets.token_urlsafe(48),
        LEVELGROUND_ROUND_CLOSER_INTERVAL=3600.0,
        LEVELGROUND_DB_POOL_SIZE=pool_size,
        LEVELGROUND_RATE_LIMITS=RateLimits(writes_per_person=10_000, writes_per_ip=1_000_000),
    )
    app = create_app(settings, database_url=url)
    rng = random.Random(1)
    latencies: list[float] = []
    answers: Counter[str] = Counter()
    statements = 0

    def count(*_: Any) -> None:
        nonlocal statements
        statements += 1

    async def person(token: str) -> None:
        for _ in range(casts_per_person):
            body = {
                "query": CAST,
                "variables": {
                    "input": {"roundId": scene.round_id, "entries": ballot(rng, scene.proposal_ids)}
                },
            }
            started = time.perf_counter()
            response = await http.post(
                "/graphql", json=body, headers={"Authorization": f"Bearer {token}"}
            )
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                answers[f"HTTP {response.status_code}"] += 1
                continue
            payload = response.json()
            if payload.get("errors"):
                answers["GraphQL error"] += 1
            elif errors := payload["data"]["castBallot"]["errors"]:
                answers[errors[0]["code"]] += 1
            else:
                answers["ok"] += 1

    async with app.router.lifespan_context(app), client_for(app, use_uvicorn) as http:
        engine = app.state.engine.sync_engine
        event.listen(engine, "before_cursor_execute", count)
        started = time.perf_counter()
        await asyncio.gather(*(person(token) for token in scene.tokens))
        elapsed = time.perf_counter() - started
        event.remove(engine, "before_cursor_execute", count)
    return Outcome(latencies, answers, statements, elapsed)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def report(outcome: Outcome, people_count: int, casts_per_person: int, transport: str) -> str:
    casts = len(outcome.latencies)
    ms = [latency * 1000 for latency in outcome.latencies]
    lines = [
        f"cast benchmark: {people_count} people x {casts_per_person} casts, all at once "
        f"({transport})",
        f"  casts            {casts} in {outcome.elapsed:.2f} s",
        f"  casts/second     {casts / outcome.elapsed:.1f}",
        f"  latency p50      {statistics.median(ms):.0f} ms",
        f"  latency p95      {_percentile(ms, 0.95):.0f} ms",
        f"  latency max      {max(ms):.0f} ms",
        f"  SQL per cast     {outcome.statements / casts:.1f} statements",
        f"  answers          {dict(outcome.answers)}",
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench voting", description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--casts", type=int, default=3, help="casts per person (re-casts)")
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument(
        "--uvicorn", action="store_true", help="serve over a real socket, not in-process ASGI"
    )
    args = parser.parse_args(argv)
    with database.server_url() as server, database.database(server) as url:
        scene = asyncio.run(build_scene(url, args.people))
        outcome = asyncio.run(run_casts(url, scene, args.casts, args.pool_size, args.uvicorn))
    print(report(outcome, args.people, args.casts, "uvicorn" if args.uvicorn else "ASGI"))
    return 0 if set(outcome.answers) == {"ok"} else 1
