"""A facilitator's evening in a real browser: sign in, start a conversation, show its
code to the room, print the sheet, record a story, run a dot vote with paper ballots
typed from the keyboard alone, close it, adopt a priority and post an update. Every
page is checked with axe and on a 320 px screen."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Actor, Scope
from server.people.models import Role
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.rules import EntryInput
from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot
from tests.facilitator_support import FACILITATOR_EMAIL, PARTICIPANT_EMAIL, TITLES, Scene, build
from tests.http_browser import PASSWORD
from tests.support import Api


@pytest.fixture
async def scene(api: Api) -> Scene:
    return await api.run(build)


async def _sign_in(page: Page, server: str, email: str) -> None:
    await page.goto(server + "/auth/sign-in")
    await page.fill("#email", email)
    await page.fill("#password", PASSWORD)
    async with page.expect_navigation():
        await page.click("main button[type=submit]")


async def _accessible(page: Page) -> None:
    assert await serious_accessibility_problems(page) == [], page.url


async def _focused_id(page: Page) -> str:
    found: str = await page.evaluate("document.activeElement && document.activeElement.id")
    return found


async def test_a_facilitators_evening_from_start_to_finish(
    live_server: str, page: Page, scene: Scene
) -> None:
    await _sign_in(page, live_server, FACILITATOR_EMAIL)
    await page.goto(live_server + "/facilitate")
    await _accessible(page)
    await page.get_by_role("link", name="Willenhall").click()
    await expect(page.locator("h1")).to_have_text("Willenhall")
    await _accessible(page)
    await screenshot(page, "facilitator-dashboard")

    # Start a conversation and show its code.
    await page.get_by_role("link", name="Start a conversation").click()
    await _accessible(page)
    await page.get_by_role("button", name="Start the conversation").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter a title for the conversation."
    )
    await _accessible(page)
    await page.fill("#title", "Evening conversation at the library")
    await page.fill("#location", "Willenhall Library")
    await page.get_by_role("button", name="Start the conversation").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Conversation started")
    await _accessible(page)
    await page.get_by_role("link", name="Show the join code large, for the room").click()
    code = (await page.locator(".lg-room__code-text").inner_text()).strip()
    assert re.fullmatch(r"[A-Z2-9]{6}", code)
    font_size = await page.locator(".lg-room__code-text").evaluate(
        "element => parseFloat(getComputedStyle(element).fontSize)"
    )
    assert font_size >= 96
    await expect(page.locator(".lg-room__url")).to_have_text(live_server + "/auth/join")
    await _accessible(page)
    await screenshot(page, "facilitator-join-code")
    await page.get_by_role("link", name="Print a sheet with the join code").click()
    await expect(page.locator(".lg-sheet__code")).to_have_text(code)
    await _accessible(page)
    await page.emulate_media(media="print")
    assert not await page.locator(".nhsuk-header").is_visible()
    assert await page.locator(".lg-sheet__code").is_visible()
    await page.emulate_media(media="screen")
    await screenshot(page, "facilitator-print-sheet")

    # Record a story.
    await page.get_by_role("link", name="Back to the conversation").click()
    await page.get_by_role("link", name="Record a story").click()
    await _accessible(page)
    await page.fill("#tellerPseudonym", "Jo")
    await page.fill("#body", "The walking group got me out of the house.")
    await page.get_by_label("Everyone").check()
    await page.get_by_role("button", name="Save the story").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Story recorded")
    await expect(page.get_by_text("The walking group got me out of the house.")).to_be_visible()

    # Create and open a dot vote.
    await page.goto(live_server + "/facilitate/areas/willenhall")
    await page.get_by_role("link", name="Create a voting round").click()
    await _accessible(page)
    await page.fill("#title", "Pick two for the summer")
    await page.get_by_label("Dots", exact=True).check()
    await page.fill("#dotsPerPerson", "5")
    await page.fill("#maxDotsPerItem", "3")
    await page.get_by_label("Live, to everyone").check()
    for title in TITLES[2:]:
        await page.get_by_label(title).check()
    await page.get_by_role("button", name="Save the round as a draft").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Round created")
    await _accessible(page)
    await page.get_by_role("button", name="Open the round for voting").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Round opened")

    # Three paper ballots, from the keyboard alone.
    await page.get_by_role("link", name="Record paper ballots").click()
    await _accessible(page)
    for name, dots in (("Dot", ("3", "2")), ("Kev", ("1", "")), ("Amina", ("", "3"))):
        assert await _focused_id(page) == "voterName"
        await page.keyboard.type(name)
        for count in dots:
            await page.keyboard.press("Tab")
            await page.keyboard.type(count)
        await page.keyboard.press("Enter")
        await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
            f"Saved ballot for {name} (assisted)"
        )
        await expect(page.locator("#voterName")).to_have_value("")
    assert await _focused_id(page) == "voterName"
    await expect(page.locator(".lg-paper__count")).to_contain_text("3 ballots so far.")
    await _accessible(page)
    await screenshot(page, "facilitator-paper-ballots")

    # A typing slip is caught, and fixed from the keyboard too.
    await page.keyboard.type("Dot")
    await page.keyboard.press("Tab")
    await page.keyboard.type("4")
    await page.keyboard.press("Enter")
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("At most 3 dots")
    await _accessible(page)
    assert await _focused_id(page) == "choices"
    await page.keyboard.press("Control+A")
    await page.keyboard.type("3")
    await page.keyboard.press("Enter")
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Saved ballot for Dot (assisted)"
    )

    # Close the round, after saying yes.
    await page.get_by_role("link", name="Finished: back to the round").click()
    await page.get_by_role("link", name="Close the round").click()
    await _accessible(page)
    await page.get_by_role("button", name="Yes, close the round").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Round closed")
    await _accessible(page)

    # Adopt the top priority and post an update.
    await page.get_by_role("link", name=re.compile("^Adopt as an action")).first.click()
    await _accessible(page)
    await page.select_option("#teamId", label="Wellbeing team")
    await page.select_option("#leadId", label="Tom")
    await page.fill("#targetDate", "2099-06-30")
    await screenshot(page, "facilitator-adopt")
    await page.get_by_role("button", name="Adopt as an action").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Priority adopted")
    await _accessible(page)
    await page.get_by_role("link", name="Post an update").click()
    await _accessible(page)
    await page.get_by_label("Progress", exact=True).check()
    await page.fill("#body", "The church hall is booked for Thursdays.")
    await page.select_option("#status", "in_progress")
    await page.fill("#percentComplete", "20")
    await page.get_by_role("button", name="Post the update").click()
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text("Update posted.")
    await expect(page.get_by_text("The church hall is booked for Thursdays.")).to_be_visible()
    await _accessible(page)


def _pages(scene: Scene) -> list[str]:
    return [
        "/facilitate",
        "/facilitate/areas/willenhall",
        "/facilitate/areas/willenhall/conversations/new",
        f"/facilitate/conversations/{scene.conversation}",
        f"/facilitate/conversations/{scene.conversation}/code",
        f"/facilitate/conversations/{scene.conversation}/print",
        f"/facilitate/conversations/{scene.conversation}/close",
        f"/facilitate/conversations/{scene.conversation}/stories/new",
        f"/facilitate/stories/{scene.story}/withdraw",
        "/facilitate/areas/willenhall/rounds/new",
        f"/facilitate/rounds/{scene.open_round}",
        f"/facilitate/rounds/{scene.draft_round}",
        f"/facilitate/rounds/{scene.closed_round}",
        f"/facilitate/rounds/{scene.open_round}/close",
        f"/facilitate/rounds/{scene.open_round}/paper",
        f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}",
        f"/facilitate/actions/{scene.action}",
        f"/facilitate/actions/{scene.action}/update",
        "/facilitate/rounds/999999",
    ]


async def test_every_facilitator_page_fits_a_320px_screen_and_passes_axe(
    live_server: str, page: Page, scene: Scene
) -> None:
    await page.set_viewport_size({"width": 320, "height": 640})
    await _sign_in(page, live_server, FACILITATOR_EMAIL)
    for path in _pages(scene):
        await page.goto(live_server + path)
        assert not await scrolls_sideways(page), path
        await _accessible(page)
    # Forms showing their errors, too.
    await page.goto(live_server + f"/facilitate/rounds/{scene.open_round}/paper")
    await page.get_by_role("button", name="Save this ballot").click()
    await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert not await scrolls_sideways(page)
    await _accessible(page)
    await page.goto(live_server + "/facilitate/areas/willenhall/rounds/new")
    await page.get_by_role("button", name="Save the round as a draft").click()
    await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert not await scrolls_sideways(page)
    await _accessible(page)
    await screenshot(page, "facilitator-round-errors-320")
    for path, button in (
        (f"/facilitate/conversations/{scene.conversation}/stories/new", "Save the story"),
        (f"/facilitate/actions/{scene.action}/update", "Post the update"),
    ):
        await page.goto(live_server + path)
        await page.get_by_role("button", name=button).click()
        await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
        assert not await scrolls_sideways(page), path
        await _accessible(page)
    # Polish words run longer: they fit too.
    for path in _pages(scene)[1:-1]:
        await page.goto(live_server + path + "?lang=pl")
        assert not await scrolls_sideways(page), path
    await page.goto(live_server + f"/facilitate/rounds/{scene.open_round}/paper?lang=pl")
    await expect(page.locator("h1")).to_have_text("Wpisz papierowe karty do głosowania")
    await _accessible(page)
    await page.goto(live_server + "/?lang=en")
    adopt = f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}"
    await page.goto(live_server + adopt)
    await page.select_option("#leadId", label="Tom")
    await page.get_by_role("button", name="Adopt as an action").click()
    await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    assert not await scrolls_sideways(page)
    await _accessible(page)


async def test_a_participant_sees_an_accessible_403_page(
    live_server: str, page: Page, scene: Scene
) -> None:
    await _sign_in(page, live_server, PARTICIPANT_EMAIL)
    response = await page.goto(live_server + "/facilitate/areas/willenhall")
    assert response is not None
    assert response.status == 403
    await expect(page.locator("h1")).to_have_text("You cannot use this page")
    await _accessible(page)


async def test_replacing_someones_own_ballot_from_the_keyboard(
    live_server: str, page: Page, scene: Scene, api: Api
) -> None:
    async def rita_votes(session: AsyncSession) -> None:
        voting_round = await voting_repo.by_id(session, scene.open_round)
        assert voting_round is not None
        rita = Actor.build(
            scene.participant, {Scope.READ, Scope.WRITE}, [(voting_round.area_id, Role.PARTICIPANT)]
        )
        await voting.cast_ballot(
            session, rita, round_id=scene.open_round, entries=[EntryInput(scene.proposals[2], 1)]
        )

    await api.run(rita_votes)
    await _sign_in(page, live_server, FACILITATOR_EMAIL)
    await page.goto(live_server + f"/facilitate/rounds/{scene.open_round}/paper")
    await page.keyboard.type("Rita")
    await page.keyboard.press("Tab")
    await page.keyboard.press("Tab")
    await page.keyboard.type("2")
    await page.keyboard.press("Enter")
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "This person cast their own ballot"
    )
    assert await _focused_id(page) == "override"
    await _accessible(page)
    await page.keyboard.type(" ")
    await page.keyboard.press("Enter")
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Saved ballot for Rita (assisted)"
    )


async def test_a_ranked_paper_ballot_from_the_keyboard(
    live_server: str, page: Page, scene: Scene
) -> None:
    await _sign_in(page, live_server, FACILITATOR_EMAIL)
    await page.goto(live_server + f"/facilitate/rounds/{scene.draft_round}")
    await page.get_by_role("button", name="Open the round for voting").click()
    await page.get_by_role("link", name="Record paper ballots").click()
    assert await _focused_id(page) == "voterName"
    await page.keyboard.type("Kev")
    await page.keyboard.press("Tab")
    await page.keyboard.type("2")
    await page.keyboard.press("Tab")
    await page.keyboard.type("1")
    await page.keyboard.press("Tab")  # to "Add them as a new participant"
    await page.keyboard.press("Enter")
    await expect(page.locator(".nhsuk-notification-banner")).to_contain_text(
        "Saved ballot for Kev (assisted)"
    )
    await _accessible(page)
