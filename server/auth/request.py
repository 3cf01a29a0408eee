"""Who is calling: credentials on an HTTP request or a WebSocket's connection_init.

API clients send ``Authorization: Bearer`` with a Levelground token (``lg_...``) or a JWT
from a configured issuer. Browsers send their session cookie, which GraphQL accepts
only on a same-origin POST with a JSON body (never on GET, never from a form).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.access import Actor
from server.auth import jwt, sessions, tokens
from server.auth.models import BrowserSession
from server.config import Settings
from server.db import unit_of_work


class InvalidCredentials(Exception):
    """Credentials were offered but are unknown, revoked, expired or malformed."""


@dataclass(frozen=True)
class Authenticator:
    """What checking credentials needs: the database, the settings, the JWKS cache."""

    sessionmaker: async_sessionmaker[AsyncSession]
    settings: Settings
    jwks: jwt.JwksCache

    @property
    def lifetimes(self) -> sessions.Lifetimes:
        return sessions.Lifetimes(
            max_age=timedelta(hours=self.settings.session_max_age_hours),
            idle=timedelta(hours=self.settings.session_idle_hours),
        )


def bearer_token(authorization: str | None) -> str | None:
    if not authorization:
        return None
    scheme, _, value = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not value.strip():
        raise InvalidCredentials("Use 'Authorization: Bearer <token>'.")
    return value.strip()


async def actor_for_bearer(auth: Authenticator, token: str) -> Actor:
    if token.startswith(tokens.TOKEN_PREFIX):
        # One statement reads the token and its person's roles, so it needs no
        # transaction around it: autocommit saves the BEGIN and COMMIT round trips. The
        # rare "last used" update is a statement of its own, kept at once.
        async with auth.sessionmaker() as session:
            await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            found = await tokens.authenticate(session, token)
            if found is None:
                raise InvalidCredentials("The token is unknown, revoked or expired.")
            actor, api_token = found
            await tokens.record_use(session, api_token)
            return actor
    async with unit_of_work(auth.sessionmaker) as session:
        if auth.settings.jwt_issuers and jwt.looks_like_jwt(token):
            try:
                return await jwt.authenticate(session, auth.settings.jwt_issuers, auth.jwks, token)
            except jwt.InvalidToken as error:
                raise InvalidCredentials(str(error)) from error
        raise InvalidCredentials("The token is unknown, revoked or expired.")


async def browser_session(
    auth: Authenticator, cookies: Mapping[str, str]
) -> tuple[Actor, BrowserSession] | None:
    """The live session behind a browser's cookie, if any."""
    plaintext = cookies.get(sessions.COOKIE)
    if not plaintext:
        return None
    # As for a token: one statement (and a once-a-minute "last seen"), in autocommit.
    async with auth.sessionmaker() as session:
        await session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return await sessions.authenticate(session, auth.lifetimes, plaintext)


def expected_origin(settings: Settings, scheme: str, host: str | None) -> str | None:
    """Our own origin: the public address when configured, else the request's host."""
    if settings.public_url:
        parts = urlsplit(settings.public_url)
        return f"{parts.scheme}://{parts.netloc}".lower()
    if not host:
        return None
    return f"{scheme}://{host}".lower()


def is_same_origin(headers: Mapping[str, str], settings: Settings, scheme: str) -> bool:
    origin = headers.get("origin")
    expected = expected_origin(settings, scheme, headers.get("host"))
    return origin is not None and expected is not None and origin.lower() == expected


def _media_type(headers: Mapping[str, str]) -> str:
    return headers.get("content-type", "").split(";", 1)[0].strip().lower()


def cookie_allowed_for_graphql(
    method: str, headers: Mapping[str, str], settings: Settings, scheme: str
) -> bool:
    """A browser's cookie counts for GraphQL only on a same-origin JSON POST: a form,
    a link or another site's script cannot produce one (CORS would need a preflight we
    never answer)."""
    return (
        method == "POST"
        and _media_type(headers) == "application/json"
        and is_same_origin(headers, settings, scheme)
    )


async def actor_for_headers(auth: Authenticator, headers: Mapping[str, str]) -> Actor | None:
    """An API client's actor from its ``Authorization`` header; None without one."""
    token = bearer_token(headers.get("authorization"))
    if token is None:
        return None
    return await actor_for_bearer(auth, token)


async def actor_for_http(
    auth: Authenticator,
    method: str,
    scheme: str,
    headers: Mapping[str, str],
    cookies: Mapping[str, str],
) -> Actor | None:
    """GraphQL over HTTP: a bearer token, else a browser's cookie where it may count."""
    if headers.get("authorization"):
        return await actor_for_headers(auth, headers)
    if sessions.COOKIE in cookies and cookie_allowed_for_graphql(
        method, headers, auth.settings, scheme
    ):
        found = await browser_session(auth, cookies)
        return found[0] if found else None
    return None
