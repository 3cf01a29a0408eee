"""Signing in with OpenID Connect providers (Authlib's Starlette client).

Authorization code flow with state, nonce and PKCE (S256). What a sign-in in progress
needs to remember (state, nonce, code verifier) is kept in PostgreSQL; the browser only
holds a signed marker proving it started the flow. An account is linked to an existing
person by email only when the provider says the email is verified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from authlib.integrations.starlette_client import OAuth
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server import clock, validation
from server.audit import service as audit
from server.auth import repository, sessions
from server.auth.models import ExternalIdentity
from server.config import OidcProvider
from server.db import unit_of_work
from server.errors import InvalidInput
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import Person, PersonKind

FLOW_LIFETIME = timedelta(minutes=10)


class StateStore:
    """Authlib's cache interface over the ``oauth_states`` table: every app process
    sees every sign-in in progress."""

    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession]) -> None:
        self.sessionmaker = sessionmaker

    async def get(self, key: str) -> str | None:
        async with unit_of_work(self.sessionmaker) as session:
            return await repository.oauth_state(session, key, clock.now())

    async def set(self, key: str, value: str, expires: int | None = None) -> None:
        lifetime = timedelta(seconds=expires) if expires else FLOW_LIFETIME
        now = clock.now()
        async with unit_of_work(self.sessionmaker) as session:
            await repository.forget_expired_oauth_states(session, now)
            await repository.put_oauth_state(session, key, value, now + lifetime)

    async def delete(self, key: str) -> None:
        async with unit_of_work(self.sessionmaker) as session:
            await repository.delete_oauth_state(session, key)


def issuer_of(provider: OidcProvider) -> str:
    return str(provider.issuer).rstrip("/")


def build_registry(
    providers: tuple[OidcProvider, ...], sessionmaker: async_sessionmaker[AsyncSession]
) -> OAuth:
    oauth = OAuth(cache=StateStore(sessionmaker))
    for provider in providers:
        oauth.register(
            name=provider.name,
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            server_metadata_url=f"{issuer_of(provider)}/.well-known/openid-configuration",
            client_kwargs={"scope": provider.scope, "code_challenge_method": "S256"},
        )
    return oauth


@dataclass(frozen=True)
class Claims:
    """What we use from a validated ID token."""

    issuer: str
    subject: str
    email: str | None
    email_verified: bool
    name: str | None

    @classmethod
    def of(cls, claims: Mapping[str, Any]) -> Claims:
        email = claims.get("email")
        name = claims.get("name") or claims.get("given_name") or claims.get("preferred_username")
        return cls(
            issuer=str(claims.get("iss", "")).rstrip("/"),
            subject=str(claims["sub"]),
            email=email if isinstance(email, str) and email else None,
            email_verified=claims.get("email_verified") is True,
            name=name if isinstance(name, str) else None,
        )


def _display_name(claims: Claims) -> str:
    for candidate in (claims.name, claims.email.split("@")[0] if claims.email else None):
        if candidate:
            try:
                return validation.text(candidate[:80], ["name"], max_length=80, label="Name")
            except InvalidInput:
                continue
    return "New member"


async def person_for(session: AsyncSession, provider: OidcProvider, claims: Claims) -> Person:
    """The person this provider account belongs to: linked before, or linked now by
    verified email, or new."""
    issuer = issuer_of(provider)
    if claims.issuer != issuer:
        raise InvalidInput("The sign-in came from an unexpected issuer.")
    return await link_or_create(
        session,
        issuer=issuer,
        claims=claims,
        how=f"oidc:{provider.name}",
        create=True,
        proves_email_ownership=True,
    )


async def link_or_create(
    session: AsyncSession,
    *,
    issuer: str,
    claims: Claims,
    how: str,
    create: bool,
    proves_email_ownership: bool,
) -> Person:
    now = clock.now()
    identity = await repository.identity(session, issuer, claims.subject)
    if identity is not None:
        identity.last_used_at = now
        await session.flush()
        person = await people_repo.by_id(session, identity.person_id)
        assert person is not None
        return person
    person = None
    if claims.email and claims.email_verified:
        email = people.check_email(claims.email)
        person = await people_repo.by_email(session, email)
        if person is not None and proves_email_ownership and person.email_verified_at is None:
            await _secure_unverified_account(session, person)
    if person is None:
        if not create:
            raise InvalidInput("No one here has that account.")
        verified_email = claims.email if claims.email_verified else None
        person = await people_repo.add(
            session,
            Person(
                display_name=_display_name(claims),
                email=people.check_email(verified_email) if verified_email else None,
                email_verified_at=now if verified_email else None,
                kind=PersonKind.RESIDENT,
            ),
        )
        await audit.record(session, person.id, "person.created", ("Person", person.id), via=how)
    await repository.add_identity(
        session,
        ExternalIdentity(
            person_id=person.id, issuer=issuer, subject=claims.subject, last_used_at=now
        ),
    )
    await audit.record(session, person.id, "identity.linked", ("Person", person.id), via=how)
    return person


async def _secure_unverified_account(session: AsyncSession, person: Person) -> None:
    """Someone could have registered this email before its owner arrived: now that a
    provider vouches for the owner, drop the unproven password and end its sessions."""
    person.email_verified_at = clock.now()
    if person.password_hash is not None:
        person.password_hash = None
        await sessions.end_all(session, person.id)
        await audit.record(
            session, person.id, "person.unverified_password_removed", ("Person", person.id)
        )
    await session.flush()
