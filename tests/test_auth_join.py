"""Joining a Big Conversation with its join code: no email needed, a real person with a
participant role in the conversation's area; closed conversations' codes stop working;
guessing is rate limited."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import RateLimits, Settings
from server.people.models import Person
from tests.http_browser import Browser
from tests.support import Api, World

VIEWER = "{ viewer { displayName kind roles { role area { slug } } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limits": RateLimits(join_failures_per_ip=3)})


async def _conversation(api: Api, world: World) -> dict[str, str]:
    payload = await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "Big Conversation", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id joinCode }",
    )
    conversation: dict[str, str] = payload["conversation"]
    return conversation


async def _people(api: Api) -> int:
    async def count(session: AsyncSession) -> int:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)

    return await api.run(count)


async def join(
    browser: Browser, code: str, name: str = "Pat", kind: str = "resident"
) -> httpx.Response:
    return await browser.submit(
        "/auth/join", "/auth/join", {"code": code, "displayName": name, "kind": kind}
    )


async def test_a_join_code_makes_a_participant_with_a_session(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    code = conversation["joinCode"]
    response = await browser.submit(
        f"/auth/join?code={code}",
        "/auth/join",
        {
            "code": f" {code.lower()[:3]} {code.lower()[3:]} ",
            "displayName": "Pat",
            "kind": "professional",
        },
    )
    assert response.status_code == 303, response.text
    viewer = (await browser.graphql(VIEWER)).json()["data"]["viewer"]
    assert viewer == {
        "displayName": "Pat",
        "kind": "PROFESSIONAL",
        "roles": [{"role": "PARTICIPANT", "area": {"slug": "willenhall"}}],
    }
    proposed = await browser.graphql(
        'mutation { proposeItem(input: {areaSlug: "willenhall", title: "Benches", '
        'description: "More benches."}) { proposal { title } errors { code } } }'
    )
    assert proposed.json()["data"]["proposeItem"] == {
        "proposal": {"title": "Benches"},
        "errors": [],
    }


async def test_the_join_page_fills_in_the_code_from_the_link(browser: Browser) -> None:
    page = await browser.page("/auth/join?code=K7PX2M")
    assert 'value="K7PX2M"' in page.text
    assert '<label class="nhsuk-label" for="code">' in page.text


async def test_a_signed_in_person_joins_as_themself(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    world = await World(api).build()
    code = (await _conversation(api, world))["joinCode"]
    browser = browsers()
    await browser.register("sam@example.org", name="Sam")
    before = await _people(api)
    response = await browser.submit("/auth/join", "/auth/join", {"code": code})
    assert response.status_code == 303
    assert await _people(api) == before
    viewer = (await browser.graphql(VIEWER)).json()["data"]["viewer"]
    assert viewer["roles"] == [{"role": "PARTICIPANT", "area": {"slug": "willenhall"}}]


async def test_a_closed_conversations_code_no_longer_works(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    await api.ok(
        "closeConversation",
        {"conversationId": conversation["id"]},
        as_=world.facilitator,
        returning="conversation { status }",
    )
    before = await _people(api)
    response = await join(browser, conversation["joinCode"])
    assert response.status_code == 400
    assert "does not match an open conversation" in response.text
    assert await _people(api) == before
    assert browser.session_cookie is None


async def test_joining_needs_a_name_and_a_kind(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    code = (await _conversation(api, world))["joinCode"]
    before = await _people(api)
    no_kind = await browser.submit("/auth/join", "/auth/join", {"code": code, "displayName": "Pat"})
    assert no_kind.status_code == 400
    assert 'href="#kind"' in no_kind.text
    no_name = await join(browser, code, name="  ")
    assert no_name.status_code == 400
    assert 'href="#displayName"' in no_name.text
    assert await _people(api) == before


async def test_guessing_codes_is_stopped_even_with_the_right_one(
    api: Api, browser: Browser
) -> None:
    world = await World(api).build()
    code = (await _conversation(api, world))["joinCode"]
    for guess in ("AAAAAA", "BBBBBB", "CCCCCC"):
        assert (await join(browser, guess)).status_code == 400
    before = await _people(api)
    refused = await join(browser, code)
    assert refused.status_code == 429
    assert "Too many attempts" in refused.text
    assert await _people(api) == before
