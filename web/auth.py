"""Signing in and out, registering, joining with a code, and the profile: /auth/*.

Server-rendered forms, each with a CSRF token bound to the browser (its session, or
before sign-in a random cookie) and an Origin check. These handlers only translate:
the rules are in server/auth/.
"""

from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server.access import Actor
from server.areas import repository as areas_repo
from server.auth import accounts, csrf, joining, oidc, sessions
from server.auth.accounts import Refused
from server.auth.models import BrowserSession
from server.auth.request import Authenticator, browser_session, is_same_origin
from server.config import Settings
from server.conversations.models import Conversation
from server.db import unit_of_work
from server.db_errors import retrying
from server.errors import DomainError
from server.inputs import is_storable
from server.limits import service as limits
from server.notifications import service as notifications
from server.people import repository as people_repo
from server.people.models import Person, PersonKind, Role
from web import i18n
from web.i18n import gettext as _
from web.i18n import ngettext
from web.templating import templates

T = TypeVar("T")
OIDC_COOKIE = "lg_oidc"
# A random id for the browser, kept with the joins it makes: one new person per browser
# and area. Clearing cookies gets round it; the join limit and the facilitators' list
# of joiners are there for that.
DEVICE_COOKIE = "lg_device"
DEVICE_COOKIE_MAX_AGE = 365 * 24 * 3600
_UNKNOWN = object()


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


def _auth(request: Request) -> Authenticator:
    authenticator: Authenticator = request.app.state.authenticator
    return authenticator


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@asynccontextmanager
async def transaction(request: Request) -> AsyncIterator[AsyncSession]:
    """One unit of work for a page: committed when the block ends, rolled back on error."""
    async with unit_of_work(request.app.state.sessionmaker) as session:
        yield session


async def saved(request: Request, work: Callable[[AsyncSession], Awaitable[T]]) -> T:
    """One write as its own unit of work, run again after a deadlock or a serialization
    failure (server.db_errors.retrying), exactly as GraphQL mutations are."""

    async def once() -> T:
        async with transaction(request) as session:
            return await work(session)

    return await retrying(once)


async def within_write_limit(request: Request, actor: Actor) -> bool:
    """Count one more write by this person from this address (the same limits GraphQL
    mutations count); False once either is over its limit."""
    return await limits.count_write(
        request.app.state.sessionmaker,
        _settings(request).rate_limits,
        actor.person_id,
        client_ip(request),
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or _settings(request).secure_cookies


async def signed_in(request: Request) -> tuple[Actor, BrowserSession] | None:
    """The browser's live session (looked up once per request)."""
    found: tuple[Actor, BrowserSession] | object | None = getattr(
        request.state, "signed_in", _UNKNOWN
    )
    if found is _UNKNOWN:
        found = await browser_session(_auth(request), request.cookies)
        request.state.signed_in = found
    return found  # type: ignore[return-value]


async def _person(request: Request) -> tuple[Person | None, int]:
    """The signed-in person and how many notifications they have not read."""
    found = await signed_in(request)
    if found is None:
        return None, 0
    async with unit_of_work(_auth(request).sessionmaker) as session:
        person = await people_repo.by_id(session, found[0].person_id)
        return person, await notifications.unread_count(session, found[0].person_id)


async def _csrf_binding(request: Request) -> tuple[str, bool]:
    """What this browser's CSRF tokens are bound to, and whether that is a new cookie."""
    if await signed_in(request) is not None:
        return request.cookies[sessions.COOKIE], False
    existing = request.cookies.get(csrf.ANONYMOUS_COOKIE)
    if existing and 20 <= len(existing) <= 100:
        return existing, False
    return csrf.new_binding(), True


async def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    errors: Sequence[FieldError] = (),
    status_code: int = 200,
) -> Response:
    binding, new = await _csrf_binding(request)
    settings = _settings(request)
    viewer, unread = await _person(request)
    response = templates.TemplateResponse(
        request,
        template,
        {
            "csrf_field": csrf.FIELD,
            "csrf_token": csrf.token_for(settings.effective_secret_key, binding),
            "errors": list(errors),
            "error_for": {e.field: e.message for e in errors},
            "viewer": viewer,
            "unread_notifications": unread,
            "providers": settings.oidc_providers,
            **(context or {}),
        },
        status_code=status_code,
    )
    response.headers["Cache-Control"] = "no-store"
    if new:
        response.set_cookie(
            csrf.ANONYMOUS_COOKIE,
            binding,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/",
        )
    return response


