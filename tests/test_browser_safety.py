"""A browser's session cookie only works where another site cannot use it: GraphQL
accepts it on a same-origin JSON POST and nowhere else; forms need a CSRF token; writes
are rate limited per person (a venue shares one IP address)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator

import httpx
import pytest
import uvicorn
import websockets
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import RateLimits, Settings
from server.people.models import Person, Role
from server.teams.models import CoreTeam
from tests.http_browser import ORIGIN, Browser
from tests.support import Api, World

CREATE_TEAM = 'mutation { createCoreTeam(input: {areaSlug: "willenhall", name: "Walkers"}) { team { name } errors { code } } }'


async def _teams(api: Api) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(CoreTeam)) or 0)

    return await api.run(count)


async def signed_in_facilitator(api: Api, browser: Browser) -> None:
    await World(api).build()
    await browser.register("fay@example.org", name="Fay")

    async def grant(session: AsyncSession) -> None:
        from server.areas import repository as areas_repo
        from server.people import repository as people_repo
        from server.people import service as people

        person = await people_repo.by_email(session, "fay@example.org")
        area = await areas_repo.by_slug(session, "willenhall")
        assert person is not None
        assert area is not None
        await people.grant(session, person, area, Role.FACILITATOR, None)

    await api.run(grant)


async def test_a_same_origin_json_post_uses_the_session(api: Api, browser: Browser) -> None:
    await signed_in_facilitator(api, browser)
    response = await browser.graphql(CREATE_TEAM)
    assert response.json()["data"]["createCoreTeam"] == {"team": {"name": "Walkers"}, "errors": []}
    assert await _teams(api) == 1


@pytest.mark.parametrize(
    ("origin", "why"),
    [
        ("https://evil.example", "cross-origin"),
        (None, "no Origin"),
        ("http://testserver:8080", "other port"),
    ],
)
async def test_the_cookie_does_not_count_without_a_same_origin_header(
    api: Api, browser: Browser, origin: str | None, why: str
) -> None:
    await signed_in_facilitator(api, browser)
    response = await browser.graphql(CREATE_TEAM, origin=origin)
    assert response.status_code == 200, why
    assert response.json()["data"]["createCoreTeam"]["errors"] == [{"code": "UNAUTHENTICATED"}], why
    viewer = await browser.graphql("{ viewer { id } }", origin=origin)
    assert viewer.json()["data"]["viewer"] is None, why
    assert await _teams(api) == 0, why


async def test_the_cookie_does_not_count_on_a_form_encoded_post(api: Api, browser: Browser) -> None:
    await signed_in_facilitator(api, browser)
    response = await browser.client.post(
        "/graphql", data={"query": CREATE_TEAM}, headers={"Origin": ORIGIN}
    )
    assert response.status_code in (400, 415)
    text_plain = await browser.client.post(
        "/graphql",
        content=json.dumps({"query": CREATE_TEAM}),
        headers={"Origin": ORIGIN, "Content-Type": "text/plain"},
    )
    assert text_plain.status_code in (400, 415) or "UNAUTHENTICATED" in text_plain.text
    assert await _teams(api) == 0


async def test_the_cookie_does_not_count_on_get(api: Api, browser: Browser) -> None:
    await signed_in_facilitator(api, browser)
    response = await browser.client.get(
        "/graphql",
        params={"query": CREATE_TEAM},
        headers={"Origin": ORIGIN, "Accept": "application/json"},
    )
    assert response.status_code in (400, 405)
    read = await browser.client.get(
        "/graphql",
        params={"query": "{ viewer { id } }"},
        headers={"Origin": ORIGIN, "Accept": "application/json"},
    )
    assert "viewer" not in read.text or '"viewer":null' in read.text.replace(" ", "")
    assert await _teams(api) == 0


async def test_forms_need_a_csrf_token_bound_to_this_browser(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    victim, attacker = browsers(), browsers()
    await victim.register("sam@example.org", name="Sam")
    # No token at all.
    response = await victim.client.post(
        "/auth/profile", data={"displayName": "Hacked"}, headers={"Origin": ORIGIN}
    )
    assert response.status_code == 403
    # A token the attacker's browser was given.
    from tests.http_browser import csrf_token

    foreign = csrf_token((await attacker.page("/auth/sign-in")).text)
    response = await victim.client.post(
        "/auth/profile",
        data={"displayName": "Hacked", "csrf_token": foreign},
        headers={"Origin": ORIGIN},
    )
    assert response.status_code == 403
    # The right token from another origin.
    response = await victim.submit(
        "/auth/profile", "/auth/profile", {"displayName": "Hacked"}, origin="https://evil.example"
    )
    assert response.status_code == 403
    name = await api.run(lambda s: s.scalar(select(Person.display_name)))
    assert name == "Sam"


async def test_signing_out_needs_a_post_with_a_token(browser: Browser) -> None:
    await browser.register("sam@example.org")
    assert (await browser.client.get("/auth/sign-out")).status_code == 405
    assert (
        await browser.client.post("/auth/sign-out", headers={"Origin": ORIGIN})
    ).status_code == 403
    assert (await browser.graphql("{ viewer { id } }")).json()["data"]["viewer"] is not None


@pytest.fixture
def live_url(settings: Settings, database_url: str) -> Iterator[str]:
    """The app served by a real uvicorn on a free port (WebSockets need a real server)."""
    from server.app import create_app

    server = uvicorn.Server(
        uvicorn.Config(
            create_app(settings, database_url=database_url),
            host="127.0.0.1",
            port=0,
            log_level="warning",
        )
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    for _ in range(600):
        if server.started:
            break
        time.sleep(0.05)
    assert server.started, "uvicorn did not start"
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


async def _socket_answer(url: str, cookie: str, origin: str | None) -> str:
    """What a graphql-transport-ws handshake with only the cookie gets: "ack", or the
    close code."""
    headers = {"Cookie": f"lg_session={cookie}"}
    try:
        async with websockets.connect(
            url.replace("http", "ws", 1) + "/graphql",
            subprotocols=[websockets.Subprotocol("graphql-transport-ws")],
            additional_headers=headers,
            origin=websockets.Origin(origin) if origin else None,
        ) as socket:
            await socket.send(json.dumps({"type": "connection_init", "payload": {}}))
            try:
                return str(json.loads(await socket.recv())["type"])
            except websockets.ConnectionClosed as closed:
                return str(closed.rcvd.code if closed.rcvd else closed)
    except websockets.InvalidStatus as refused:
        return f"http {refused.response.status_code}"


async def test_a_websocket_accepts_the_cookie_from_our_origin_only(live_url: str) -> None:
    async with httpx.AsyncClient(base_url=live_url) as http:
        browser = Browser(http, origin=live_url)
        assert (await browser.register("sam@example.org")).status_code == 303
        cookie = browser.session_cookie
    assert cookie
    assert await _socket_answer(live_url, cookie, live_url) == "connection_ack"
    # Another origin is turned away at the handshake or at connection_init.
    assert await _socket_answer(live_url, cookie, "https://evil.example") in {"4403", "http 403"}
    assert await _socket_answer(live_url, cookie, None) == "4403"
    assert await _socket_answer(live_url, "not-a-session", live_url) == "4403"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limits": RateLimits(writes_per_person=3)})


async def test_writes_are_rate_limited_per_person(api: Api) -> None:
    world = await World(api).build()
    for n in range(3):
        await api.ok(
            "proposeItem",
            {"areaSlug": "willenhall", "title": f"Idea {n}", "description": "D"},
            as_=world.resident,
            returning="proposal { id }",
        )
    limited = await api.error(
        "proposeItem",
        {"areaSlug": "willenhall", "title": "One more", "description": "D"},
        as_=world.resident,
    )
    assert limited["code"] == "RATE_LIMITED"
    # Someone else at the same venue (same IP address) is not held up.
    await api.ok(
        "proposeItem",
        {"areaSlug": "willenhall", "title": "Mine", "description": "D"},
        as_=world.gp,
        returning="proposal { id }",
    )
