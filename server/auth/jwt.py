"""JWT access tokens (RFC 9068) from external issuers, for board members' own clients.

Checked against the issuer's JWKS (fetched, cached, refetched when a new key id turns
up): the signature with a fixed list of asymmetric algorithms (never ``none``, never a
shared-secret HS* algorithm, so a public key cannot be passed off as an HMAC secret),
``typ`` = ``at+jwt``, ``iss``, ``aud``, ``exp``, ``nbf`` and ``iat``. The subject maps to a
person (by ``sub``, then by email); unknown subjects are refused unless the issuer is
configured to create people.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import httpx
from joserfc import jws
from joserfc import jwt as jose_jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor, Scope
from server.auth import oidc
from server.config import ASYMMETRIC_ALGORITHMS, JwtIssuer
from server.errors import DomainError
from server.people import repository as people_repo

LEEWAY_SECONDS = 30
# Refetching a JWKS for an unknown key id at most this often (a flood of forged key ids
# must not become a flood of requests to the issuer).
REFETCH_AFTER_SECONDS = 30
ACCEPTED_TYP = {"at+jwt", "application/at+jwt"}


class InvalidToken(Exception):
    pass


def looks_like_jwt(token: str) -> bool:
    parts = token.split(".")
    # An empty signature still counts: an unsigned ("alg": "none") token must be seen,
    # and refused, as one.
    return len(parts) == 3 and bool(parts[0]) and bool(parts[1]) and len(token) < 16_000


class JwksCache:
    """Each issuer's key set, fetched over HTTP and kept for a while."""

    def __init__(self) -> None:
        self._keys: dict[str, tuple[KeySet, float]] = {}
        self._lock = asyncio.Lock()

    async def _fetch(self, url: str) -> KeySet:
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.get(url, headers={"Accept": "application/json"})
            response.raise_for_status()
            return KeySet.import_key_set(response.json())

    async def keys(self, issuer: JwtIssuer, kid: str | None) -> KeySet:
        url = str(issuer.jwks_url)
        async with self._lock:
            cached = self._keys.get(url)
            age = time.monotonic() - cached[1] if cached else None
            stale = age is None or age > issuer.jwks_cache_seconds
            unknown_kid = (
                cached is not None
                and kid is not None
                and all(k.kid != kid for k in cached[0].keys)
                and age is not None
                and age > REFETCH_AFTER_SECONDS
            )
            if stale or unknown_kid:
                try:
                    self._keys[url] = (await self._fetch(url), time.monotonic())
                except (httpx.HTTPError, ValueError, JoseError) as error:
                    if cached is None:
                        raise InvalidToken("The issuer's keys could not be fetched.") from error
            return self._keys[url][0]


def _unverified(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    try:
        compact = jws.extract_compact(token.encode())
        claims = json.loads(compact.payload)
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken("The token is not a well-formed JWT.") from error
    if not isinstance(claims, dict):
        raise InvalidToken("The token is not a well-formed JWT.")
    return dict(compact.headers()), claims


def _issuer(issuers: tuple[JwtIssuer, ...], claims: dict[str, Any]) -> JwtIssuer:
    found = next((i for i in issuers if i.issuer == claims.get("iss")), None)
    if found is None:
        raise InvalidToken("The token's issuer is not trusted here.")
    return found


def _scopes(issuer: JwtIssuer, claims: dict[str, Any]) -> set[Scope]:
    raw = claims.get("scope", claims.get("scp", ""))
    values = raw.split() if isinstance(raw, str) else raw if isinstance(raw, list) else []
    scopes = {Scope(issuer.scopes[v]) for v in values if isinstance(v, str) and v in issuer.scopes}
    if Scope.WRITE in scopes:
        scopes.add(Scope.READ)
    if not scopes:
        raise InvalidToken("The token grants no Levelground scope.")
    return scopes


async def verify(issuers: tuple[JwtIssuer, ...], jwks: JwksCache, token: str) -> dict[str, Any]:
    """The token's claims, once every check has passed."""
    header, unverified = _unverified(token)
    issuer = _issuer(issuers, unverified)
    algorithm = header.get("alg")
    # Configuration already refuses anything else; checked again where it matters.
    allowed = [a for a in issuer.algorithms if a in ASYMMETRIC_ALGORITHMS]
    if algorithm not in allowed:
        raise InvalidToken("The token is signed with an algorithm that is not accepted.")
    if issuer.require_at_jwt_typ and str(header.get("typ", "")).lower() not in ACCEPTED_TYP:
        raise InvalidToken("The token is not an access token (typ at+jwt).")
    key_set = await jwks.keys(issuer, header.get("kid"))
    try:
        decoded = jose_jwt.decode(token, key_set, algorithms=allowed)
        jose_jwt.JWTClaimsRegistry(
            leeway=LEEWAY_SECONDS,
            iss={"essential": True, "value": issuer.issuer},
            aud={"essential": True, "value": issuer.audience},
            sub={"essential": True},
            exp={"essential": True},
        ).validate(decoded.claims)
    except (JoseError, ValueError, TypeError) as error:
        raise InvalidToken("The token's signature or claims are not valid.") from error
    return decoded.claims


async def authenticate(
    session: AsyncSession, issuers: tuple[JwtIssuer, ...], jwks: JwksCache, token: str
) -> Actor:
    """The actor a JWT speaks for; InvalidToken on any failure (nothing is written)."""
    claims = await verify(issuers, jwks, token)
    issuer = _issuer(issuers, claims)
    scopes = _scopes(issuer, claims)
    email = claims.get(issuer.email_claim) if issuer.email_claim else None
    name = claims.get("name")
    found = oidc.Claims(
        issuer=issuer.issuer,
        subject=str(claims["sub"]),
        email=email if isinstance(email, str) and email else None,
        # The issuer is trusted by configuration to say whose token this is.
        email_verified=True,
        name=name if isinstance(name, str) else None,
    )
    try:
        person = await oidc.link_or_create(
            session,
            issuer=issuer.issuer,
            claims=found,
            how=f"jwt:{issuer.issuer}",
            create=issuer.create_people,
            # A machine token says whose it is, not that its holder signed in with
            # that email: it must not reset a person's password or sessions.
            proves_email_ownership=False,
        )
    except DomainError as error:
        raise InvalidToken(error.message) from error
    grants = await people_repo.grants(session, person.id)
    return Actor.build(person.id, scopes, grants)
