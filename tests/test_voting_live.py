"""Live tallies across processes: two uvicorn servers (each in its own thread and event
loop, with its own engine and LISTEN connection) on one database. A ballot cast over HTTP
on one reaches a WebSocket subscriber on the other through LISTEN/NOTIFY; a subscriber for
whom results are sealed gets nothing until allowed; every subscription ends with the
frozen result when the round closes; no database connection is held while a subscriber
waits; and the LISTEN connection comes back after being cut."""

from __future__ import annotations

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any

import asyncpg
import httpx
import pytest
import uvicorn
import websockets
from starlette.applications import Starlette

from server.config import Settings
from server.events import RECONNECT_DELAY, asyncpg_dsn
from tests.support import Api, Someone, World

Json = dict[str, Any]
TALLY = """subscription($id: ID!) { roundTally(roundId: $id) {
    turnout snapshotHash rows { score supporters proposal { id } } } }"""
CAST = """mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }"""
CLOSE = """mutation($input: RoundInput!) { closeVotingRound(input: $input) { errors { code } } }"""
QUIET = 1.5  # seconds a sealed subscriber is watched for (it must hear nothing)


@dataclass
class Instance:
    url: str
    app: Starlette

    async def connections_in_use(self) -> int:
        """Database connections this instance has checked out, once it has settled (a
        tally's last reads finish just after the client has it)."""
        for _ in range(40):
            checked_out: int = self.app.state.engine.pool.checkedout()
            if checked_out == 0:
                break
            await asyncio.sleep(0.05)
        return checked_out


