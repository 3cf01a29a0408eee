"""``levelground serve --workers 2`` as a real process: two workers sharing one socket,
each with its own pool and event hub, behave as one server. A rate limit counted on one
worker holds on the other; a session started on one is good on the other and signing out
on one ends it on both; a ballot cast on one reaches a tally subscriber on the other at
once.

Which worker answers a connection is the kernel's choice, so the test opens connections
until it has one on the worker it wants, and asks /proc which process holds the server
end of each connection it uses.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from server.people.models import Role
from tests.http_browser import Browser, csrf_token
from tests.support import Api, World

Json = dict[str, Any]
WRITES_PER_PERSON = 3
VIEWER = "{ viewer { displayName } }"
WRITE = """mutation($input: SetNotificationPreferenceInput!) {
    setNotificationPreference(input: $input) { errors { code } } }"""
CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }"""
TALLY = """subscription($id: ID!) { roundTally(roundId: $id) { turnout } }"""
RESULTS = """query($id: ID!) { node(id: $id) { ... on VotingRound { results { turnout } } } }"""

pytestmark = pytest.mark.slow


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            found += [int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
    return found


def _socket_inode(server_port: int, client_port: int) -> str | None:
    """The inode of the server's end of the loopback TCP connection from ``client_port``."""
    local, remote = f"0100007F:{server_port:04X}", f"0100007F:{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1] == local and fields[2] == remote:
            return fields[9]
    return None


@dataclass
class Served:
    """The running server: its address and the pids of its two workers."""

    process: subprocess.Popen[bytes]
    port: int
    workers: list[int]

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def owner(self, client_port: int) -> int | None:
        """The worker holding the server end of the connection from ``client_port``."""
        inode = _socket_inode(self.port, client_port)
        if inode is None:
            return None
        target = f"socket:[{inode}]"
        for pid in self.workers:
            with contextlib.suppress(OSError):
                for fd in os.listdir(f"/proc/{pid}/fd"):
                    with contextlib.suppress(OSError):
                        if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                            return pid
        return None

    @contextlib.asynccontextmanager
    async def client(self, worker: int) -> AsyncIterator[Pinned]:
        """An HTTP client whose one kept-alive connection is served by ``worker``."""
        for _ in range(200):
            http = httpx.AsyncClient(
                base_url=self.url, limits=httpx.Limits(max_connections=1), timeout=60
            )
            probe = await http.get("/healthz")
            if self.owner(_client_port(probe)) == worker:
                pinned = Pinned(http, self, worker)
                try:
                    yield pinned
                finally:
                    await http.aclose()
                return
            await http.aclose()
        raise AssertionError(f"no connection reached worker {worker}")

    @contextlib.asynccontextmanager
    async def subscriber(
        self, worker: int, token: str, round_id: str
    ) -> AsyncIterator[websockets.ClientConnection]:
        """A roundTally subscription over a WebSocket served by ``worker``."""
        for _ in range(200):
            async with websockets.connect(
                self.url.replace("http", "ws", 1) + "/graphql",
                subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            ) as ws:
                if self.owner(ws.local_address[1]) != worker:
                    continue
                init = {"authorization": f"Bearer {token}"}
                await ws.send(json.dumps({"type": "connection_init", "payload": init}))
                assert json.loads(await ws.recv())["type"] == "connection_ack"
                subscribe = {"query": TALLY, "variables": {"id": round_id}}
                await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": subscribe}))
                yield ws
                return
        raise AssertionError(f"no WebSocket reached worker {worker}")


def _client_port(response: httpx.Response) -> int:
    port: int = response.extensions["network_stream"].get_extra_info("client_addr")[1]
    return port


@dataclass
class Pinned:
    http: httpx.AsyncClient
    served: Served
    worker: int

    def check(self, response: httpx.Response) -> httpx.Response:
        assert self.served.owner(_client_port(response)) == self.worker, "connection moved"
        return response

    async def graphql(self, query: str, variables: Json, token: str | None = None) -> Json:
        headers = {"Authorization": f"Bearer {token}"} if token else {"Origin": self.served.url}
        response = self.check(
            await self.http.post(
                "/graphql", json={"query": query, "variables": variables}, headers=headers
            )
        )
        assert response.status_code == 200, response.text
        body: Json = response.json()
        assert "errors" not in body, body
        data: Json = body["data"]
        return data

    def browser(self) -> Browser:
        return Browser(self.http, origin=self.served.url)


@pytest.fixture
def served(database_url: str, tmp_path: Path) -> Iterator[Served]:
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEVELGROUND_", "DATABASE"))}
    env.pop("SECRET_KEY", None)  # the parent makes one for both workers
    env.update(
        DATABASE_URL=database_url,
        LEVELGROUND_ENV="development",
        LEVELGROUND_DATA_DIR=str(tmp_path),
        LEVELGROUND_SEED_DEMO="false",
        LEVELGROUND_DEMO_TOKEN="false",
        LEVELGROUND_RUN_WORKER="false",
        LEVELGROUND_DB_POOL_SIZE="2",
        LEVELGROUND_RATE_LIMITS=json.dumps({"writes_per_person": WRITES_PER_PERSON}),
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "server.cli", "serve", "--workers", "2", "--port", str(port)],
            cwd=tmp_path,  # no .env from the source tree
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        workers = _wait_for_workers(process, port, log)
        yield Served(process, port, workers)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
    # Every worker stopped with its parent.
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()]


