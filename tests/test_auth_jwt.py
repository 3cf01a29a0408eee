"""JWT access tokens from a configured external issuer (RFC 9068), checked against its
JWKS served over HTTP. Every bad token is a 401 with a GraphQL error body, and nothing
is created."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from joserfc import jwt
from joserfc.jwk import ECKey, RSAKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from server.auth.models import ExternalIdentity
from server.config import JwtIssuer, Settings
from server.people.models import Person, Role
from tests.support import Api, World

ISSUER = "https://login.icb.example"
AUDIENCE = "levelground-api"
RSA = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
EC = ECKey.generate_key("P-256", parameters={"kid": "ec-1"})
STRANGER = RSAKey.generate_key(2048, parameters={"kid": "rsa-1"})
VIEWER = "{ viewer { displayName } }"


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    """The issuer's key set, served by a real HTTP server."""
    body = json.dumps({"keys": [RSA.as_dict(private=False), EC.as_dict(private=False)]}).encode()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/jwks"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def settings(settings: Settings, jwks_url: str) -> Settings:
    issuers = (
        JwtIssuer(
            issuer=ISSUER,
            audience=AUDIENCE,
            jwks_url=jwks_url,
            scopes={"levelground.read": "read", "levelground.write": "write"},
        ),
        JwtIssuer(
            issuer="https://partners.example",
            audience=AUDIENCE,
            jwks_url=jwks_url,
            create_people=True,
        ),
    )
    return settings.model_copy(update={"jwt_issuers": issuers})


def claims(**overrides: Any) -> dict[str, Any]:
    now = int(time.time())
    base: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "board-chair",
        "email": "chair@icb.example",
        "scope": "levelground.read",
        "iat": now,
        "exp": now + 300,
        "jti": "t-1",
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not None}


def signed(
    payload: dict[str, Any], *, key: Any = RSA, alg: str = "RS256", typ: str = "at+jwt"
) -> str:
    return jwt.encode({"alg": alg, "kid": key.kid, "typ": typ}, payload, key)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def unsigned(payload: dict[str, Any]) -> str:
    header = _b64(json.dumps({"alg": "none", "typ": "at+jwt"}).encode())
    return f"{header}.{_b64(json.dumps(payload).encode())}."


def hmac_with_public_key(payload: dict[str, Any]) -> str:
    """The classic confusion attack: HS256 keyed with the issuer's public key."""
    header = _b64(json.dumps({"alg": "HS256", "kid": "rsa-1", "typ": "at+jwt"}).encode())
    body = _b64(json.dumps(payload).encode())
    secret = RSA.as_pem(private=False)
    signature = hmac.new(secret, f"{header}.{body}".encode(), hashlib.sha256).digest()
    return f"{header}.{body}.{_b64(signature)}"


async def _counts(api: Api) -> list[int]:
    async def count(session: AsyncSession) -> list[int]:
        return [
            int(await session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Person, ExternalIdentity, AuditEvent)
        ]

    return await api.run(count)


async def test_a_valid_token_speaks_for_the_person_with_that_email(api: Api) -> None:
    world = await World(api).build()
    chair = await api.someone(
        "ICS Chair", roles=[(Role.BOARD, "coventry")], email="chair@icb.example"
    )
    response = await api.post("{ viewer { id } areas { slug } }", token=signed(claims()))
    assert response.status_code == 200, response.text
    assert response.json()["data"]["viewer"] == {"id": chair.id}
    assert world.coventry
    # Linked by subject from now on, even if the email claim changes.
    again = await api.post(VIEWER, token=signed(claims(email="new@icb.example")))
    assert again.json()["data"]["viewer"] == {"displayName": "ICS Chair"}


async def test_an_es256_token_is_accepted(api: Api) -> None:
    await api.someone("ICS Chair", email="chair@icb.example")
    response = await api.post(VIEWER, token=signed(claims(), key=EC, alg="ES256"))
    assert response.json()["data"]["viewer"] == {"displayName": "ICS Chair"}


async def test_scopes_map_to_read_and_write(api: Api) -> None:
    await World(api).build()
    await api.someone(email="chair@icb.example", roles=[(Role.FACILITATOR, "willenhall")])
    mutation = 'mutation { createCoreTeam(input: {areaSlug: "willenhall", name: "T"}) { errors { code } } }'
    read_only = await api.post(mutation, token=signed(claims()))
    assert read_only.json()["data"]["createCoreTeam"]["errors"] == [{"code": "FORBIDDEN"}]
    write = await api.post(mutation, token=signed(claims(scope="levelground.write")))
    assert write.json()["data"]["createCoreTeam"]["errors"] == []


async def test_an_issuer_may_be_allowed_to_create_people(api: Api) -> None:
    token = signed(
        claims(iss="https://partners.example", sub="p-1", email=None, name="Analyst", scope="read")
    )
    response = await api.post(VIEWER, token=token)
    assert response.json()["data"]["viewer"] == {"displayName": "Analyst"}


@pytest.mark.parametrize(
    "token",
    [
        pytest.param(lambda: signed(claims(), key=STRANGER), id="forged-signature"),
        pytest.param(lambda: signed(claims(exp=int(time.time()) - 120)), id="expired"),
        pytest.param(lambda: signed(claims(nbf=int(time.time()) + 600)), id="not-yet-valid"),
        pytest.param(lambda: signed(claims(aud="someone-else")), id="wrong-audience"),
        pytest.param(lambda: signed(claims(iss="https://evil.example")), id="unknown-issuer"),
        pytest.param(lambda: signed(claims(exp=None)), id="no-expiry"),
        pytest.param(lambda: unsigned(claims()), id="alg-none"),
        pytest.param(lambda: hmac_with_public_key(claims()), id="hs256-with-public-key"),
        pytest.param(lambda: signed(claims(), typ="JWT"), id="id-token-not-access-token"),
        pytest.param(lambda: signed(claims(scope="openid profile")), id="no-levelground-scope"),
        pytest.param(
            lambda: signed(claims(sub="stranger", email="x@icb.example")), id="unknown-person"
        ),
        pytest.param(lambda: "not.a.jwt", id="garbage"),
    ],
)
async def test_bad_tokens_are_401_and_create_nothing(api: Api, token: Any) -> None:
    await api.someone("ICS Chair", email="chair@icb.example")
    before = await _counts(api)
    response = await api.post(VIEWER, token=token())
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert await _counts(api) == before
