"""Test plumbing: one PostgreSQL per run, a migrated template, a fresh database per test.

The server is ``LEVELGROUND_TEST_DATABASE_URL`` (or ``DATABASE_URL``) when set, else an
embedded PostgreSQL in a temporary folder, started once by the controlling process and
shared with pytest-xdist workers through the environment.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import secrets
import tempfile
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path

import asyncpg
import httpx
import pytest
from sqlalchemy.engine import make_url
from starlette.applications import Starlette

from server.config import RateLimits, Settings, async_url
from server.db import EmbeddedPostgres, migrate
from tests.http_browser import Browser
from tests.mail_support import SmtpServer
from tests.support import Api

SERVER_ENV = "LEVELGROUND_TEST_SERVER_URL"
_embedded: EmbeddedPostgres | None = None


def _is_worker(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config: pytest.Config) -> None:
    global _embedded
    if _is_worker(config) or os.environ.get(SERVER_ENV):
        return
    configured = os.environ.get("LEVELGROUND_TEST_DATABASE_URL") or os.environ.get("DATABASE_URL")
    if configured:
        os.environ[SERVER_ENV] = async_url(configured)
        return
    folder = Path(tempfile.mkdtemp(prefix="levelground-test-"))
    _embedded = EmbeddedPostgres(folder / "pgdata", delete_on_stop=True)
    os.environ[SERVER_ENV] = _embedded.start()


def pytest_unconfigure(config: pytest.Config) -> None:
    if _embedded is not None:
        _embedded.stop()


def _with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


def _dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


async def _admin(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def server_url() -> str:
    return os.environ[SERVER_ENV]


@pytest.fixture(scope="session")
def template_database(server_url: str, worker_id: str) -> Iterator[str]:
    """A database migrated to head, copied for each test (migrations run every session)."""
    name = f"lg_tmpl_{worker_id}_{secrets.token_hex(3)}"
    asyncio.run(_admin(server_url, f'CREATE DATABASE "{name}"'))
    migrate(_with_database(server_url, name))
    yield name
    asyncio.run(_admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


_counter = itertools.count()


@pytest.fixture
async def database_url(
    server_url: str, template_database: str, worker_id: str
) -> AsyncIterator[str]:
    name = f"lg_t_{worker_id}_{os.getpid()}_{next(_counter)}"
    await _admin(server_url, f'CREATE DATABASE "{name}" TEMPLATE "{template_database}"')
    yield _with_database(server_url, name)
    await _admin(server_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def settings() -> Settings:
    return Settings(
        LEVELGROUND_ENV="test",
        SECRET_KEY="test-secret-key-that-is-long-enough-0123456789",
        LEVELGROUND_ROUND_CLOSER_INTERVAL=0.2,
        # Hundreds of concurrent casts on a busy test machine may queue longer than
        # production's 10 s budget; the budget's own test sets a short one.
        LEVELGROUND_REQUEST_TIMEOUT=120,
        # A test's set-up makes many writes as one person in well under a minute; the
        # rate-limit tests set their own limits.
        LEVELGROUND_RATE_LIMITS=RateLimits(writes_per_person=10_000),
        # Tests run background jobs themselves, when and where they mean to.
        LEVELGROUND_RUN_WORKER=False,
        # A read right after a write sees it: the shared results' refresh window (at
        # most a second stale) has tests of its own, and the scale tests run with it.
        LEVELGROUND_RESULTS_REFRESH_SECONDS=0,
    )


@pytest.fixture
async def app(settings: Settings, database_url: str) -> AsyncIterator[Starlette]:
    from server.app import create_app

    application = create_app(settings, database_url=database_url)
    async with application.router.lifespan_context(application):
        yield application


@pytest.fixture
async def client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        yield http


@pytest.fixture
async def api(app: Starlette, client: httpx.AsyncClient) -> Api:
    return Api(app, client)


@pytest.fixture
async def browsers(app: Starlette) -> AsyncIterator[Callable[..., Browser]]:
    """Makes cookie-keeping clients: each one person's browser."""
    clients: list[httpx.AsyncClient] = []

    def make(base_url: str = "http://testserver") -> Browser:
        clients.append(httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url))
        return Browser(clients[-1])

    yield make
    for http in clients:
        await http.aclose()


@pytest.fixture
def browser(browsers: Callable[..., Browser]) -> Browser:
    return browsers()


@pytest.fixture
def smtp_server(tmp_path: Path) -> Iterator[SmtpServer]:
    """A real SMTP server process (aiosmtpd) on a free port; its messages in a Maildir."""
    server = SmtpServer(tmp_path)
    server.start()
    yield server
    server.stop()
