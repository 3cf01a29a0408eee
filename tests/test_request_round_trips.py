"""What every request pays before its own work, counted on the wire (bench/pgwire.py):
a bearer token or a session cookie is checked in one statement with no write, and both
write limits are counted in one statement, none wrapped in BEGIN and COMMIT; the pool
hands out a connection without pinging it, and replaces one the server closed. Limits
still hold exactly under concurrency, and a revoked token or an ended session stops at
once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest
from sqlalchemy import select, text, update
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bench.pgwire import CountingProxy
from server.auth import sessions, tokens
from server.auth.jwt import JwksCache
from server.auth.models import ApiToken
from server.auth.request import (
    Authenticator,
    InvalidCredentials,
    actor_for_bearer,
    browser_session,
)
from server.config import RateLimits, Settings
from server.db import create_engine, create_sessionmaker
from server.events import asyncpg_dsn
from server.limits import service as limits
from server.limits.models import RateLimitCount
from server.people.models import Role
from tests.support import Api, World


@pytest.fixture
def proxy(database_url: str) -> Iterator[CountingProxy]:
    target = make_url(database_url)
    host = str(target.query.get("host") or target.host)
    with CountingProxy(host, target.port or 5432) as counting:
        yield counting


@pytest.fixture
async def proxied(
    proxy: CountingProxy, database_url: str
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    url = make_url(database_url).set(host="127.0.0.1", port=proxy.port, query={})
    engine = create_engine(url.render_as_string(hide_password=False), pool_size=2)
    try:
        yield create_sessionmaker(engine)
    finally:
        await engine.dispose()


def statements(proxy: CountingProxy) -> list[str]:
    """Every statement sent since the last reset (a BEGIN would be one)."""
    return sorted(sent for sent, n in proxy.take().statements.items() for _ in range(n))


async def test_a_bearer_token_is_checked_in_one_statement_without_a_write(
    api: Api,
    proxy: CountingProxy,
    proxied: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await World(api).build()
    someone = await api.someone(roles=[(Role.FACILITATOR, "willenhall")])
    auth = Authenticator(proxied, settings, JwksCache())
    await actor_for_bearer(auth, someone.token)  # records the first use

    proxy.reset()
    actor = await actor_for_bearer(auth, someone.token)
    sent = statements(proxy)

    assert actor.person_id == someone.person_id
    assert Role.FACILITATOR in next(iter(actor.grants.values()))
    assert len(sent) == 1, sent
    assert sent[0].startswith("SELECT api_tokens.id"), sent


async def test_a_token_unused_for_minutes_records_its_use_once(
    api: Api, proxied: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    someone = await api.someone()
    long_ago = datetime.now(UTC) - timedelta(hours=1)

    async def last_used(session: AsyncSession) -> datetime | None:
        return await session.scalar(
            select(ApiToken.last_used_at).where(ApiToken.person_id == someone.person_id)
        )

    await api.run(
        lambda session: session.execute(
            update(ApiToken)
            .where(ApiToken.person_id == someone.person_id)
            .values(last_used_at=long_ago)
        )
    )
    auth = Authenticator(proxied, settings, JwksCache())
    await actor_for_bearer(auth, someone.token)
    used = await api.run(last_used)
    assert used is not None
    assert used > long_ago
    await actor_for_bearer(auth, someone.token)
    assert await api.run(last_used) == used


async def test_a_revoked_token_is_refused_on_its_next_request(
    api: Api, proxied: async_sessionmaker[AsyncSession], settings: Settings
) -> None:
    someone = await api.someone()
    auth = Authenticator(proxied, settings, JwksCache())
    await actor_for_bearer(auth, someone.token)
    await api.run(lambda session: tokens.revoke(session, someone.token))
    with pytest.raises(InvalidCredentials):
        await actor_for_bearer(auth, someone.token)


async def test_both_write_limits_are_counted_in_one_statement(
    proxy: CountingProxy, proxied: async_sessionmaker[AsyncSession]
) -> None:
    config = RateLimits(writes_per_person=10, writes_per_ip=100)
    assert await limits.count_write(proxied, config, 1, "192.0.2.1")

    proxy.reset()
    assert await limits.count_write(proxied, config, 1, "192.0.2.1")
    sent = statements(proxy)

    assert len(sent) == 1, sent
    assert sent[0].startswith("INSERT INTO rate_limit_counts"), sent


async def test_concurrent_writes_past_the_limit_are_refused_exactly(
    proxied: async_sessionmaker[AsyncSession],
) -> None:
    config = RateLimits(writes_per_person=5, writes_per_ip=8)
    person = [limits.count_write(proxied, config, 7, f"192.0.2.{i}") for i in range(12)]
    address = [limits.count_write(proxied, config, 100 + i, "198.51.100.1") for i in range(12)]
    allowed = await asyncio.gather(*person, *address)
    assert sum(allowed[:12]) == 5
    assert sum(allowed[12:]) == 8


async def test_finished_windows_are_dropped(
    api: Api, proxied: async_sessionmaker[AsyncSession], monkeypatch: pytest.MonkeyPatch
) -> None:
    config = RateLimits(writes_per_person=5, write_window_seconds=60)
    old = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    api_session_rows = [
        RateLimitCount(bucket=bucket, key_hash="0" * 64, window_start=old, count=3)
        for bucket in ("writes-person", "writes-ip")
    ]

    async def seed(session: AsyncSession) -> None:
        session.add_all(api_session_rows)

    async def windows(session: AsyncSession) -> list[datetime]:
        return list(await session.scalars(select(RateLimitCount.window_start)))

    await api.run(seed)
    monkeypatch.setattr(limits, "_forgotten", {})
    assert await limits.count_write(proxied, config, 1, "192.0.2.1")
    assert old not in await api.run(windows)


async def test_a_pooled_connection_is_handed_out_without_a_round_trip(
    proxy: CountingProxy, proxied: async_sessionmaker[AsyncSession]
) -> None:
    async with proxied() as session:
        await session.execute(text("SELECT 1"))
    proxy.reset()
    async with proxied() as session:
        await session.connection()
    assert proxy.take().total == 0


async def test_a_connection_the_server_closed_is_replaced_at_checkout(
    server_url: str, proxied: async_sessionmaker[AsyncSession]
) -> None:
    async with proxied() as session:
        first = await session.scalar(text("SELECT pg_backend_pid()"))
    admin = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        await admin.execute("SELECT pg_terminate_backend($1)", first)
    finally:
        await admin.close()
    await asyncio.sleep(0.5)  # the close reaches the pooled connection on the event loop
    async with proxied() as session:
        second = await session.scalar(text("SELECT pg_backend_pid()"))
    assert second != first


async def test_a_session_cookie_is_checked_in_one_statement_and_ends_at_sign_out(
    api: Api,
    proxy: CountingProxy,
    proxied: async_sessionmaker[AsyncSession],
    settings: Settings,
) -> None:
    await World(api).build()
    someone = await api.someone(roles=[(Role.FACILITATOR, "willenhall")])
    auth = Authenticator(proxied, settings, JwksCache())
    started = await api.run(
        lambda session: sessions.start(
            session, auth.lifetimes, person_id=someone.person_id, method="password"
        )
    )
    cookies = {sessions.COOKIE: started.plaintext}
    await browser_session(auth, cookies)  # the engine's first connection sets itself up

    proxy.reset()
    found = await browser_session(auth, cookies)
    sent = statements(proxy)

    assert found is not None
    actor, _ = found
    assert actor.person_id == someone.person_id
    assert Role.FACILITATOR in next(iter(actor.grants.values()))
    assert len(sent) == 1, sent
    assert sent[0].startswith("SELECT browser_sessions.id"), sent

    await api.run(lambda session: sessions.end(session, started.plaintext))
    assert await browser_session(auth, cookies) is None
