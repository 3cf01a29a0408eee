"""Server-rendered pages. They call the same services as GraphQL."""

from __future__ import annotations

from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from web import facilitator, resident
from web.templating import WEB_ROOT


def static_directory() -> Path:
    return WEB_ROOT / "static"


async def home(request: Request) -> Response:
    from web.auth import render

    return await render(request, "home.html")


def routes() -> list[BaseRoute]:
    return [Route("/", home, name="home"), *resident.routes(), *facilitator.routes()]
