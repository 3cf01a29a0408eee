"""The Starlette app: GraphQL (HTTP + WebSocket), web pages, static files, health."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
from collections.abc import AsyncIterator
from urllib.parse import urlsplit

from sqlalchemy import text
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles

from schema import build_schema
from schema.http import GraphQLHTTP
from schema.view import GraphQLView
from server.auth.jwt import JwksCache
from server.auth.oidc import build_registry
from server.auth.request import Authenticator
from server.background import build_worker
from server.config import Settings
from server.db import create_engine, create_sessionmaker
from server.events import EventHub
from server.middleware import RequestContext, RequestGuard, SecurityHeaders, content_security_policy
from server.voting.live import LiveResults
from server.voting.scheduler import run_round_closer

log = logging.getLogger(__name__)


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def readyz(request: Request) -> Response:
    try:
        async with request.app.state.engine.connect() as connection:
            await connection.execute(text("SELECT 1"))
    except Exception as error:  # any failure to reach the database means not ready
        return JSONResponse({"status": "unavailable", "error": type(error).__name__}, 503)
    return JSONResponse({"status": "ready"})


def create_app(settings: Settings | None = None, *, database_url: str | None = None) -> Starlette:
    """The app for ``database_url`` (default: ``DATABASE_URL``). Migrations are applied by
    the caller (``levelground serve`` does it before starting)."""
    settings = settings or Settings()
    url = database_url or settings.database_url
    if not url:
        raise RuntimeError("No database: set DATABASE_URL or run `levelground serve`.")

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        engine = create_engine(url, pool_size=settings.db_pool_size)
        app.state.settings = settings
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        app.state.hub = hub = EventHub(url)
        app.state.live_results = LiveResults(hub, settings.results_refresh_seconds)
        app.state.authenticator = Authenticator(app.state.sessionmaker, settings, JwksCache())
        app.state.oauth = build_registry(settings.oidc_providers, app.state.sessionmaker)
        await hub.start()
        closer = asyncio.create_task(
            run_round_closer(app.state.sessionmaker, settings.round_closer_interval)
        )
        # Background jobs (email) in this process too, unless a separate
        # `levelground worker` does them.
        worker = build_worker(settings, app.state.sessionmaker, hub=hub)
        working = asyncio.create_task(worker.run()) if settings.run_worker else None
        if settings.is_production:
            # What was built to serve (modules, the schema, mappers, the pool) lives as
            # long as the process: frozen, the collector's full passes stop walking its
            # ~200,000 objects, which under load cost a fifth of a long read's CPU (2.8
            # of 14 ms for the city's priorities). Thawed at shutdown, so a process
            # that builds app after app (the production-mode tests) still collects
            # what each one left in cycles.
            gc.freeze()
        try:
            yield
        finally:
            closer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await closer
            if working is not None:
                worker.stop()
                await working
            await hub.stop()
            await engine.dispose()
            if settings.is_production:
                gc.unfreeze()

    view = GraphQLView(
        build_schema(
            production=settings.is_production,
            max_cost=settings.max_query_cost,
            max_fields=settings.max_query_fields,
        ),
        graphql_ide=None if settings.is_production else "graphiql",
        allow_queries_via_get=False,
    )
    graphql = GraphQLHTTP(view, timeout=settings.request_timeout)
    from web.auth import routes as auth_routes
    from web.exports import routes as export_routes
    from web.routes import routes as web_routes
    from web.routes import static_directory

    routes: list[BaseRoute] = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Mount("/static", StaticFiles(directory=static_directory(), check_dir=False), name="static"),
        *web_routes(),
        *export_routes(),
        *auth_routes(settings),
    ]
    from web.errors import error_page, http_exception
    from web.i18n import LanguageMiddleware

    return Starlette(
        debug=False,
        routes=routes,
        # Outermost first: every response gets the headers, the 500 page included.
        middleware=[
            Middleware(
                SecurityHeaders,
                csp=content_security_policy(origin(p.issuer) for p in settings.oidc_providers),
                hsts=settings.secure_cookies,
            ),
            Middleware(RequestContext, error_page=error_page),
            Middleware(RequestGuard, max_body=settings.max_body_bytes, error_page=error_page),
            Middleware(LanguageMiddleware),
        ],
        exception_handlers={HTTPException: http_exception},
        lifespan=lifespan,
    )


def origin(url: object) -> str:
    parts = urlsplit(str(url))
    return f"{parts.scheme}://{parts.netloc}"
