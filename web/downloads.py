"""Downloads for people and their browsers as well as API clients: your own data
(``GET /me/export.zip``) and a theme summary (``GET /conversations/{id}/themes.csv``,
``GET /areas/{slug}/themes.json?includeChildren=true``). A bearer token, or the
browser's session cookie; otherwise a 401."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from server.access import Actor, Scope
from server.answers import export as themes_export
from server.answers import service as answers
from server.answers.service import ThemeCount
from server.areas import repository as areas_repo
from server.auth.request import InvalidCredentials, actor_for_headers
from server.conversations import repository as conversations_repo
from server.errors import ErrorCode
from server.inputs import parse_id
from server.privacy import service as privacy
from web.auth import signed_in, transaction

T = TypeVar("T")


def unauthorized(message: str) -> Response:
    # Shaped like GraphQL's 401, so one client handles both.
    return JSONResponse(
        {"errors": [{"message": message, "extensions": {"code": ErrorCode.UNAUTHENTICATED}}]},
        status_code=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


async def reader(request: Request, *, cookie: bool = True) -> Actor | Response:
    """Who downloads: a bearer token with ``read``, or (where ``cookie``) the browser's
    session; otherwise the 401 or 403 to answer."""
    actor: Actor | None = None
    if request.headers.get("authorization") or not cookie:
        try:
            actor = await actor_for_headers(request.app.state.authenticator, request.headers)
        except InvalidCredentials as error:
            return unauthorized(str(error))
    else:
        found = await signed_in(request)
        actor = found[0] if found else None
    if actor is None:
        return unauthorized(
            "Sign in, or send 'Authorization: Bearer <token>'."
            if cookie
            else "Send 'Authorization: Bearer <token>'."
        )
    if Scope.READ not in actor.scopes:
        return JSONResponse({"error": "This token cannot read."}, status_code=403)
    return actor


async def _read(request: Request, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    async with transaction(request) as session:
        return await work(session)


def _download(body: bytes | str, media_type: str, filename: str) -> Response:
    return Response(
        body,
        media_type=media_type,
        headers={
            "Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "no-store",
        },
    )


async def my_data(request: Request) -> Response:
    actor = await reader(request)
    if isinstance(actor, Response):
        return actor
    files = await _read(request, lambda session: privacy.my_data(session, actor))
    return _download(privacy.zipped(files), "application/zip", "levelground-my-data.zip")


def _themes(rows: list[ThemeCount], fmt: str, scope: dict[str, str], name: str) -> Response:
    if fmt == "csv":
        return _download(themes_export.as_csv(rows), "text/csv; charset=utf-8", f"{name}.csv")
    return _download(themes_export.as_json(scope, rows), "application/json", f"{name}.json")


def _format(request: Request) -> str | None:
    fmt = str(request.path_params["format"])
    return fmt if fmt in ("csv", "json") else None


async def conversation_themes(request: Request) -> Response:
    actor = await reader(request)
    if isinstance(actor, Response):
        return actor
    fmt = _format(request)
    conversation_id = parse_id(str(request.path_params["id"]))
    if fmt is None or conversation_id is None:
        return JSONResponse({"error": "Not found."}, status_code=404)

    async def work(session: AsyncSession) -> tuple[str, list[ThemeCount]] | None:
        conversation = await conversations_repo.by_id(session, conversation_id)
        if conversation is None:
            return None
        return conversation.title, await answers.conversation_summary(session, conversation)

    found = await _read(request, work)
    if found is None:
        return JSONResponse({"error": "No such conversation."}, status_code=404)
    title, rows = found
    return _themes(rows, fmt, {"conversation": title}, f"themes-conversation-{conversation_id}")


async def area_themes(request: Request) -> Response:
    actor = await reader(request)
    if isinstance(actor, Response):
        return actor
    fmt = _format(request)
    if fmt is None:
        return JSONResponse({"error": "Not found."}, status_code=404)
    include_children = request.query_params.get("includeChildren", "false").lower() == "true"
    slug = str(request.path_params["slug"])

    async def work(session: AsyncSession) -> tuple[str, list[ThemeCount]] | None:
        area = await areas_repo.by_slug(session, slug)
        if area is None:
            return None
        rows = await answers.area_summary(
            session, actor, area.id, include_children=include_children
        )
        return area.name, rows

    found = await _read(request, work)
    if found is None:
        return JSONResponse({"error": "No such area."}, status_code=404)
    name, rows = found
    scope = {"area": name, "includeChildren": str(include_children).lower()}
    return _themes(rows, fmt, scope, f"themes-{slug}")


def routes() -> list[BaseRoute]:
    return [
        Route("/me/export.zip", my_data, methods=["GET"]),
        Route("/conversations/{id}/themes.{format}", conversation_themes, methods=["GET"]),
        Route("/areas/{slug}/themes.{format}", area_themes, methods=["GET"]),
    ]