@contextlib.contextmanager
def serve(settings: Settings, database_url: str) -> Iterator[Instance]:
    from server.app import create_app

    app = create_app(settings, database_url=database_url)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield Instance(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.fixture
def instances(settings: Settings, database_url: str) -> Iterator[tuple[Instance, Instance]]:
    with serve(settings, database_url) as a, serve(settings, database_url) as b:
        yield a, b


class Subscriber:
    """A graphql-transport-ws client authenticated by a bearer token in connection_init
    (no cookie; no Origin header unless given, as a script or app would connect)."""

    def __init__(self, socket: websockets.ClientConnection) -> None:
        self.socket = socket

    @classmethod
    @contextlib.asynccontextmanager
    async def open(
        cls,
        instance: Instance,
        who: Someone,
        round_id: str,
        origin: str | None = None,
        query: str = TALLY,
    ) -> AsyncIterator[Subscriber]:
        async with websockets.connect(
            instance.url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            origin=websockets.Origin(origin) if origin else None,
        ) as socket:
            await socket.send(
                json.dumps(
                    {"type": "connection_init", "payload": {"authorization": f"Bearer {who.token}"}}
                )
            )
            assert json.loads(await socket.recv())["type"] == "connection_ack"
            await socket.send(
                json.dumps(
                    {
                        "id": "1",
                        "type": "subscribe",
                        "payload": {"query": query, "variables": {"id": round_id}},
                    }
                )
            )
            yield cls(socket)

    async def message(self, within: float = 10) -> Json | None:
        """The next message (pings answered), or None if none came within ``within`` seconds."""
        deadline = time.monotonic() + within
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message: Json = json.loads(await asyncio.wait_for(self.socket.recv(), left))
            except TimeoutError:
                return None
            if message["type"] == "ping":
                await self.socket.send(json.dumps({"type": "pong"}))
                continue
            return message

    async def close_code(self, within: float = 10) -> int | None:
        """The code the server closed the socket with (messages before it skipped)."""
        try:
            while await self.message(within) is not None:
                pass
        except websockets.ConnectionClosed as closed:
            return closed.rcvd.code if closed.rcvd else None
        return None

    async def tally(self, within: float = 10) -> Json:
        message = await self.message(within)
        assert message is not None, "no tally came"
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        tally: Json = message["payload"]["data"]["roundTally"]
        return tally

    async def tally_with_turnout(self, turnout: int, within: float = 10) -> Json:
        """Skip stale tallies (a burst may be coalesced or repeated) until ``turnout``."""
        deadline = time.monotonic() + within
        while (left := deadline - time.monotonic()) > 0:
            tally = await self.tally(left)
            if tally["turnout"] == turnout:
                return tally
        raise AssertionError(f"no tally with turnout {turnout}")


async def _one_idea_round(api: Api, visibility: str) -> tuple[World, str, str]:
    """The world, one idea, and an open round on it whose results show as ``visibility``."""
    world = await World(api).build()
    idea = await world.proposal()
    return world, idea, await world.round([idea], resultVisibility=visibility)


async def _post(instance: Instance, query: str, input: Json, who: Someone) -> Json:
    async with httpx.AsyncClient(base_url=instance.url) as http:
        response = await http.post(
            "/graphql",
            json={"query": query, "variables": {"input": input}},
            headers={"Authorization": f"Bearer {who.token}"},
        )
    assert response.status_code == 200, response.text
    body: Json = response.json()
    assert "errors" not in body, body
    return body


async def _cast(instance: Instance, who: Someone, round_id: str, proposal: str) -> None:
    body = await _post(
        instance, CAST, {"roundId": round_id, "entries": [{"proposalId": proposal}]}, who
    )
    assert body["data"]["castBallot"]["errors"] == []


async def _close(instance: Instance, world: World, round_id: str) -> None:
    body = await _post(instance, CLOSE, {"roundId": round_id}, world.facilitator)
    assert body["data"]["closeVotingRound"]["errors"] == []


async def test_a_ballot_cast_on_one_instance_reaches_a_subscriber_on_the_other(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "LIVE")

    async with Subscriber.open(a, world.board, round_id) as board:
        assert (await board.tally())["turnout"] == 0
        assert await a.connections_in_use() == 0  # waiting holds no database connection
        await _cast(b, world.resident, round_id, idea)
        live = await board.tally_with_turnout(1)
        assert live["rows"] == [{"score": 1.0, "supporters": 1, "proposal": {"id": idea}}]
        assert live["snapshotHash"] is None
        await _cast(b, world.gp, round_id, idea)
        assert (await board.tally_with_turnout(2))["rows"][0]["score"] == 2.0
        assert await a.connections_in_use() == 0

        await _close(b, world, round_id)
        final = await board.tally_with_turnout(2)
        assert final["snapshotHash"] is not None
        assert len(final["snapshotHash"]) == 64
        assert await board.message() == {"id": "1", "type": "complete"}


@pytest.fixture
def windowed(settings: Settings, database_url: str) -> Iterator[tuple[Instance, Instance]]:
    """Two instances sharing each round's result for a whole second (as in production,
    where the window is half that)."""
    kept = settings.model_copy(update={"results_refresh_seconds": 1.0})
    with serve(kept, database_url) as a, serve(kept, database_url) as b:
        yield a, b


async def test_a_ballot_cast_inside_the_refresh_window_still_reaches_the_subscriber(
    api: Api, windowed: tuple[Instance, Instance]
) -> None:
    a, b = windowed
    world, idea, round_id = await _one_idea_round(api, "LIVE")

    async with Subscriber.open(a, world.board, round_id) as board:
        assert (await board.tally())["turnout"] == 0
        # Cast at once: the notice finds the shared result just computed, within the
        # window, and no other notice follows.
        await _cast(b, world.resident, round_id, idea)
        cast_at = time.monotonic()
        await board.tally_with_turnout(1, within=5)
        assert time.monotonic() - cast_at < 2.0


async def test_a_sealed_subscriber_hears_nothing_until_the_round_closes(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "AFTER_CLOSE")

    # A bearer token works with no Origin header (scripts, apps). A page on another
    # origin is refused at the handshake whatever it sends, as HTTP has no CORS for it:
    # so a cross-site page can never ride on a session cookie.
    with pytest.raises(websockets.InvalidStatus) as refused:
        async with Subscriber.open(a, world.board, round_id, origin="https://elsewhere.example"):
            pass
    assert refused.value.response.status_code == 403
    async with (
        Subscriber.open(a, world.board, round_id) as board,
        Subscriber.open(a, world.resident, round_id, origin=a.url) as voter,
    ):
        await _cast(b, world.resident, round_id, idea)
        await _cast(b, world.gp, round_id, idea)
        assert await board.message(QUIET) is None
        assert await voter.message(0.2) is None
        assert await a.connections_in_use() == 0

        await _close(b, world, round_id)
        for subscriber in (board, voter):
            final = await subscriber.tally()
            assert final["turnout"] == 2
            assert final["rows"] == [{"score": 2.0, "supporters": 2, "proposal": {"id": idea}}]
            assert final["snapshotHash"] is not None
            assert await subscriber.message() == {"id": "1", "type": "complete"}


async def test_after_own_ballot_a_subscriber_hears_once_they_have_voted(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "AFTER_OWN_BALLOT")

    async with Subscriber.open(a, world.gp, round_id) as gp:
        await _cast(b, world.resident, round_id, idea)
        assert await gp.message(QUIET) is None
        await _cast(b, world.gp, round_id, idea)
        assert (await gp.tally_with_turnout(2))["rows"][0]["supporters"] == 2


async def test_the_listen_connection_comes_back_after_being_cut(
    api: Api, instances: tuple[Instance, Instance], database_url: str
) -> None:
    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "LIVE")

    async with Subscriber.open(a, world.board, round_id) as board:
        assert (await board.tally())["turnout"] == 0
        cut = await _cut_listen_connections(database_url)
        assert cut >= 2  # every instance's (the test's own app has one too)
        # Each hub reconnects after RECONNECT_DELAY, then wakes its subscribers (they may
        # have missed a change meanwhile): a repeat of the same tally, once A listens again.
        assert (await board.tally(RECONNECT_DELAY + 10))["turnout"] == 0
        await _cast(b, world.resident, round_id, idea)
        assert (await board.tally_with_turnout(1))["rows"][0]["score"] == 1.0


