"""The notification pages: the list (linked from the header with the unread count),
opening one, email choices, and the one-click unsubscribe that needs no sign-in."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server.access import Actor
from server.errors import DomainError
from server.notifications import service as notifications
from server.notifications.models import EmailDelivery, Notification, NotificationKind
from server.notifications.repository import display_names
from server.people import repository as people_repo
from web import i18n
from web.auth import FieldError, form_text, render, transaction
from web.notifications import words
from web.resident.common import exists, form_page, page, path_id, plain, show, write

PAGE_SIZE = 30


@dataclass(frozen=True)
class Shown:
    id: int
    text: str
    read: bool
    created_at: object


async def _shown(request: Request, rows: Sequence[Notification]) -> list[Shown]:
    async with transaction(request) as session:
        names = await display_names(session, [n.actor_id for n in rows if n.actor_id])
    return [
        Shown(
            n.id,
            words.message(n, names.get(n.actor_id) if n.actor_id else None),
            n.read_at is not None,
            n.created_at,
        )
        for n in rows
    ]


def _after(request: Request) -> int | None:
    value = request.query_params.get("before", "")
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 18 else None


async def _list(request: Request, actor: Actor) -> Response:
    async with transaction(request) as session:
        rows = await notifications.page(
            session, actor.person_id, after_id=_after(request), limit=PAGE_SIZE + 1
        )
        unread = await notifications.unread_count(session, actor.person_id)
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    return await show(
        request,
        "notifications/list.html",
        {
            "items": await _shown(request, rows),
            "unread": unread,
            "older": rows[-1].id if more else None,
        },
    )


async def _mark_all_read(request: Request, actor: Actor, form: FormData) -> Response:
    await write(
        request,
        actor,
        lambda session: notifications.mark_read(session, actor, None, everything=True),
    )
    return RedirectResponse("/notifications", status_code=303)


async def _open(request: Request, actor: Actor) -> Response:
    """Opening a notification (from the list or an email) marks it read and goes to what
    it is about."""
    async with transaction(request) as session:
        found = exists(await notifications.own(session, actor.person_id, path_id(request)))
        if found.read_at is None:
            await notifications.mark_read(session, actor, [found.id])
    return RedirectResponse(found.link, status_code=303)


CHOICES = list(EmailDelivery)


async def _preferences(
    request: Request, actor: Actor, *, errors: Sequence[FieldError] = ()
) -> Response:
    async with transaction(request) as session:
        chosen = await notifications.preferences(session, actor.person_id)
        person = exists(await people_repo.by_id(session, actor.person_id))
    return await show(
        request,
        "notifications/preferences.html",
        {
            "rows": [(kind, words.choice(kind), chosen[kind]) for kind in NotificationKind],
            "choices": [(email, words.delivery(email)) for email in CHOICES],
            "has_email": person.email is not None,
            "language": person.language or i18n.current_language(),
            "saved": request.query_params.get("saved") == "1" and not errors,
        },
        errors=errors,
        status_code=400 if errors else 200,
    )


async def _save_preferences(request: Request, actor: Actor, form: FormData) -> Response:
    choices: dict[NotificationKind, EmailDelivery] = {}
    for kind in NotificationKind:
        value = form_text(form, kind.name)
        if value in EmailDelivery.__members__:
            choices[kind] = EmailDelivery[value]
    language = form_text(form, "language") or None
    try:
        await write(
            request,
            actor,
            lambda session: notifications.set_preferences(
                session, actor, choices, language=language
            ),
        )
    except DomainError as error:
        return await _preferences(request, actor, errors=[FieldError("language", plain(error))])
    return RedirectResponse("/notifications/preferences?saved=1", status_code=303)


async def _unsubscribe_page(request: Request) -> Response:
    """A link followed (or prefetched by a mail scanner) changes nothing: it asks."""
    return await render(
        request,
        "notifications/unsubscribe.html",
        {"token": request.path_params["token"]},
    )


async def _unsubscribe(request: Request) -> Response:
    """RFC 8058 one-click: the mail provider posts ``List-Unsubscribe=One-Click`` with no
    cookie and no CSRF token; the signed token in the address is the authority."""
    secret = request.app.state.settings.effective_secret_key
    try:
        async with transaction(request) as session:
            done = await notifications.unsubscribe(session, secret, request.path_params["token"])
    except DomainError:
        return await render(request, "notifications/unsubscribe_unknown.html", status_code=404)
    return await render(
        request,
        "notifications/unsubscribed.html",
        {"kinds": [words.choice(kind) for kind in done.kinds]},
    )


def routes() -> list[BaseRoute]:
    return [
        Route("/notifications", page(_list), methods=["GET"], name="notifications"),
        Route("/notifications/read", form_page(_mark_all_read), methods=["POST"]),
        Route("/notifications/preferences", page(_preferences), methods=["GET"]),
        Route("/notifications/preferences", form_page(_save_preferences), methods=["POST"]),
        Route("/notifications/unsubscribe/{token}", _unsubscribe_page, methods=["GET"]),
        Route("/notifications/unsubscribe/{token}", _unsubscribe, methods=["POST"]),
        Route("/notifications/{id}", page(_open), methods=["GET"]),
    ]
