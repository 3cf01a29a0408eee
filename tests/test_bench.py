"""The benchmark harness (bench/): its city is one the app reads and votes in, its proxy
counts every statement, and ``python -m bench voting --uvicorn`` runs."""

from __future__ import annotations

import hashlib
from collections import Counter

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from bench import dataset, voting
from bench.pgwire import CountingProxy
from bench.scenarios import SCENARIOS, Request
from server.events import asyncpg_dsn


async def _ask(client: httpx.AsyncClient, request: Request) -> dict[str, object]:
    answer = await client.post(
        request.path,
        content=request.body,
        headers={"Authorization": f"Bearer {request.token}", "Content-Type": "application/json"},
    )
    assert answer.status_code == 200, answer.text
    found: dict[str, object] = answer.json()
    return found


async def test_the_bench_city_is_read_and_voted_in_by_the_app(
    client: httpx.AsyncClient, database_url: str
) -> None:
    city = await dataset.build(database_url, 0.002, seed=3)

    cast = SCENARIOS["castBallot"]
    (ballot,) = cast.requests(city, "levelground", 1)
    assert cast.read("levelground", await _ask(client, ballot)) == ballot.expected
    for name in ("priorities", "proposals", "board"):
        scenario = SCENARIOS[name]
        (request,) = scenario.requests(city, "levelground", 1)
        assert scenario.read("levelground", await _ask(client, request))

    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        closed = await connection.fetchval(
            "SELECT count(*) FROM voting_rounds WHERE state = 'closed'"
        )
        snapshots = await connection.fetch("SELECT canonical_json, sha256 FROM round_snapshots")
    finally:
        await connection.close()
    assert closed == len(snapshots) > 0
    for snapshot in snapshots:
        assert hashlib.sha256(snapshot["canonical_json"].encode()).hexdigest() == snapshot["sha256"]


async def test_the_counting_proxy_counts_each_query_and_execute(server_url: str) -> None:
    target = make_url(server_url)
    with CountingProxy(str(target.query.get("host") or target.host), target.port or 5432) as proxy:
        proxied = target.set(host="127.0.0.1", port=proxy.port, query={})
        connection = await asyncpg.connect(asyncpg_dsn(proxied.render_as_string(False)))
        try:
            proxy.reset()
            await connection.execute("SELECT 1")
            for _ in range(2):
                assert await connection.fetchval("SELECT $1::int + 1", 1) == 2
            async with connection.transaction():
                await connection.execute("SELECT 2")
        finally:
            await connection.close()
        counted = proxy.take()
    assert counted.statements == Counter(
        {"SELECT 1": 1, "SELECT $1::int + 1": 2, "BEGIN;": 1, "SELECT 2": 1, "COMMIT;": 1}
    )


def test_bench_voting_serves_over_uvicorn(
    server_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", server_url)
    assert voting.main(["--people", "6", "--casts", "2", "--uvicorn"]) == 0
    assert "answers          {'ok': 12}" in capsys.readouterr().out
