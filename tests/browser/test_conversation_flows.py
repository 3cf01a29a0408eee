"""What the room said, the record, moderation, the city's stages and personal data in a
real browser: every new page is checked with axe and on a 320 px screen."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from server.people.models import Role
from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot
from tests.http_browser import PASSWORD
from tests.plan_support import pk
from tests.resident_support import account
from tests.support import Api, World

RESIDENT = "rosa@example.org"
FACILITATOR = "fran@example.org"


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(server + "/auth/sign-in")
    await page.get_by_label("Email address").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")
    await expect(page).not_to_have_url(re.compile(r"/auth/sign-in"))


async def _check(page: Page, name: str | None = None) -> None:
    """No serious accessibility problems, and no sideways scrolling on a 320 px screen."""
    assert await serious_accessibility_problems(page) == [], page.url
    if name:
        await screenshot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 320, "height": 640})
    assert not await scrolls_sideways(page), page.url
    assert await serious_accessibility_problems(page) == [], page.url
    if size:
        await page.set_viewport_size(size)


async def _scene(api: Api) -> tuple[World, str, str]:
    world = await World(api).build()
    await account(api, RESIDENT, "Rosa Resident")
    await account(api, FACILITATOR, "Fran Facilitator", role=Role.FACILITATOR)
    conversation = (
        await api.ok(
            "startConversation",
            {
                "areaSlug": "willenhall",
                "title": "Big Conversation at the library",
                "prompt": "What keeps you well?",
                "location": "Willenhall Library",
            },
            as_=world.facilitator,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    themes = await api.data('{ area(slug: "willenhall") { themes { id name } } }', as_=world.board)
    by_name = {t["name"]: t["id"] for t in themes["area"]["themes"]}
    for body, theme in (
        ("My dog gets me out", "pets"),
        ("Friends at the bowls club", "groups and clubs"),
        ("The walk by the brook", "places to go"),
        ("My other dog", "pets"),
    ):
        answer = await api.ok(
            "addAnswer",
            {"conversationId": conversation, "body": body, "mayQuote": True},
            as_=world.gp,
            returning="answer { id }",
        )
        await api.ok(
            "tagAnswer",
            {"answerId": answer["answer"]["id"], "themeIds": [by_name[theme]]},
            as_=world.facilitator,
            returning="answer { id }",
        )
    idea = (
        await api.ok(
            "proposeItem",
            {
                "areaSlug": "willenhall",
                "title": "Dog walking group",
                "description": "Weekly, from the library.",
                "conversationId": conversation,
            },
            as_=world.gp,
            returning="proposal { id }",
        )
    )["proposal"]["id"]
    await api.ok(
        "addComment",
        {"subjectId": idea, "body": "I would come with my dog."},
        as_=world.gp,
        returning="comment { id }",
    )
    await api.ok(
        "updateConversation",
        {"conversationId": conversation, "headcount": 24, "closingSummary": "Pets keep us well."},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    return world, conversation, idea


async def test_a_residents_pages_for_answers_reports_data_and_the_city(
    live_server: str, page: Page, api: Api
) -> None:
    _world, conversation, idea = await _scene(api)
    await _sign_in(page, live_server, RESIDENT)
    await page.goto(f"{live_server}/conversations/{pk(conversation)}")
    await expect(page.get_by_role("heading", name="What the room said")).to_be_visible()
    await expect(page.locator("svg[role=img] title")).to_have_text(
        "Answers by theme, as a bar chart"
    )
    await page.get_by_role("button", name="Save my answer").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Answer cannot be empty.")
    await _check(page)
    await page.get_by_label("Your answer", exact=True).fill("Sunday lunch with my sister")
    await page.get_by_label("You may quote my words as an example").check()
    await page.get_by_role("button", name="Save my answer").click()
    await expect(page.locator(".lg-confirmation")).to_contain_text("Your answer is saved")
    await expect(page.get_by_text("Sunday lunch with my sister")).to_be_visible()
    await _check(page, "resident-conversation-themes")

    await page.goto(f"{live_server}/proposals/{pk(idea)}")
    await page.get_by_role("link", name="Report this comment").click()
    await _check(page)
    await page.get_by_role("button", name="Send the report").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say what is wrong with it.")
    await _check(page)
    await page.get_by_label("What is wrong with it?").fill("It names a neighbour")
    await page.get_by_role("button", name="Send the report").click()
    await expect(page.get_by_role("heading", name="Thank you for your report")).to_be_visible()
    await _check(page)

    await page.goto(f"{live_server}/areas/coventry")
    await page.get_by_role("link", name="How each area is getting on").click()
    await expect(page.get_by_text("Listening: conversations held").first).to_be_visible()
    await _check(page, "resident-city-stages")

    await page.get_by_role("link", name="Notifications").first.click()
    await expect(page.get_by_role("heading", name="Notifications", exact=True)).to_be_visible()
    await _check(page)
    await page.goto(f"{live_server}/auth/profile")
    await page.get_by_role("link", name="Delete your account").click()
    await _check(page, "resident-delete-account")
    await page.get_by_label("Type ERASE to confirm").fill("erase")
    await page.get_by_role("button", name="Delete my account").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Type ERASE in capital letters"
    )
    await _check(page)
    await page.get_by_label("Type ERASE to confirm").fill("ERASE")
    await page.get_by_role("button", name="Delete my account").click()
    await expect(page.get_by_role("heading", name="Your account is deleted")).to_be_visible()
    await _check(page)


async def test_a_facilitators_pages_for_cards_themes_the_record_and_moderation(
    live_server: str, page: Page, api: Api
) -> None:
    world, conversation, idea = await _scene(api)
    await api.ok(
        "reportContent",
        {"subjectId": idea, "reason": "Same as the walking group"},
        as_=world.resident,
        returning="report { id }",
    )
    other = await world.proposal("Walking group")
    await _sign_in(page, live_server, FACILITATOR)
    await page.goto(f"{live_server}/facilitate/conversations/{pk(conversation)}")
    await page.get_by_role(
        "link", name="Answers: type paper cards and sort them into themes"
    ).click()
    await _check(page)
    await page.get_by_label("The words on the card").fill("Knit and natter")
    await page.get_by_role("button", name="Save the card").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Paper card saved")
    card = page.locator(".lg-row", has_text="Knit and natter")
    await card.get_by_label("groups and clubs").check()
    await card.get_by_role("button", name="Save themes").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Themes saved")
    await _check(page, "facilitator-answers-themes")

    await page.goto(f"{live_server}/facilitate/conversations/{pk(conversation)}/record")
    await _check(page)
    await page.get_by_label("How many people were in the room?").fill("many")
    await page.get_by_role("button", name="Save the record").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("whole number")
    await _check(page)
    await page.get_by_label("How many people were in the room?").fill("31")
    await page.get_by_role("button", name="Save the record").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("The record is saved")

    await page.goto(f"{live_server}/facilitate/areas/willenhall")
    await page.get_by_role("link", name="Themes, questions and voting settings").click()
    await _check(page, "facilitator-themes-settings")
    await page.get_by_label("Add a theme").fill("faith")
    await page.get_by_role("button", name="Add the theme").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Theme added")

    await page.goto(f"{live_server}/facilitate/areas/willenhall")
    await page.get_by_role("link", name="Reports to look at (moderation)").click()
    await expect(page.get_by_text("Same as the walking group")).to_be_visible()
    await _check(page, "facilitator-reports")
    await page.get_by_role("link", name="Hide it, with a reason").click()
    await _check(page)

    await page.goto(f"{live_server}/facilitate/proposals/{pk(idea)}")
    await _check(page)
    await page.get_by_label("Join it with").select_option(str(pk(other)))
    await page.get_by_role("button", name="Join the ideas").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Ideas joined")
    await _check(page)
