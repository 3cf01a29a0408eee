"""Serving under uvicorn: one process, or ``--workers N`` processes sharing one socket.

With several workers, uvicorn's parent binds the socket and spawns fresh interpreters
(``multiprocessing`` spawn, not fork), each of which imports :func:`worker_app` and runs
the app's lifespan on its own event loop: its own engine and pool, its own LISTEN
connection (EventHub), its own round closer and background-job slots. Nothing made on
one loop is used on another. What the workers share lives in PostgreSQL: sessions, rate
limits, tallies (LISTEN/NOTIFY reaches every worker's hub), jobs (claimed with SKIP
LOCKED).

The parent (``levelground serve``) starts the embedded PostgreSQL when there is no
``DATABASE_URL``, migrates and seeds the demo once, and only then starts the workers,
handing them the database's URL and one ``SECRET_KEY`` through the environment, so a
CSRF token or an unsubscribe link signed by one worker is accepted by every other.
"""

from __future__ import annotations

import logging
import os
import signal

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from server.config import Settings

WORKER_APP = "server.serving:worker_app"
# The parent kills a worker that does not answer its health ping within this many
# seconds. uvicorn's 5 s is tight on a busy machine while a worker imports the schema or
# runs at full CPU; a dead worker is still replaced, only a little later.
HEALTHCHECK_SECONDS = 30
# Connections one worker may hold: the pool, its overflow (as large as the pool, see
# server.db.create_engine) and the event hub's LISTEN connection.
HUB_CONNECTIONS = 1


def cores() -> int:
    """CPU cores this process may run on (a container's share, not the host's)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def default_workers(settings: Settings) -> int:
    """One per core in production; one elsewhere, where a single process is easier to
    follow (its log, a debugger, the demo it prints)."""
    return cores() if settings.is_production else 1


def connections_per_worker(settings: Settings) -> int:
    return 2 * settings.db_pool_size + HUB_CONNECTIONS


def connection_budget(settings: Settings, workers: int) -> int:
    """The most connections ``levelground serve --workers N`` may open at once."""
    return workers * connections_per_worker(settings)


def worker_app() -> Starlette:
    """What each worker serves: settings from the environment its parent prepared."""
    from server import logs
    from server.app import create_app

    settings = Settings()
    logs.configure(settings.log_level)
    # uvicorn silenced its access log before loading us, and configure() opened it up
    # again: RequestContext writes the one line per request.
    logging.getLogger("uvicorn.access").propagate = False
    return create_app(settings)


def run(settings: Settings, url: str, *, host: str, port: int, workers: int) -> None:
    """Serve until stopped (Ctrl-C, SIGTERM). Migrations and the demo are done."""
    import uvicorn

    _unwind_on_sigterm()

    if workers == 1:
        from server.app import create_app

        uvicorn.run(
            create_app(settings, database_url=url),
            host=host,
            port=port,
            log_config=None,
            access_log=False,  # RequestContext writes one JSON line per request instead.
        )
        return
    os.environ["DATABASE_URL"] = url
    # Outside production the key may be a random one made by this process; the workers
    # must all sign with it (a form's CSRF token is checked by whichever worker gets
    # the post).
    os.environ["SECRET_KEY"] = settings.effective_secret_key
    uvicorn.run(
        WORKER_APP,
        factory=True,
        workers=workers,
        timeout_worker_healthcheck=HEALTHCHECK_SECONDS,
        host=host,
        port=port,
        log_config=None,
        access_log=False,
    )


def _unwind_on_sigterm() -> None:
    """uvicorn shuts down on SIGTERM and then raises the signal again for the handler it
    found. SIGTERM's default ends the process on the spot, skipping the embedded
    PostgreSQL's stop, which would then outlive us; raised as SystemExit it unwinds the
    way Ctrl-C does."""

    def stop(signum: int, _frame: object) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, stop)


async def max_connections(session: AsyncSession) -> int:
    """Connections PostgreSQL lets ordinary roles open."""
    found = await session.execute(
        text(
            "SELECT current_setting('max_connections')::int"
            " - current_setting('superuser_reserved_connections')::int"
        )
    )
    return int(found.scalar_one())
