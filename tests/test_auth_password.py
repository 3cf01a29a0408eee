"""Signing in with an email and password: sessions, cookies, failures, lockout, profile."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.applications import Starlette

from server import clock
from server.areas import repository as areas_repo
from server.auth.models import BrowserSession
from server.config import RateLimits, Settings
from server.people import service as people
from server.people.models import Person, Role
from tests.http_browser import Browser
from tests.support import Api

VIEWER = "{ viewer { displayName kind roles { role } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(
        update={"rate_limits": RateLimits(sign_in_failures_per_account=3, sign_ins_per_ip=50)}
    )


async def _people(api: Api) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)

    return await api.run(count)


def _set_cookie(response: httpx.Response, name: str) -> str:
    found = [c for c in response.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, response.headers.get_list("set-cookie")
    return found[0]


async def test_signing_in_after_registering_sets_an_http_only_lax_cookie(
    browser: Browser,
) -> None:
    response = await browser.register("sam@example.org", name="Sam")
    assert response.status_code == 303
    cookie = _set_cookie(response, "lg_session").lower()
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "path=/" in cookie
    assert "secure" not in cookie  # plain http in this test
    body = (await browser.graphql(VIEWER)).json()
    assert body == {"data": {"viewer": {"displayName": "Sam", "kind": "RESIDENT", "roles": []}}}


async def test_the_session_cookie_is_secure_over_https(browsers: Callable[..., Browser]) -> None:
    secure = browsers("https://testserver")
    token_page = await secure.page("/auth/register")
    assert "secure" in _set_cookie(token_page, "lg_csrf").lower()
    response = await secure.submit(
        "/auth/register",
        "/auth/register",
        {
            "displayName": "Sam",
            "email": "sam@example.org",
            "kind": "resident",
            "password": "correct horse battery",
            "confirmPassword": "correct horse battery",
        },
        origin="https://testserver",
    )
    assert response.status_code == 200
    signed_in = await secure.submit(
        "/auth/sign-in",
        "/auth/sign-in",
        {"email": "sam@example.org", "password": "correct horse battery"},
        origin="https://testserver",
    )
    assert "secure" in _set_cookie(signed_in, "lg_session").lower()


async def test_session_ids_and_passwords_are_stored_only_as_hashes(
    api: Api, browser: Browser
) -> None:
    await browser.register("sam@example.org")
    plaintext = browser.session_cookie
    assert plaintext
    stored = await api.run(lambda s: s.scalar(select(BrowserSession)))
    assert stored is not None
    assert stored.id_hash == hashlib.sha256(plaintext.encode()).hexdigest()
    person = await api.run(lambda s: s.scalar(select(Person)))
    assert person is not None
    assert person.password_hash is not None
    assert person.password_hash.startswith("$argon2id$")
    assert "correct horse battery" not in person.password_hash


async def test_signing_in_rotates_the_session(browser: Browser) -> None:
    await browser.register("sam@example.org")
    before = browser.session_cookie
    response = await browser.sign_in("sam@example.org")
    assert response.status_code == 303
    after = browser.session_cookie
    assert after
    assert after != before
    browser.client.cookies.set("lg_session", before or "")
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is None


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    browsers: Callable[..., Browser],
) -> None:
    await browsers().register("sam@example.org")
    stranger = browsers()
    wrong = await stranger.sign_in("sam@example.org", "not the password at all")
    unknown = await stranger.sign_in("nobody@example.org", "not the password at all")
    assert wrong.status_code == unknown.status_code == 400
    assert "Enter a correct email address and password." in wrong.text
    # Same browser, same CSRF token: the pages differ only in the email typed.
    assert wrong.text.replace("sam@example.org", "X") == unknown.text.replace(
        "nobody@example.org", "X"
    )
    assert "lg_session" not in stranger.client.cookies


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "at least 10 characters"),
        ("password123", "too easy to guess"),
        ("aaaaaaaaaaaa", "too easy to guess"),
        ("samantha-rocks-2026", "your name or email"),
    ],
)
async def test_weak_passwords_are_refused_and_nobody_is_created(
    api: Api, browser: Browser, password: str, message: str
) -> None:
    response = await browser.register("samantha@example.org", password, name="Samantha")
    assert response.status_code == 400
    assert message in response.text
    assert 'href="#password"' in response.text  # the error summary links to the field
    assert await _people(api) == 0


async def test_repeated_failures_lock_the_account_but_not_others(
    browsers: Callable[..., Browser],
) -> None:
    await browsers().register("sam@example.org")
    await browsers().register("kim@example.org")
    attacker = browsers()
    for _ in range(3):
        assert (await attacker.sign_in("sam@example.org", "wrong guess number")).status_code == 400
    locked = await attacker.sign_in("sam@example.org")
    assert locked.status_code == 429
    assert "locked" in locked.text
    assert "lg_session" not in attacker.client.cookies
    assert (await attacker.sign_in("kim@example.org")).status_code == 303


async def test_too_many_sign_ins_from_one_address_are_refused(
    app: Starlette, settings: Settings, browser: Browser
) -> None:
    app.state.settings = settings.model_copy(update={"rate_limits": RateLimits(sign_ins_per_ip=2)})
    for _ in range(2):
        assert (await browser.sign_in("a@example.org", "whatever it is")).status_code == 400
    refused = await browser.sign_in("a@example.org", "whatever it is")
    assert refused.status_code == 429
    assert "Too many sign-in attempts from this network" in refused.text


async def test_signing_out_ends_the_session(browser: Browser) -> None:
    await browser.register("sam@example.org")
    old = browser.session_cookie
    response = await browser.submit("/auth/profile", "/auth/sign-out", {})
    assert response.status_code == 303
    browser.client.cookies.set("lg_session", old or "")
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is None


async def test_signing_out_everywhere_ends_every_session(
    browsers: Callable[..., Browser],
) -> None:
    browser, laptop = browsers(), browsers()
    await browser.register("sam@example.org")
    await laptop.sign_in("sam@example.org")
    assert (await laptop.graphql(VIEWER)).json()["data"]["viewer"] is not None
    await browser.submit("/auth/profile", "/auth/sign-out-everywhere", {})
    assert (await laptop.graphql(VIEWER)).json()["data"]["viewer"] is None


async def test_an_idle_session_ends(api: Api, browser: Browser) -> None:
    await browser.register("sam@example.org")
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is not None
    long_ago = clock.now() - timedelta(hours=49)
    await api.run(lambda s: s.execute(update(BrowserSession).values(last_seen_at=long_ago)))
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is None


async def test_an_expired_session_ends(api: Api, browser: Browser) -> None:
    await browser.register("sam@example.org")
    past = clock.now() - timedelta(seconds=1)
    await api.run(lambda s: s.execute(update(BrowserSession).values(expires_at=past)))
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is None


async def test_the_profile_changes_display_name_and_kind(browser: Browser) -> None:
    await browser.register("sam@example.org", name="Sam")
    response = await browser.submit(
        "/auth/profile", "/auth/profile", {"displayName": "Sammy", "kind": "professional"}
    )
    assert response.status_code == 200
    assert "Your profile is saved." in response.text
    viewer = (await browser.graphql(VIEWER)).json()["data"]["viewer"]
    assert viewer == {"displayName": "Sammy", "kind": "PROFESSIONAL", "roles": []}


async def test_changing_the_password_signs_out_other_browsers(
    browsers: Callable[..., Browser],
) -> None:
    browser, phone = browsers(), browsers()
    await browser.register("sam@example.org")
    await phone.sign_in("sam@example.org")
    wrong = await browser.submit(
        "/auth/profile",
        "/auth/profile/password",
        {
            "currentPassword": "not my password",
            "newPassword": "a new long passphrase",
            "confirmPassword": "a new long passphrase",
        },
    )
    assert wrong.status_code == 400
    assert "current password is not right" in wrong.text
    changed = await browser.submit(
        "/auth/profile",
        "/auth/profile/password",
        {
            "currentPassword": "correct horse battery",
            "newPassword": "a new long passphrase",
            "confirmPassword": "a new long passphrase",
        },
    )
    assert changed.status_code == 303
    assert (await browser.graphql(VIEWER)).json()["data"]["viewer"] is not None
    assert (await phone.graphql(VIEWER)).json()["data"]["viewer"] is None
    assert (await phone.sign_in("sam@example.org")).status_code == 400
    assert (await phone.sign_in("sam@example.org", "a new long passphrase")).status_code == 303


async def test_the_profile_shows_own_roles(api: Api, browser: Browser) -> None:
    await api.area("coventry", "Coventry")
    await browser.register("sam@example.org")
    person = await api.run(lambda s: s.scalar(select(Person)))
    assert person is not None

    async def grant(session: AsyncSession) -> None:
        area = await areas_repo.by_slug(session, "coventry")
        assert area is not None
        await people.grant(session, person, area, Role.FACILITATOR, None)

    await api.run(grant)
    page = await browser.page("/auth/profile")
    assert "Facilitator: Coventry" in page.text
    viewer = (await browser.graphql(VIEWER)).json()["data"]["viewer"]
    assert viewer["roles"] == [{"role": "FACILITATOR"}]


async def test_long_ended_sessions_are_forgotten_at_the_next_sign_in(
    api: Api, browser: Browser
) -> None:
    await browser.register("sam@example.org")
    month_ago = clock.now() - timedelta(days=31)
    await api.run(
        lambda s: s.execute(update(BrowserSession).values(expires_at=month_ago, revoked_at=None))
    )
    await browser.sign_in("sam@example.org")

    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(BrowserSession)) or 0)

    assert await api.run(count) == 1


async def test_registering_counts_against_the_same_per_address_limit(
    app: Starlette, settings: Settings, api: Api, browser: Browser
) -> None:
    app.state.settings = settings.model_copy(update={"rate_limits": RateLimits(sign_ins_per_ip=1)})
    assert (await browser.create_account("sam@example.org")).status_code == 200
    refused = await browser.create_account("kim@example.org")
    assert refused.status_code == 429
    assert await _people(api) == 1
