"""Server-rendered pages. They call the same services as GraphQL."""

from __future__ import annotations

from pathlib import Path

from starlette.convertors import Convertor, register_url_convertor
from starlette.routing import BaseRoute, Route

from web import downloads, facilitator, resident
from web.notifications import pages as notifications
from web.templating import WEB_ROOT


class IdConvertor(Convertor[int]):
    """``{id:id}``: a primary key; longer numbers match no route (a 404, not a query)."""

    regex = "[0-9]{1,18}"

    def convert(self, value: str) -> int:
        return int(value)

    def to_string(self, value: int) -> str:
        return str(value)


register_url_convertor("id", IdConvertor())


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
