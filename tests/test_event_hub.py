"""The event hub outlives whatever breaks its connection, and stops cleanly after."""

from __future__ import annotations

import asyncpg
import pytest
from asyncpg.exceptions._base import InternalClientError

from server import events


async def test_a_connection_failing_mid_operation_leaves_the_hub_listening(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A backend terminated while asyncpg is mid-operation surfaces as an
    # InternalClientError, not a PostgresError or InterfaceError.
    real_connect = asyncpg.connect
    attempts = 0

    async def failing_once(*args: object, **kwargs: object) -> asyncpg.Connection:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise InternalClientError(
                "cannot switch to state 11; another operation (2) is in progress"
            )
        return await real_connect(*args, **kwargs)

    monkeypatch.setattr(asyncpg, "connect", failing_once)
    hub = events.EventHub(database_url)
    await hub.start()
    try:
        async with hub.subscribe(events.ROUND_TALLY, "42") as queue:
            connection = await real_connect(events.asyncpg_dsn(database_url))
            try:
                await connection.execute(f"NOTIFY {events.ROUND_TALLY}, '42'")
            finally:
                await connection.close()
            assert await queue.get() == "42"
    finally:
        await hub.stop()
    assert attempts == 2
