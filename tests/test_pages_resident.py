"""Resident pages over HTTP, as a browser without JavaScript sees them."""

from __future__ import annotations

from tests.http_browser import Browser, csrf_token
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api


async def _resident(api: Api, browser: Browser, email: str = "rosa@example.org") -> int:
    person_id = await account(api, email, "Rosa Resident")
    assert (await browser.sign_in(email)).status_code == 303
    return person_id


async def test_pages_ask_to_sign_in_and_come_back(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    page = await browser.page(f"/conversations/{pk(plan.conversation)}")
    assert page.status_code == 303
    assert page.headers["location"] == (
        f"/auth/sign-in?next=%2Fconversations%2F{pk(plan.conversation)}"
    )
    await account(api, "rosa@example.org", "Rosa Resident")
    sign_in_page = await browser.page(page.headers["location"])
    assert f'name="next" value="/conversations/{pk(plan.conversation)}"' in sign_in_page.text
    signed_in = await browser.client.post(
        "/auth/sign-in",
        data={
            "csrf_token": csrf_token(sign_in_page.text),
            "email": "rosa@example.org",
            "password": "correct horse battery",
            "next": f"/conversations/{pk(plan.conversation)}",
        },
        headers={"Origin": browser.origin},
    )
    assert signed_in.headers["location"] == f"/conversations/{pk(plan.conversation)}"


async def test_sign_in_never_sends_people_to_another_site(api: Api, browser: Browser) -> None:
    await account(api, "rosa@example.org", "Rosa Resident", role=None)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = await browser.page("/auth/sign-in?next=" + elsewhere)
        assert "evil.example" not in page.text
        answer = await browser.client.post(
            "/auth/sign-in",
            data={
                "csrf_token": csrf_token(page.text),
                "email": "rosa@example.org",
                "password": "correct horse battery",
                "next": elsewhere,
            },
            headers={"Origin": browser.origin},
        )
        assert answer.headers["location"] == "/"


async def test_home_lists_areas_once_signed_in(api: Api, browser: Browser) -> None:
    await Plan.build(api)
    assert "/areas/willenhall" not in (await browser.page("/")).text
    await _resident(api, browser)
    home = (await browser.page("/")).text
    assert 'href="/areas/coventry"' in home
    assert 'href="/areas/willenhall"' in home


async def test_area_home_shows_votes_priorities_plan_and_conversations(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await plan.adopt(0)
    open_round = await plan.world.round([plan.proposals[1]])
    await _resident(api, browser)
    page = await browser.page("/areas/willenhall")
    assert page.status_code == 200
    assert f'href="/rounds/{pk(open_round)}"' in page.text
    assert f'href="/rounds/{pk(plan.round)}/results"' in page.text
    assert "Walking group" in page.text
    assert "There is 1 action in the plan." in page.text
    assert 'href="/areas/willenhall/plan"' in page.text
    assert f'href="/conversations/{pk(plan.conversation)}"' in page.text


async def test_missing_things_answer_a_404_page(api: Api, browser: Browser) -> None:
    await _world_with_resident(api, browser)
    for path in (
        "/areas/nowhere",
        "/areas/nowhere/plan",
        "/conversations/999999",
        "/conversations/abc",
        "/conversations/999999/propose",
        "/proposals/999999",
        "/rounds/999999",
        "/rounds/999999/results",
        "/actions/999999",
    ):
        page = await browser.page(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text
        assert 'href="/"' in page.text


async def World_with_resident(api: Api, browser: Browser) -> None:
    from tests.support import World

    await World(api).build()
    await _resident(api, browser)