class FormRefused(Exception):
    """A cross-origin post, or one without this browser's CSRF token."""


class UnreadableForm(Exception):
    """A field holds text PostgreSQL cannot keep (a NUL, a lone surrogate)."""


async def checked_form(request: Request) -> FormData:
    """The posted form, once its Origin (when sent) and CSRF token are right."""
    if "origin" in request.headers and not is_same_origin(
        request.headers, _settings(request), request.url.scheme
    ):
        raise FormRefused("cross-origin form")
    form = await request.form()
    if not all(is_storable(f"{name}{value}") for name, value in _texts(form)):
        raise UnreadableForm
    binding, new = await _csrf_binding(request)
    token = form.get(csrf.FIELD)
    if new or not csrf.is_valid(
        _settings(request).effective_secret_key,
        binding,
        token if isinstance(token, str) else None,
    ):
        raise FormRefused("bad CSRF token")
    return form


def _texts(form: FormData) -> list[tuple[str, str]]:
    return [(name, value) for name, value in form.multi_items() if isinstance(value, str)]


async def _unreadable(request: Request) -> Response:
    return await render(
        request,
        "auth/message.html",
        {
            "title": _("We could not read that form"),
            "message": _(
                "Something in it cannot be saved (such as an invisible control character). "
                "Nothing was changed. Go back, check what you typed and try again."
            ),
        },
        status_code=400,
    )


async def _forbidden(request: Request) -> Response:
    return await render(
        request,
        "auth/message.html",
        {
            "title": _("This form has expired"),
            "message": _("Go back, reload the page and try again."),
        },
        status_code=403,
    )


Handler = Callable[[Request], Awaitable[Response]]


def guarded(handler: Callable[[Request, FormData], Awaitable[Response]]) -> Handler:
    """A POST handler that only runs for a same-origin form with a valid CSRF token."""

    async def endpoint(request: Request) -> Response:
        try:
            form = await checked_form(request)
        except FormRefused:
            return await _forbidden(request)
        except UnreadableForm:
            return await _unreadable(request)
        return await handler(request, form)

    return endpoint