def _wait_for_workers(process: subprocess.Popen[bytes], port: int, log: Path) -> list[int]:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, log.read_text()
        workers = [
            pid
            for pid in _children(process.pid)
            if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes()
        ]
        if len(workers) == 2 and log.read_text().count("Application startup complete") >= 2:
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5).status_code == 200:
                    return workers
        time.sleep(0.2)
    raise AssertionError(f"two workers did not start:\n{log.read_text()}")


async def test_a_write_limit_counts_writes_made_on_either_worker(api: Api, served: Served) -> None:
    await World(api).build()
    writer = await api.someone(roles=[(Role.PARTICIPANT, "willenhall")])
    one, other = served.workers
    write = {"input": {"kind": "ROUND_OPENED", "email": "IMMEDIATE"}}

    async with served.client(one) as a, served.client(other) as b:
        answers = [
            await a.graphql(WRITE, write, writer.token),
            await b.graphql(WRITE, write, writer.token),
            await a.graphql(WRITE, write, writer.token),
        ]
        assert [x["setNotificationPreference"]["errors"] for x in answers] == [[], [], []]
        refused = await b.graphql(WRITE, write, writer.token)
    assert refused["setNotificationPreference"]["errors"] == [{"code": "RATE_LIMITED"}]


async def test_a_session_started_on_one_worker_is_good_on_the_other_until_signed_out(
    served: Served,
) -> None:
    one, other = served.workers
    async with served.client(one) as a, served.client(other) as b:
        registered = await a.browser().register("sam@example.org", name="Sam Someone")
        assert registered.status_code == 303, registered.text
        cookie = a.http.cookies.get("lg_session")
        assert cookie
        b.http.cookies.set("lg_session", cookie)
        assert (await b.graphql(VIEWER, {}))["viewer"] == {"displayName": "Sam Someone"}

        # The sign-out form comes from worker a and is posted to worker b, which must
        # accept a's CSRF token (one SECRET_KEY for both, though none was configured).
        token = csrf_token(a.check(await a.http.get("/auth/profile")).text)
        signed_out = b.check(
            await b.http.post(
                "/auth/sign-out", data={"csrf_token": token}, headers={"Origin": served.url}
            )
        )
        assert signed_out.status_code == 303, signed_out.text
        assert (await a.graphql(VIEWER, {}))["viewer"] is None


async def test_a_ballot_cast_on_one_worker_reaches_the_tally_on_the_other_within_a_second(
    api: Api, served: Served
) -> None:
    world = await World(api).build()
    idea = await world.proposal()
    round_id = await world.round([idea], resultVisibility="LIVE")
    one, other = served.workers

    async with served.subscriber(other, world.board.token, round_id) as watching:
        first = json.loads(await watching.recv())
        assert first["payload"]["data"]["roundTally"]["turnout"] == 0
        cast = {"roundId": round_id, "entries": [{"proposalId": idea}]}
        async with served.client(one) as a:
            answer = await a.graphql(CAST, {"input": cast}, world.resident.token)
        assert answer["castBallot"]["errors"] == []
        cast_at = time.monotonic()
        tally = json.loads(await watching.recv())
        assert time.monotonic() - cast_at < 1.0
        assert tally["payload"]["data"]["roundTally"]["turnout"] == 1
    # Kept-alive connections close after 5 idle seconds: each client is opened just
    # before its requests, so none moves to the other worker meanwhile.
    async with served.client(other) as b:
        results = await b.graphql(RESULTS, {"id": round_id}, world.board.token)
    assert results["node"]["results"]["turnout"] == 1


def test_serve_warns_when_its_workers_could_open_more_connections_than_postgres_allows(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from server import cli, logs

    started: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))
    # Logging to the runner's captured stderr would outlive it.
    monkeypatch.setattr(logs, "configure", lambda *args, **kwargs: None)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LEVELGROUND_SEED_DEMO", "false")
    monkeypatch.setenv("LEVELGROUND_DEMO_TOKEN", "false")
    monkeypatch.setenv("LEVELGROUND_DB_POOL_SIZE", "10")
    monkeypatch.setenv("SECRET_KEY", "a-secret-key-that-is-long-enough-0123456789")

    served = CliRunner().invoke(cli.app, ["serve", "--workers", "200"])

    assert served.exit_code == 0, served.output
    assert "200 workers may open 4200 database connections (21 each" in served.output
    assert "lower LEVELGROUND_DB_POOL_SIZE or --workers" in served.output
    assert started[0]["workers"] == 200
    assert started[0]["factory"] is True


def test_production_serves_one_worker_per_core_by_default() -> None:
    from server import serving
    from server.config import Settings

    production = Settings(LEVELGROUND_ENV="production", SECRET_KEY="k" * 32)
    assert serving.default_workers(production) == len(os.sched_getaffinity(0))
    assert serving.default_workers(Settings(LEVELGROUND_ENV="development")) == 1
