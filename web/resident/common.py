"""What every resident page shares: sign-in, 404s, reads, writes and plain-English errors.

Pages only translate: reads go through the repositories and services GraphQL uses, writes
through the services, in a unit of work with the same per-person write limit.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.access import Actor
from server.errors import DomainError, ErrorCode
from server.inputs import parse_id
from server.voting import eligibility
from web.auth import FieldError, guarded, render, saved, signed_in, within_write_limit
from web.i18n import gettext as _
from web.resident import words

T = TypeVar("T")


class Missing(Exception):
    """The page's subject does not exist (or the id is not a number): a 404 page."""


Page = Callable[[Request, Actor], Awaitable[Response]]
FormPage = Callable[[Request, Actor, FormData], Awaitable[Response]]
Endpoint = Callable[[Request], Awaitable[Response]]


def sign_in_first(request: Request) -> Response:
    wanted = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/auth/sign-in?next={quote(wanted, safe='')}", status_code=303)


async def not_found(request: Request) -> Response:
    return await render(request, "resident/not_found.html", status_code=404)


def page(handler: Page) -> Endpoint:
    """A GET page for signed-in people (others are sent to sign in and brought back)."""

    async def endpoint(request: Request) -> Response:
        found = await signed_in(request)
        if found is None:
            return sign_in_first(request)
        try:
            return await handler(request, found[0])
        except Missing:
            return await not_found(request)

    return endpoint


def form_page(handler: FormPage) -> Endpoint:
    """A POST from one of our own forms (same origin, right CSRF token), signed in."""

    @guarded
    async def endpoint(request: Request, form: FormData) -> Response:
        found = await signed_in(request)
        if found is None:
            return sign_in_first(request)
        try:
            return await handler(request, found[0], form)
        except Missing:
            return await not_found(request)

    return endpoint


def path_id(request: Request, name: str = "id") -> int:
    found = parse_id(request.path_params[name])
    if found is None:
        raise Missing(name)
    return found


def exists(found: T | None) -> T:
    if found is None:
        raise Missing()
    return found


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


async def write(request: Request, actor: Actor, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """Run a service call as one transaction, as GraphQL mutations do: within the
    person's write limit, retried on a deadlock, a database refusal as a DomainError."""
    if not await within_write_limit(request, actor):
        raise DomainError(ErrorCode.RATE_LIMITED, "rate limited")
    return await saved(request, work)


def _plain_messages() -> dict[str, str]:
    """Service messages in words for residents (the rules stay in the services)."""
    return {
        "Title cannot be empty.": _("Give your idea a short name."),
        "Title must be 200 characters or fewer.": _(
            "The name of your idea must be 200 characters or fewer."
        ),
        "Description cannot be empty.": _("Tell us more about your idea."),
        "Description must be 10000 characters or fewer.": _(
            "Your description must be 10,000 characters or fewer."
        ),
        "Comment cannot be empty.": _("Write your comment."),
        "Comment must be 5000 characters or fewer.": _(
            "Your comment must be 5,000 characters or fewer."
        ),
        "Choose at least one proposal.": _("Choose at least one idea."),
        "Give each chosen proposal at least 1 dot.": _("Dots must be a whole number, 0 or more."),
        "Number your choices 1, 2, 3... with no gaps and no number used twice.": _(
            "Number your choices 1, 2, 3 and so on. Do not skip a number "
            "and do not use a number twice."
        ),
        "That comment was hidden by a moderator.": _(
            "You cannot reply to that comment because a moderator hid it."
        ),
    }


def plain(error: DomainError) -> str:
    match error.code:
        case ErrorCode.RATE_LIMITED:
            return _("You are making changes very quickly. Wait a minute and try again.")
        case ErrorCode.FORBIDDEN if error.message == eligibility.NEEDS_VERIFIED_SIGN_IN:
            return _(
                "Online ballots in this vote need a verified sign-in: an account from an "
                "identity provider (such as NHS login) or a verified email address. You can "
                "still vote in the room: a facilitator records your ballot on paper."
            )
        case ErrorCode.FORBIDDEN:
            return _("To take part here, first join a conversation in this area.")
        case ErrorCode.ROUND_NOT_OPEN:
            return _("This vote is not open, so your choices were not saved.")
    return _plain_messages().get(error.message, error.message)


def field_error(error: DomainError, field: str) -> FieldError:
    return FieldError(field, plain(error))


async def show(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    errors: Sequence[FieldError] = (),
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        template,
        {**words.ALL, **(context or {})},
        errors=errors,
        status_code=status_code,
    )