def form_text(form: FormData, name: str) -> str:
    """A posted field as text (missing, or a file, is the empty string)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


def _kind(form: FormData) -> PersonKind | None:
    value = form_text(form, "kind")
    return PersonKind(value) if value in {k.value for k in PersonKind} else None


def _messages() -> dict[str, str]:
    """The sign-in rules' messages in the page's language (the rules stay in server/)."""
    return {
        accounts.SIGN_IN_FAILED: _("Enter a correct email address and password."),
        accounts.TOO_MANY_FROM_NETWORK: _(
            "Too many sign-in attempts from this network. Try again later."
        ),
        joining.UNKNOWN_CODE: _(
            "That code does not match an open conversation. Check it with the facilitator."
        ),
        joining.TOO_MANY: _("Too many attempts to join from this network. Try again later."),
        joining.FULL: _(
            "Everyone the facilitator expected has already joined this conversation. "
            "Ask the facilitator to let more people join."
        ),
        joining.JOINED_ON_THIS_DEVICE: _(
            "Someone has already joined on this device. If that was you, sign back in with "
            "your personal code. If not, use your own phone, or ask the facilitator to add you."
        ),
        joining.UNKNOWN_PERSONAL_CODE: _(
            "That personal code is not right. Check it and try again."
        ),
        "Choose resident or professional.": _("Choose resident or professional."),
        "Display name cannot be empty.": _("Enter your name."),
        "Display name must be 80 characters or fewer.": _(
            "Your name must be 80 characters or fewer."
        ),
        "Display name contains characters that cannot be shown.": _(
            "Your name contains characters that cannot be shown."
        ),
        "Email address contains characters that cannot be shown.": _(
            "The email address contains characters that cannot be shown."
        ),
        "Your current password is not right.": _("Your current password is not right."),
        "You sign in with your email address, so you need no personal code.": _(
            "You sign in with your email address, so you need no personal code."
        ),
    }


def translated(message: str) -> str:
    return _messages().get(message, message)


def _errors(error: DomainError, default_field: str) -> list[FieldError]:
    return [FieldError(error.field[0] if error.field else default_field, translated(error.message))]


def _signed_in_response(
    request: Request, plaintext: str, to: str = "/", *, device: str | None = None
) -> Response:
    response = RedirectResponse(to, status_code=303)
    response.set_cookie(
        sessions.COOKIE,
        plaintext,
        max_age=int(_settings(request).session_max_age_hours * 3600),
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(csrf.ANONYMOUS_COOKIE, path="/")
    if device is not None:
        response.set_cookie(
            DEVICE_COOKIE,
            device,
            max_age=DEVICE_COOKIE_MAX_AGE,
            httponly=True,
            samesite="lax",
            secure=_secure(request),
            path="/auth",
        )
    return response


async def _start_session(
    session: AsyncSession, request: Request, person: Person, method: str
) -> str:
    started = await sessions.start(
        session,
        _auth(request).lifetimes,
        person_id=person.id,
        method=method,
        replacing=request.cookies.get(sessions.COOKIE),
    )
    # Unless they chose one, people are written to in the language they signed in with.
    await notifications.remember_language(session, person.id, i18n.current_language())
    return started.plaintext


# Sign in with a password.


def local_path(value: str | None) -> str | None:
    """``value`` if it is a path on this site (so ``next`` cannot send anyone elsewhere)."""
    if (
        not value
        or not value.startswith("/")
        or value.startswith("//")
        or "\\" in value
        or any(ord(c) < 32 for c in value)
        or len(value) > 2000
    ):
        return None
    return value


def _with_next(path: str, next_path: str | None) -> str:
    return f"{path}?{urlencode({'next': next_path})}" if next_path else path


def _sign_in_context(
    email: str, next_path: str | None, notice: str | None = None
) -> dict[str, Any]:
    return {
        "email": email,
        "next": next_path,
        "notice": notice,
        "join_url": _with_next("/auth/join", next_path),
        "register_url": _with_next("/auth/register", next_path),
    }


async def sign_in_page(request: Request) -> Response:
    return await render(
        request,
        "auth/sign_in.html",
        _sign_in_context("", local_path(request.query_params.get("next"))),
    )


@guarded
async def sign_in(request: Request, form: FormData) -> Response:
    email, password = form_text(form, "email"), form_text(form, "password")
    next_path = local_path(form_text(form, "next"))
    missing = [
        FieldError(field, message)
        for field, message, value in (
            ("email", _("Enter your email address."), email),
            ("password", _("Enter your password."), password),
        )
        if not value.strip()
    ]
    if missing:
        return await render(
            request,
            "auth/sign_in.html",
            _sign_in_context(email, next_path),
            errors=missing,
            status_code=400,
        )
    async with unit_of_work(_auth(request).sessionmaker) as session:
        result = await accounts.sign_in(
            session,
            _settings(request).rate_limits,
            email=email,
            password=password,
            ip=client_ip(request),
        )
        if isinstance(result, Refused):
            refused = result
        else:
            plaintext = await _start_session(session, request, result, "password")
            return _signed_in_response(request, plaintext, to=next_path or "/")
    message = translated(refused.message)
    if refused.minutes is not None:
        message = ngettext(
            "This account is locked after too many failed sign-in attempts. "
            "Try again in %(num)d minute.",
            "This account is locked after too many failed sign-in attempts. "
            "Try again in %(num)d minutes.",
            refused.minutes,
        ) % {"num": refused.minutes}
    return await render(
        request,
        "auth/sign_in.html",
        _sign_in_context(email, next_path),
        errors=[FieldError("email", message)],
        status_code=400 if refused.message == accounts.SIGN_IN_FAILED else 429,
    )


# Register with a password.


async def register_page(request: Request) -> Response:
    return await render(
        request,
        "auth/register.html",
        {"form": {}, "next": local_path(request.query_params.get("next"))},
    )


@guarded
async def register(request: Request, form: FormData) -> Response:
    values = {name: form_text(form, name) for name in ("displayName", "email", "kind")}
    next_path = local_path(form_text(form, "next"))
    errors = []
    if not values["displayName"].strip():
        errors.append(FieldError("displayName", _("Enter your name.")))
    if not values["email"].strip():
        errors.append(FieldError("email", _("Enter your email address.")))
    kind = _kind(form)
    if kind is None:
        errors.append(FieldError("kind", _("Choose resident or professional.")))
    if not form_text(form, "password"):
        errors.append(FieldError("password", _("Create a password.")))
    elif form_text(form, "password") != form_text(form, "confirmPassword"):
        errors.append(FieldError("confirmPassword", _("The passwords do not match.")))
    context = {"form": values, "next": next_path}
    if errors:
        return await render(request, "auth/register.html", context, errors=errors, status_code=400)
    assert kind is not None
    async with unit_of_work(_auth(request).sessionmaker) as session:
        allowed = await accounts.allow_attempt(
            session, _settings(request).rate_limits, client_ip(request)
        )
    if not allowed:
        return await render(
            request,
            "auth/register.html",
            context,
            errors=[FieldError("email", translated(accounts.TOO_MANY_FROM_NETWORK))],
            status_code=429,
        )
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            await accounts.register(
                session,
                display_name=values["displayName"],
                email=values["email"],
                password=form_text(form, "password"),
                kind=kind,
            )
    except DomainError as error:
        return await render(
            request,
            "auth/register.html",
            context,
            errors=_errors(error, "email"),
            status_code=400,
        )
    # The same answer whether the address was new or already had an account, so the
    # form cannot be used to find out who has one: both go on to sign in.
    return await render(
        request,
        "auth/sign_in.html",
        _sign_in_context(
            values["email"].strip(),
            next_path,
            notice=_(
                "If this email address was new, your account is ready: sign in with the "
                "password you chose. If it already had an account, sign in with that "
                "account's password."
            ),
        ),
    )


# Join a conversation with its code, and come back with a personal code.


def _join_context(form: dict[str, str], next_path: str | None) -> dict[str, Any]:
    return {"form": form, "next": next_path}


async def join_page(request: Request) -> Response:
    code = request.query_params.get("code", "")
    return await render(
        request,
        "auth/join.html",
        _join_context({"code": code[:20]}, local_path(request.query_params.get("next"))),
    )


def _missing_for_join(
    values: dict[str, str], kind: PersonKind | None, new: bool
) -> list[FieldError]:
    """Everything left empty, all at once (the code, and for a newcomer name and kind)."""
    errors = []
    if not values["code"].strip():
        errors.append(FieldError("code", _("Enter the conversation code.")))
    if new and not values["displayName"].strip():
        errors.append(FieldError("displayName", _("Enter your name.")))
    if new and kind is None:
        errors.append(FieldError("kind", _("Choose resident or professional.")))
    return errors


async def _landing(session: AsyncSession, conversation: Conversation) -> str:
    """Where someone who joined goes: the open vote (or the area's page listing the
    open votes), else the conversation."""
    votes = await joining.open_votes(session, conversation)
    if len(votes) == 1:
        return f"/rounds/{votes[0].id}"
    if votes:
        area = (await areas_repo.by_ids(session, [conversation.area_id]))[0]
        return f"/areas/{area.slug}"
    return f"/conversations/{conversation.id}"


@guarded
async def join(request: Request, form: FormData) -> Response:
    values = {name: form_text(form, name) for name in ("code", "displayName", "kind")}
    next_path = local_path(form_text(form, "next"))
    current = await signed_in(request)
    kind = _kind(form)
    context = _join_context(values, next_path)
    missing = _missing_for_join(values, kind, new=current is None)
    if missing:
        return await render(request, "auth/join.html", context, errors=missing, status_code=400)
    device = request.cookies.get(DEVICE_COOKIE)
    new_device = None
    if not device or len(device) > 100:
        device = new_device = secrets.token_urlsafe(24)
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            result = await joining.join(
                session,
                _settings(request).rate_limits,
                code=values["code"],
                display_name=values["displayName"],
                kind=kind,
                ip=client_ip(request),
                device=device,
                person_id=current[0].person_id if current else None,
            )
            if isinstance(result, Refused):
                refused = result
            else:
                landing = next_path or await _landing(session, result.conversation)
                plaintext = (
                    await _start_session(session, request, result.person, "join_code")
                    if result.created
                    else None
                )
    except DomainError as error:
        return await render(
            request, "auth/join.html", context, errors=_errors(error, "code"), status_code=400
        )
    if isinstance(result, Refused):
        status = {joining.UNKNOWN_CODE: 400, joining.TOO_MANY: 429}.get(refused.message, 409)
        return await render(
            request,
            "auth/join.html",
            {**context, "rejoin_first": refused.message == joining.JOINED_ON_THIS_DEVICE},
            errors=[FieldError("code", translated(refused.message))],
            status_code=status,
        )
    if plaintext is not None:
        # First the personal code, shown once; the way on from there is the landing.
        to = f"/auth/joined?{urlencode({'next': landing})}"
        return _signed_in_response(request, plaintext, to=to, device=new_device)
    return RedirectResponse(landing, status_code=303)


async def joined_page(request: Request) -> Response:
    """Welcome: the personal code (made here, once), and the way to the open vote."""
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/join", status_code=303)
    next_path = local_path(request.query_params.get("next")) or "/"
    code = None
    async with unit_of_work(_auth(request).sessionmaker) as session:
        person = await people_repo.by_id(session, current[0].person_id)
        assert person is not None
        if joining.is_join_code_person(person) and not await joining.has_personal_code(
            session, person.id
        ):
            code = await joining.new_personal_code(session, person)
    return await render(
        request,
        "auth/joined.html",
        {"code": code, "next": next_path, "to_vote": next_path.startswith("/rounds/")},
    )


@guarded
async def rejoin(request: Request, form: FormData) -> Response:
    next_path = local_path(form_text(form, "next"))
    code = form_text(form, "personalCode")
    context = {**_join_context({"personalCode": code}, next_path), "rejoin_first": True}
    if not code.strip():
        return await render(
            request,
            "auth/join.html",
            context,
            errors=[FieldError("personalCode", _("Enter your personal code."))],
            status_code=400,
        )
    async with unit_of_work(_auth(request).sessionmaker) as session:
        result = await joining.rejoin(
            session, _settings(request).rate_limits, code=code, ip=client_ip(request)
        )
        if isinstance(result, Refused):
            refused = result
        else:
            plaintext = await _start_session(session, request, result, "personal_code")
            return _signed_in_response(request, plaintext, to=next_path or "/")
    return await render(
        request,
        "auth/join.html",
        context,
        errors=[FieldError("personalCode", translated(refused.message))],
        status_code=429 if refused.message == joining.TOO_MANY else 400,
    )


# OpenID Connect.


def _oauth(request: Request) -> OAuth:
    registry: OAuth = request.app.state.oauth
    return registry


def _callback_url(request: Request, name: str) -> str:
    public = _settings(request).public_url
    if public:
        return f"{public.rstrip('/')}/auth/oidc/{name}/callback"
    return str(request.url_for("oidc_callback", name=name))


@guarded
async def oidc_start(request: Request, form: FormData) -> Response:
    name = request.path_params["name"]
    if _settings(request).oidc_provider(name) is None:
        return await _not_found(request)
    client = _oauth(request).create_client(name)
    response: Response = await client.authorize_redirect(request, _callback_url(request, name))
    return response


async def oidc_callback(request: Request) -> Response:
    name = request.path_params["name"]
    provider = _settings(request).oidc_provider(name)
    if provider is None:
        return await _not_found(request)
    failed = await render(
        request,
        "auth/message.html",
        {
            "title": _("Signing in with %(provider)s did not work")
            % {"provider": provider.display_name},
            "message": _("Nothing was changed. Go back to the sign-in page and try again."),
        },
        status_code=400,
    )
    try:
        token = await _oauth(request).create_client(name).authorize_access_token(request)
    except (OAuthError, KeyError, ValueError):
        return failed
    userinfo = token.get("userinfo")
    if not userinfo or "sub" not in userinfo:
        return failed
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            person = await oidc.person_for(session, provider, oidc.Claims.of(userinfo))
            plaintext = await _start_session(session, request, person, f"oidc:{name}")
    except DomainError:
        return failed
    return _signed_in_response(request, plaintext)


async def _not_found(request: Request) -> Response:
    return await render(
        request,
        "auth/message.html",
        {"title": _("Page not found"), "message": _("There is no such sign-in option.")},
        status_code=404,
    )


# Signing out.


@guarded
async def sign_out(request: Request, form: FormData) -> Response:
    plaintext = request.cookies.get(sessions.COOKIE)
    if plaintext:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            await sessions.end(session, plaintext)
    return _signed_out(request)


@guarded
async def sign_out_everywhere(request: Request, form: FormData) -> Response:
    current = await signed_in(request)
    if current is not None:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            await sessions.end_all(session, current[0].person_id)
    return _signed_out(request)


def _signed_out(request: Request) -> Response:
    response = RedirectResponse("/auth/sign-in", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/", secure=_secure(request), httponly=True)
    return response


# The profile.


async def profile_page(request: Request) -> Response:
    return await _profile(request)


async def _profile(
    request: Request,
    *,
    errors: Sequence[FieldError] = (),
    form: dict[str, str] | None = None,
    notice: str | None = None,
    personal_code: str | None = None,
    status_code: int = 200,
) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in?next=/auth/profile", status_code=303)
    async with unit_of_work(_auth(request).sessionmaker) as session:
        person = await people_repo.by_id(session, current[0].person_id)
        assert person is not None
        roles = await people_repo.grants_with_area_names(session, current[0].person_id)
        joined_with_code = joining.is_join_code_person(person)
        has_code = joined_with_code and await joining.has_personal_code(session, person.id)
    return await render(
        request,
        "auth/profile.html",
        {
            "person": person,
            "roles": roles,
            "form": form or {"displayName": person.display_name, "kind": person.kind.value},
            "notice": notice,
            "joined_with_code": joined_with_code,
            "has_code": has_code,
            "personal_code": personal_code,
            "role_names": {
                Role.PARTICIPANT.value: _("Taking part"),
                Role.FACILITATOR.value: _("Facilitator"),
                Role.BOARD.value: _("Board member"),
                Role.ADMIN.value: _("Admin"),
            },
        },
        errors=errors,
        status_code=status_code,
    )


@guarded
async def update_profile(request: Request, form: FormData) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    values = {name: form_text(form, name) for name in ("displayName", "kind")}
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            await accounts.update_profile(
                session,
                current[0].person_id,
                display_name=values["displayName"],
                kind=_kind(form),
            )
    except DomainError as error:
        return await _profile(
            request, errors=_errors(error, "displayName"), form=values, status_code=400
        )
    return await _profile(request, notice=_("Your profile is saved."))


@guarded
async def make_personal_code(request: Request, form: FormData) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            person = await people_repo.by_id(session, current[0].person_id)
            assert person is not None
            code = await joining.new_personal_code(session, person)
    except DomainError as error:
        return await _profile(
            request, errors=_errors(error, "personal-code-heading"), status_code=400
        )
    return await _profile(request, personal_code=code)


@guarded
async def change_password(request: Request, form: FormData) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    if form_text(form, "newPassword") != form_text(form, "confirmPassword"):
        return await _profile(
            request,
            errors=[FieldError("confirmPassword", _("The new passwords do not match."))],
            status_code=400,
        )
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            person = await accounts.change_password(
                session,
                current[0].person_id,
                current=form_text(form, "currentPassword"),
                new=form_text(form, "newPassword"),
            )
            # A new password ends every other session; this browser gets a fresh one.
            await sessions.end_all(session, person.id)
            plaintext = await _start_session(session, request, person, "password")
    except DomainError as error:
        return await _profile(request, errors=_errors(error, "newPassword"), status_code=400)
    return _signed_in_response(request, plaintext, to="/auth/profile")


def routes(settings: Settings) -> list[BaseRoute]:
    # Authlib keeps a signed marker of each sign-in in progress in this short-lived
    # cookie (the state itself is in PostgreSQL).
    oidc_session = [
        Middleware(
            SessionMiddleware,
            secret_key=settings.effective_secret_key,
            session_cookie=OIDC_COOKIE,
            max_age=int(oidc.FLOW_LIFETIME.total_seconds()),
            path="/auth/oidc",
            same_site="lax",
            https_only=settings.secure_cookies,
        )
    ]
    return [
        Route("/auth/sign-in", sign_in_page, methods=["GET"], name="sign_in"),
        Route("/auth/sign-in", sign_in, methods=["POST"]),
        Route("/auth/register", register_page, methods=["GET"], name="register"),
        Route("/auth/register", register, methods=["POST"]),
        Route("/auth/join", join_page, methods=["GET"], name="join"),
        Route("/auth/join", join, methods=["POST"]),
        Route("/auth/joined", joined_page, methods=["GET"], name="joined"),
        Route("/auth/rejoin", rejoin, methods=["POST"], name="rejoin"),
        Route("/auth/sign-out", sign_out, methods=["POST"], name="sign_out"),
        Route("/auth/sign-out-everywhere", sign_out_everywhere, methods=["POST"]),
        Route("/auth/profile", profile_page, methods=["GET"], name="profile"),
        Route("/auth/profile", update_profile, methods=["POST"]),
        Route("/auth/profile/password", change_password, methods=["POST"]),
        Route("/auth/profile/personal-code", make_personal_code, methods=["POST"]),
        Route("/auth/oidc/{name}", oidc_start, methods=["POST"], middleware=oidc_session),
        Route(
            "/auth/oidc/{name}/callback",
            oidc_callback,
            methods=["GET"],
            name="oidc_callback",
            middleware=oidc_session,
        ),
    ]
