"""Downloads of an area's priorities and action plan, as CSV or JSON:
``GET /areas/{slug}/export/priorities.csv`` (or ``.json``, and ``actions.*``).

Authorised like GraphQL: an API token in ``Authorization: Bearer``, or a 401. Query
parameters: ``includeChildren`` (default true: the areas beneath count too) and
``theme``. The body streams in batches from one consistent snapshot of the database.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from server.actions import export
from server.actions.export import ExportFormat, ExportKind
from server.actions.filters import PlanFilter
from server.areas import repository as areas_repo
from web.downloads import reader

MEDIA_TYPES = {
    ExportFormat.CSV: "text/csv; charset=utf-8",
    ExportFormat.JSON: "application/json",
}


def _not_found(message: str) -> Response:
    return JSONResponse({"error": message}, status_code=404)


async def export_area(request: Request) -> Response:
    try:
        kind = ExportKind(request.path_params["what"])
        fmt = ExportFormat(request.path_params["format"])
    except ValueError:
        return _not_found("Exports are priorities or actions, as csv or json.")
    sessionmaker = request.app.state.sessionmaker
    actor = await reader(request, cookie=False)
    if isinstance(actor, Response):
        return actor
    include_children = request.query_params.get("includeChildren", "true").lower() != "false"
    filters = PlanFilter(theme=request.query_params.get("theme") or None)

    session: AsyncSession = sessionmaker()
    try:
        # One snapshot for the whole download, however many batches it takes.
        await session.connection(
            execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
        )
        area = await areas_repo.by_slug(session, request.path_params["slug"])
        if area is None:
            await session.close()
            return _not_found("No such area.")
        prepared = await export.open_export(
            session, actor, area, kind, include_children=include_children, filters=filters
        )
    except BaseException:
        await session.close()
        raise

    async def body() -> AsyncIterator[str]:
        try:
            async for chunk in export.encode(prepared, fmt):
                yield chunk
        finally:
            await session.close()

    return StreamingResponse(
        body(),
        media_type=MEDIA_TYPES[fmt],
        headers={
            "Content-Disposition": f'attachment; filename="{prepared.filename(fmt)}"',
            "X-Total-Count": str(prepared.total),
            "Cache-Control": "no-store",
        },
    )


def routes() -> list[BaseRoute]:
    return [Route("/areas/{slug}/export/{what}.{format}", export_area, methods=["GET"])]
