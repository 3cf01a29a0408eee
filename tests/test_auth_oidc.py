"""Signing in with OpenID Connect against a real provider process (oidc-provider-mock):
discovery, JWKS, the authorization code flow with state, nonce and PKCE."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.auth.models import BrowserSession, ExternalIdentity
from server.config import OidcProvider, Settings
from server.people.models import Person
from tests.http_browser import Browser
from tests.support import Api

VIEWER = "{ viewer { displayName kind } }"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    """oidc-provider-mock in a process of its own (its code and its warnings stay there)."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONWARNINGS"}
    process = subprocess.Popen(
        [sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(300):
            try:
                if httpx.get(f"{url}/.well-known/openid-configuration").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        else:
            raise RuntimeError("the OIDC provider did not start")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def settings(settings: Settings, provider_url: str) -> Settings:
    provider = OidcProvider(
        name="nhs",
        issuer=provider_url,
        client_id="levelground",
        client_secret="levelground-secret",
        display_name="NHS login",
    )
    return settings.model_copy(update={"oidc_providers": (provider,)})


async def set_user(provider_url: str, sub: str, claims: dict[str, object]) -> None:
    async with httpx.AsyncClient() as provider:
        response = await provider.put(f"{provider_url}/users/{sub}", json=claims)
    assert response.status_code == 204, response.text


async def consent(authorize_url: str, sub: str) -> httpx.Response:
    """The provider's consent form, submitted for ``sub``: a real HTTP request to the
    provider process."""
    async with httpx.AsyncClient() as provider:
        return await provider.post(authorize_url, data={"sub": sub})


async def sign_in_with_provider(browser: Browser, sub: str) -> httpx.Response:
    """Click "Sign in with NHS login", choose ``sub`` at the provider, come back."""
    start = await browser.submit("/auth/sign-in", "/auth/oidc/nhs", {})
    assert start.status_code == 302, start.text
    authorize = start.headers["location"]
    query = parse_qs(urlsplit(authorize).query)
    assert query["code_challenge_method"] == ["S256"]
    assert query["code_challenge"][0]
    assert query["state"][0]
    assert query["nonce"][0]
    assert "openid" in query["scope"][0].split()
    answer = await consent(authorize, sub)
    assert answer.status_code == 302, answer.text
    callback = urlsplit(answer.headers["location"])
    assert callback.path == "/auth/oidc/nhs/callback"
    return await browser.client.get(f"{callback.path}?{callback.query}")


async def _count(api: Api, model: type[object]) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    return await api.run(count)


async def test_signing_in_creates_a_person_and_a_session(
    api: Api, browser: Browser, provider_url: str
) -> None:
    await set_user(
        provider_url,
        "nhs-123",
        {"email": "gita@nhs.example", "email_verified": True, "name": "Gita"},
    )
    response = await sign_in_with_provider(browser, "nhs-123")
    assert response.status_code == 303, response.text
    assert browser.session_cookie
    viewer = (await browser.graphql(VIEWER)).json()["data"]["viewer"]
    assert viewer == {"displayName": "Gita", "kind": "RESIDENT"}
    person = await api.run(lambda s: s.scalar(select(Person)))
    assert person is not None
    assert person.email == "gita@nhs.example"
    assert person.email_verified_at is not None
    identity = await api.run(lambda s: s.scalar(select(ExternalIdentity)))
    assert identity is not None
    assert (identity.issuer, identity.subject) == (provider_url, "nhs-123")
    session = await api.run(lambda s: s.scalar(select(BrowserSession)))
    assert session is not None
    assert session.method == "oidc:nhs"


async def test_signing_in_again_finds_the_same_person(
    api: Api, browsers: Callable[..., Browser], provider_url: str
) -> None:
    await set_user(provider_url, "nhs-1", {"email": "a@nhs.example", "email_verified": True})
    await sign_in_with_provider(browsers(), "nhs-1")
    again = browsers()
    assert (await sign_in_with_provider(again, "nhs-1")).status_code == 303
    assert await _count(api, Person) == 1
    assert await _count(api, ExternalIdentity) == 1


async def test_a_verified_email_links_to_the_existing_person(
    api: Api, browser: Browser, provider_url: str
) -> None:
    gp = await api.someone("Dr Gita", email="gita@nhs.example")
    await set_user(provider_url, "nhs-9", {"email": "Gita@NHS.example", "email_verified": True})
    assert (await sign_in_with_provider(browser, "nhs-9")).status_code == 303
    viewer = (await browser.graphql("{ viewer { id } }")).json()["data"]["viewer"]
    assert viewer == {"id": gp.id}
    assert await _count(api, Person) == 1


async def test_an_unverified_email_is_not_linked(
    api: Api, browser: Browser, provider_url: str
) -> None:
    gp = await api.someone("Dr Gita", email="gita@nhs.example")
    await set_user(provider_url, "nhs-9", {"email": "gita@nhs.example", "email_verified": False})
    assert (await sign_in_with_provider(browser, "nhs-9")).status_code == 303
    viewer = (await browser.graphql("{ viewer { id } }")).json()["data"]["viewer"]
    assert viewer["id"] != gp.id
    newcomer = await api.run(lambda s: s.scalar(select(Person).where(Person.id != gp.person_id)))
    assert newcomer is not None
    assert newcomer.email is None


async def test_linking_removes_a_password_nobody_proved_was_theirs(
    api: Api, browsers: Callable[..., Browser], provider_url: str
) -> None:
    """Someone registered the GP's email first (pre-hijacking): once the provider
    vouches for the real owner, that password and its sessions stop working."""
    squatter = browsers()
    await squatter.register("gita@nhs.example", name="Not Gita")
    await set_user(provider_url, "nhs-9", {"email": "gita@nhs.example", "email_verified": True})
    owner = browsers()
    assert (await sign_in_with_provider(owner, "nhs-9")).status_code == 303
    assert (await squatter.graphql(VIEWER)).json()["data"]["viewer"] is None
    assert (await squatter.sign_in("gita@nhs.example")).status_code == 400


async def test_a_callback_with_a_foreign_state_is_refused(
    api: Api, browsers: Callable[..., Browser], provider_url: str
) -> None:
    """Login CSRF: a callback started in another browser does not sign this one in."""
    attacker, victim = browsers(), browsers()
    start = await attacker.submit("/auth/sign-in", "/auth/oidc/nhs", {})
    answer = await consent(start.headers["location"], "attacker")
    callback = urlsplit(answer.headers["location"])
    response = await victim.client.get(f"{callback.path}?{callback.query}")
    assert response.status_code == 400
    assert victim.session_cookie is None
    assert await _count(api, Person) == 0


async def test_a_tampered_code_is_refused(browser: Browser, provider_url: str) -> None:
    start = await browser.submit("/auth/sign-in", "/auth/oidc/nhs", {})
    answer = await consent(start.headers["location"], "someone")
    callback = urlsplit(answer.headers["location"])
    query = parse_qs(callback.query)
    forged = f"{callback.path}?code=not-the-code&state={query['state'][0]}"
    assert (await browser.client.get(forged)).status_code == 400
    assert browser.session_cookie is None


async def test_the_sign_in_page_lists_configured_providers(browser: Browser) -> None:
    page = await browser.page("/auth/sign-in")
    assert "Sign in with NHS login" in page.text
    assert (await browser.submit("/auth/sign-in", "/auth/oidc/nope", {})).status_code == 404
