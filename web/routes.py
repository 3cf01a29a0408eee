"""Server-rendered pages. They call the same services as GraphQL."""

from __future__ import annotations

from pathlib import Path

from starlette.routing import BaseRoute, Route

from web import downloads, facilitator, resident
from web.notifications import pages as notifications
from web.templating import WEB_ROOT


def static_directory() -> Path:
    return WEB_ROOT / "static"


def assets_built() -> bool:
    """Whether the design system and htmx are in static/vendor (``make assets`` puts
    them there in a source tree; a wheel carries them)."""
    return (static_directory() / "vendor" / "nhsuk" / "nhsuk-frontend.min.css").is_file()


def routes() -> list[BaseRoute]:
    return [
        Route("/", resident.home, name="home"),
        *resident.routes(),
        *facilitator.routes(),
        *notifications.routes(),
        *downloads.routes(),
    ]
