"""The PostgreSQL a benchmark runs on, and a database of its own there.

``DATABASE_URL``'s server when it is set, otherwise an embedded PostgreSQL in a
temporary folder (the default: a server of its own, whose CPU time is the benchmark's
alone). A fresh database is dropped afterwards; a named one is kept for the next run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import tempfile
from collections.abc import Iterator
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from server.config import async_url
from server.db import EmbeddedPostgres, migrate
from server.events import asyncpg_dsn


@contextlib.contextmanager
def server_url() -> Iterator[str]:
    """A PostgreSQL server: DATABASE_URL's, or an embedded one in a temporary folder."""
    configured = os.environ.get("DATABASE_URL")
    if configured:
        yield async_url(configured)
        return
    folder = Path(tempfile.mkdtemp(prefix="levelground-bench-"))
    embedded = EmbeddedPostgres(folder / "pgdata", delete_on_stop=True)
    try:
        yield embedded.start()
    finally:
        embedded.stop()


def with_database(url: str, name: str) -> str:
    return make_url(url).set(database=name).render_as_string(hide_password=False)


async def _admin(url: str, statement: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


async def _exists(url: str, name: str) -> bool:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        return bool(await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))
    finally:
        await connection.close()


@contextlib.contextmanager
def database(server: str, name: str | None = None) -> Iterator[str]:
    """A migrated database: ``name`` (created if missing, kept afterwards), or a fresh
    one dropped at the end."""
    keep = name is not None
    name = name or f"levelground_bench_{secrets.token_hex(4)}"
    if not (keep and asyncio.run(_exists(server, name))):
        asyncio.run(_admin(server, f'CREATE DATABASE "{name}"'))
    try:
        url = with_database(server, name)
        migrate(url)
        yield url
    finally:
        if not keep:
            asyncio.run(_admin(server, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def postmaster_pid(url: str) -> int | None:
    """The PostgreSQL server's main process, when it runs on this machine (to read the
    CPU time its backends spend from /proc): the parent of our backend."""

    async def parent() -> int | None:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            backend: int = await connection.fetchval("SELECT pg_backend_pid()")
            # Read while connected: the backend goes when the connection does.
            return _parent_of(backend)
        finally:
            await connection.close()

    return asyncio.run(parent())


def _parent_of(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[1])
