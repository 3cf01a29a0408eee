"""Signing in and out, registering, joining with a code, and the profile: /auth/*.

Server-rendered forms, each with a CSRF token bound to the browser (its session, or
before sign-in a random cookie) and an Origin check. These handlers only translate:
the rules are in server/auth/.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from authlib.integrations.starlette_client import OAuth, OAuthError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from server.access import Actor
from server.auth import accounts, csrf, joining, oidc, sessions
from server.auth.accounts import Refused
from server.auth.models import BrowserSession
from server.auth.request import Authenticator, browser_session, is_same_origin
from server.config import Settings
from server.db import unit_of_work
from server.db_errors import retrying
from server.errors import DomainError
from server.inputs import is_storable
from server.limits import service as limits
from server.people import repository as people_repo
from server.people.models import Person, PersonKind
from web.i18n import gettext as _
from web.templating import templates

T = TypeVar("T")
OIDC_COOKIE = "lg_oidc"
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


async def _person(request: Request) -> Person | None:
    found = await signed_in(request)
    if found is None:
        return None
    async with unit_of_work(_auth(request).sessionmaker) as session:
        return await people_repo.by_id(session, found[0].person_id)


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
    response = templates.TemplateResponse(
        request,
        template,
        {
            "csrf_field": csrf.FIELD,
            "csrf_token": csrf.token_for(settings.effective_secret_key, binding),
            "errors": list(errors),
            "error_for": {e.field: e.message for e in errors},
            "viewer": await _person(request),
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
            "title": "This form has expired",
            "message": "Go back, reload the page and try again.",
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


def _errors(error: DomainError, default_field: str) -> list[FieldError]:
    return [FieldError(error.field[0] if error.field else default_field, error.message)]


def _signed_in_response(request: Request, plaintext: str, to: str = "/") -> Response:
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


async def sign_in_page(request: Request) -> Response:
    return await render(
        request,
        "auth/sign_in.html",
        {"email": "", "next": local_path(request.query_params.get("next"))},
    )


@guarded
async def sign_in(request: Request, form: FormData) -> Response:
    email, password = form_text(form, "email"), form_text(form, "password")
    next_path = local_path(form_text(form, "next"))
    missing = [
        FieldError(field, message)
        for field, message, value in (
            ("email", "Enter your email address.", email),
            ("password", "Enter your password.", password),
        )
        if not value.strip()
    ]
    if missing:
        return await render(
            request,
            "auth/sign_in.html",
            {"email": email, "next": next_path},
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
    return await render(
        request,
        "auth/sign_in.html",
        {"email": email, "next": next_path},
        errors=[FieldError("email", refused.message)],
        status_code=400 if refused.message == accounts.SIGN_IN_FAILED else 429,
    )


# Register with a password.


async def register_page(request: Request) -> Response:
    return await render(request, "auth/register.html", {"form": {}})


@guarded
async def register(request: Request, form: FormData) -> Response:
    values = {name: form_text(form, name) for name in ("displayName", "email", "kind")}
    kind = _kind(form)
    if kind is None:
        return await render(
            request,
            "auth/register.html",
            {"form": values},
            errors=[FieldError("kind", "Choose resident or professional.")],
            status_code=400,
        )
    if form_text(form, "password") != form_text(form, "confirmPassword"):
        return await render(
            request,
            "auth/register.html",
            {"form": values},
            errors=[FieldError("confirmPassword", "The passwords do not match.")],
            status_code=400,
        )
    async with unit_of_work(_auth(request).sessionmaker) as session:
        allowed = await accounts.allow_attempt(
            session, _settings(request).rate_limits, client_ip(request)
        )
    if not allowed:
        return await render(
            request,
            "auth/register.html",
            {"form": values},
            errors=[FieldError("email", accounts.TOO_MANY_FROM_NETWORK)],
            status_code=429,
        )
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            person = await accounts.register(
                session,
                display_name=values["displayName"],
                email=values["email"],
                password=form_text(form, "password"),
                kind=kind,
            )
            plaintext = await _start_session(session, request, person, "password")
    except DomainError as error:
        return await render(
            request,
            "auth/register.html",
            {"form": values},
            errors=_errors(error, "email"),
            status_code=400,
        )
    return _signed_in_response(request, plaintext)


# Join a conversation with its code.


async def join_page(request: Request) -> Response:
    code = request.query_params.get("code", "")
    return await render(request, "auth/join.html", {"form": {"code": code[:20]}})


@guarded
async def join(request: Request, form: FormData) -> Response:
    values = {name: form_text(form, name) for name in ("code", "displayName", "kind")}
    current = await signed_in(request)
    try:
        async with unit_of_work(_auth(request).sessionmaker) as session:
            result = await joining.join(
                session,
                _settings(request).rate_limits,
                code=values["code"],
                display_name=values["displayName"],
                kind=_kind(form),
                ip=client_ip(request),
                person_id=current[0].person_id if current else None,
            )
            plaintext = (
                await _start_session(session, request, result.person, "join_code")
                if isinstance(result, joining.Joined) and result.created
                else None
            )
    except DomainError as error:
        return await render(
            request,
            "auth/join.html",
            {"form": values},
            errors=_errors(error, "code"),
            status_code=400,
        )
    if isinstance(result, Refused):
        too_many = result.message != joining.UNKNOWN_CODE
        return await render(
            request,
            "auth/join.html",
            {"form": values},
            errors=[FieldError("code", result.message)],
            status_code=429 if too_many else 400,
        )
    # Straight to the conversation they came for.
    to = f"/conversations/{result.conversation.id}"
    if plaintext is not None:
        return _signed_in_response(request, plaintext, to=to)
    return RedirectResponse(to, status_code=303)


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
            "title": f"Signing in with {provider.display_name} did not work",
            "message": "Nothing was changed. Go back to the sign-in page and try again.",
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
        {"title": "Page not found", "message": "There is no such sign-in option."},
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
    status_code: int = 200,
) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    async with unit_of_work(_auth(request).sessionmaker) as session:
        person = await people_repo.by_id(session, current[0].person_id)
        roles = await people_repo.grants_with_area_names(session, current[0].person_id)
    assert person is not None
    return await render(
        request,
        "auth/profile.html",
        {
            "person": person,
            "roles": roles,
            "form": form or {"displayName": person.display_name, "kind": person.kind.value},
            "notice": notice,
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
    return await _profile(request, notice="Your profile is saved.")


@guarded
async def change_password(request: Request, form: FormData) -> Response:
    current = await signed_in(request)
    if current is None:
        return RedirectResponse("/auth/sign-in", status_code=303)
    if form_text(form, "newPassword") != form_text(form, "confirmPassword"):
        return await _profile(
            request,
            errors=[FieldError("confirmPassword", "The new passwords do not match.")],
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
        Route("/auth/sign-out", sign_out, methods=["POST"], name="sign_out"),
        Route("/auth/sign-out-everywhere", sign_out_everywhere, methods=["POST"]),
        Route("/auth/profile", profile_page, methods=["GET"], name="profile"),
        Route("/auth/profile", update_profile, methods=["POST"]),
        Route("/auth/profile/password", change_password, methods=["POST"]),
        Route("/auth/oidc/{name}", oidc_start, methods=["POST"], middleware=oidc_session),
        Route(
            "/auth/oidc/{name}/callback",
            oidc_callback,
            methods=["GET"],
            name="oidc_callback",
            middleware=oidc_session,
        ),
    ]
