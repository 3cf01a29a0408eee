"""What every facilitator page shares: who is asking, their role in the area, form
fields, the translation of service errors to fields, and the 403/404 pages.

Handlers only translate: permissions and rules live in server/ (``Actor.require`` and
the services), exactly as for GraphQL.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.access import Actor
from server.areas import service as areas
from server.areas.models import Area
from server.db_errors import retrying
from server.errors import DomainError, ErrorCode
from server.people.models import Role
from web.auth import FieldError, form_text, guarded, render, signed_in, within_write_limit
from web.i18n import LOCAL_TIME
from web.i18n import gettext as _

Handler = Callable[[Request], Awaitable[Response]]
FormHandler = Callable[[Request, FormData], Awaitable[Response]]


class NotSignedIn(Exception):
    """The page needs a signed-in facilitator; nobody is signed in."""


class PageNotFound(Exception):
    """The thing in the URL does not exist (or is not shown to this person)."""


async def current_actor(request: Request) -> Actor:
    found = await signed_in(request)
    if found is None:
        raise NotSignedIn
    return found[0]


async def require_facilitator(session: AsyncSession, actor: Actor, area_id: int) -> None:
    """The same check the services make before a facilitator's write: FORBIDDEN if not."""
    await actor.require(session, area_id, Role.FACILITATOR)


async def facilitated_area(session: AsyncSession, actor: Actor, slug: str) -> Area:
    """The area by its slug, if this person facilitates there (FORBIDDEN otherwise)."""
    area = await areas.get_by_slug(session, slug, ["areaSlug"])
    await require_facilitator(session, actor, area.id)
    return area


def int_param(request: Request, name: str) -> int:
    value = request.path_params[name]
    if isinstance(value, int):
        return value
    raise PageNotFound


async def message_page(request: Request, title: str, message: str, *, status_code: int) -> Response:
    return await render(
        request,
        "facilitate/message.html",
        {"title": title, "message": message},
        status_code=status_code,
    )


async def forbidden_page(request: Request) -> Response:
    return await message_page(
        request,
        _("You cannot use this page"),
        _("Only facilitators of this area can do this. Nothing was changed."),
        status_code=403,
    )


async def not_found_page(request: Request) -> Response:
    return await message_page(
        request,
        _("Page not found"),
        _("If you typed the web address, check it is correct."),
        status_code=404,
    )


async def _answer_refusals(request: Request, run: Handler) -> Response:
    try:
        return await run(request)
    except NotSignedIn:
        if request.method == "GET":
            return RedirectResponse("/auth/sign-in", status_code=303)
        return await message_page(
            request,
            _("Sign in first"),
            _("Your session has ended. Sign in and try again. Nothing was changed."),
            status_code=401,
        )
    except PageNotFound:
        return await not_found_page(request)
    except DomainError as error:
        if error.code is ErrorCode.FORBIDDEN:
            return await forbidden_page(request)
        if error.code is ErrorCode.NOT_FOUND:
            return await not_found_page(request)
        if error.code is ErrorCode.RATE_LIMITED:
            return await message_page(
                request,
                _("Slow down a little"),
                _("The site is busy. Wait a moment and try again. Nothing was changed."),
                status_code=429,
            )
        raise


def page(handler: Handler) -> Handler:
    """A GET page for facilitators: sign-in, 403 and 404 answered the same way."""

    async def endpoint(request: Request) -> Response:
        return await _answer_refusals(request, handler)

    return endpoint


def action(handler: FormHandler) -> Handler:
    """A POST for facilitators: same-origin with a CSRF token, then as :func:`page`."""

    async def run(request: Request, form: FormData) -> Response:
        async def with_form(request: Request) -> Response:
            if not await within_write_limit(request, await current_actor(request)):
                return await message_page(
                    request,
                    _("Slow down a little"),
                    _("You are making changes very quickly. Wait a minute and try again."),
                    status_code=429,
                )
            # The whole handler is the unit of work run again after a deadlock or a
            # serialization failure (its transactions rolled back), as GraphQL mutations
            # are, whether it writes in one page transaction or several.
            return await retrying(lambda: handler(request, form))

        return await _answer_refusals(request, with_form)

    return guarded(run)


def redirect(url: str) -> Response:
    return RedirectResponse(url, status_code=303)


def texts(form: FormData, names: Sequence[str]) -> dict[str, str]:
    return {name: form_text(form, name) for name in names}


def required(values: Mapping[str, str], messages: Mapping[str, str]) -> list[FieldError]:
    return [
        FieldError(name, message) for name, message in messages.items() if not values[name].strip()
    ]


def field_errors(
    error: DomainError, default_field: str, renames: Mapping[str, str] | None = None
) -> list[FieldError]:
    """A service's error on the form field it names (or ``default_field``)."""
    field = error.field[0] if error.field else default_field
    return [FieldError((renames or {}).get(field, field), error.message)]


def parse_date(value: str) -> date | None:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        return None


def parse_time(value: str) -> time | None:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        return None


def local_datetime(
    values: Mapping[str, str],
    date_field: str,
    time_field: str,
    *,
    date_message: str,
    time_message: str,
) -> tuple[datetime | None, list[FieldError]]:
    """An optional local date and time from two fields, as UTC."""
    raw_date, raw_time = values[date_field].strip(), values[time_field].strip()
    if not raw_date and not raw_time:
        return None, []
    day = parse_date(raw_date) if raw_date else None
    if day is None:
        return None, [FieldError(date_field, date_message)]
    at = parse_time(raw_time) if raw_time else None
    if at is None:
        return None, [FieldError(time_field, time_message)]
    return datetime.combine(day, at, tzinfo=LOCAL_TIME).astimezone(UTC), []


def area_context(area: Area) -> dict[str, Any]:
    return {"area": area, "dashboard_url": f"/facilitate/areas/{area.slug}"}