async def _cut_listen_connections(database_url: str) -> int:
    connection = await asyncpg.connect(asyncpg_dsn(database_url))
    try:
        cut: int = await connection.fetchval(
            """SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
                WHERE datname = current_database() AND query LIKE 'LISTEN %'
                  AND pid <> pg_backend_pid()"""
        )
        return cut
    finally:
        await connection.close()


async def test_a_revoked_token_ends_the_subscription_with_4401(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    from sqlalchemy import text

    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "LIVE")

    async with Subscriber.open(a, world.board, round_id) as board:
        assert (await board.tally())["turnout"] == 0
        await api.run(
            lambda s: s.execute(
                text("UPDATE api_tokens SET revoked_at = now() WHERE person_id = :p"),
                {"p": world.board.person_id},
            )
        )
        await _cast(b, world.resident, round_id, idea)
        assert await board.close_code() == 4401


async def test_a_subscriber_whose_results_are_sealed_again_is_closed_with_4403(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "AFTER_OWN_BALLOT")

    async with Subscriber.open(a, world.gp, round_id) as gp:
        await _cast(b, world.gp, round_id, idea)
        assert (await gp.tally_with_turnout(1))["rows"][0]["supporters"] == 1
        body = await _post(
            b,
            """mutation($input: RoundInput!) { withdrawBallot(input: $input) {
                errors { code } } }""",
            {"roundId": round_id},
            world.gp,
        )
        assert body["data"]["withdrawBallot"]["errors"] == []
        assert await gp.close_code() == 4403


SPLIT = """subscription($id: ID!) { roundTally(roundId: $id) {
    turnout snapshotHash byKind { kind voters rows { score } } } }"""


async def test_the_subscription_never_carries_the_split(
    api: Api, instances: tuple[Instance, Instance]
) -> None:
    from server.people.models import PersonKind
    from tests.voting_support import many_voters

    a, b = instances
    world, idea, round_id = await _one_idea_round(api, "LIVE")
    voters = [
        *await many_voters(api, 5),
        *await many_voters(api, 5, kind=PersonKind.PROFESSIONAL),
    ]
    withheld = [
        {"kind": "RESIDENT", "voters": None, "rows": None},
        {"kind": "PROFESSIONAL", "voters": None, "rows": None},
    ]
    async with Subscriber.open(a, world.board, round_id, query=SPLIT) as board:
        assert (await board.tally())["byKind"] == withheld
        for voter in voters:
            await _cast(b, voter, round_id, idea)
        assert (await board.tally_with_turnout(10))["byKind"] == withheld
        await _close(b, world, round_id)
        final = await board.tally()
        while final["snapshotHash"] is None:
            final = await board.tally()
        assert final["byKind"] == withheld
