"""The resident's journey in a real browser: reading, proposing, commenting, voting
(approval, dots, ranked), changing a ballot, results and the action plan. Every page is
checked with axe and at 320 px; one pass uses only the keyboard, one has no JavaScript."""

from __future__ import annotations

import re

from playwright.async_api import Browser, Page, expect

from server.people.models import PersonKind
from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot
from tests.http_browser import PASSWORD
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api

EMAIL = "rosa@example.org"


async def _plan(api: Api) -> Plan:
    plan = await Plan.build(api)
    await account(api, EMAIL, "Rosa Resident")
    return plan


async def _sign_in(page: Page, server: str, path: str) -> None:
    """Open a page that needs signing in: sign in, and land back on it."""
    await page.goto(server + path)
    await expect(page).to_have_url(re.compile(r"/auth/sign-in\?next="))
    await page.get_by_label("Email address").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")
    await expect(page).to_have_url(server + path)


async def _check(page: Page, name: str | None = None) -> None:
    """No serious accessibility problems, and no sideways scrolling on a 320 px screen."""
    assert await serious_accessibility_problems(page) == [], page.url
    if name:
        await screenshot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 320, "height": 640})
    assert not await scrolls_sideways(page), page.url
    if size:
        await page.set_viewport_size(size)


async def test_reading_the_area_its_conversation_and_the_action_plan(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    action = await plan.adopt(0)
    await plan.post(
        action, "PROGRESS", "We met the walkers.", percentComplete=40, status="IN_PROGRESS"
    )
    await _sign_in(page, live_server, "/areas/coventry")
    await page.goto(live_server + "/")
    await page.get_by_role("link", name="Willenhall").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Willenhall")
    await _check(page, "resident-area")

    await page.get_by_role("link", name="Big Conversation").click()
    await expect(page.get_by_text("What keeps you well?")).to_be_visible()
    await expect(page.get_by_text("People kept me well.")).to_be_visible()
    await _check(page, "resident-conversation")

    await page.get_by_role("link", name="Back to Willenhall").click()
    await page.get_by_role("link", name="Read the action plan").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("You said, we did")
    progress = page.get_by_label("How much is done")
    await expect(progress).to_have_attribute("value", "40")
    await expect(page.get_by_text("Going well")).to_be_visible()
    await _check(page, "resident-action-plan")

    await page.get_by_role("link", name="Walking group").first.click()
    await expect(page.get_by_text("We met the walkers.")).to_be_visible()
    await _check(page, "resident-action")
    await page.goto(live_server + "/actions/999999")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    await _check(page)


async def test_proposing_an_idea_and_talking_about_it(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    await _sign_in(page, live_server, f"/conversations/{pk(plan.conversation)}")
    await page.get_by_role("link", name="Share an idea").click()
    await _check(page)
    await page.get_by_role("button", name="Share my idea").click()
    summary = page.locator(".nhsuk-error-summary")
    await expect(summary).to_contain_text("Give your idea a short name.")
    await _check(page)
    await summary.get_by_role("link", name="Give your idea a short name.").click()
    await expect(page.get_by_label("Give your idea a short name")).to_be_focused()
    await page.get_by_label("Give your idea a short name").fill("Benches by the park")
    await page.get_by_label("Tell us more about your idea").fill("Somewhere to rest.")
    await page.get_by_role("button", name="Share my idea").click()
    await expect(page.get_by_text("Your idea is shared")).to_be_visible()
    await expect(page.get_by_role("heading", level=1)).to_have_text("Benches by the park")

    # With JavaScript, htmx posts the comment and swaps the list in place.
    url = page.url
    await page.get_by_label("Add a comment").fill("I would sit there every day.")
    await page.get_by_role("button", name="Post comment").click()
    comment = page.locator(".lg-comment", has_text="I would sit there every day.")
    await expect(comment).to_be_visible()
    await expect(comment).to_be_focused()
    assert page.url == url
    await comment.locator("summary").click()
    await comment.get_by_label("Your reply").fill("Me too!")
    await comment.get_by_role("button", name="Post reply").click()
    await expect(page.locator(".lg-comments--replies")).to_contain_text("Me too!")
    await page.get_by_role("button", name="Post comment").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("Write your comment.")
    await _check(page, "resident-proposal")


async def test_approval_vote_changed_then_results_after_close(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals, resultVisibility="AFTER_CLOSE")
    await _sign_in(page, live_server, "/areas/willenhall")
    await page.get_by_role("link", name="Which first?").click()
    await _check(page)
    await page.get_by_label("Walking group").check()
    await page.get_by_label("Garden").check()
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    await _check(page)

    await page.get_by_role("link", name="Change my vote").click()
    await expect(page.get_by_label("Walking group")).to_be_checked()
    await expect(page.get_by_label("Drop-in")).not_to_be_checked()
    await page.get_by_label("Garden").uncheck()
    await page.get_by_role("button", name="Change my vote").click()
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    await page.get_by_role("link", name="Find out when the results will show").click()
    await expect(page.get_by_text("The results will show when voting closes.")).to_be_visible()
    await expect(page.get_by_text("1 person voted.")).to_be_visible()
    await expect(page.locator(".lg-chart")).to_have_count(0)
    await _check(page)

    await plan.world.close(round_id)
    await page.reload()
    chart = page.get_by_role("img", name="Results as a bar chart")
    await expect(chart).to_be_visible()
    table = page.get_by_role("table", name="Results in a table")
    await expect(table.get_by_role("row").nth(1)).to_contain_text("Walking group")
    await _check(page, "resident-results")


async def test_dots_budget_counts_down_and_over_budget_is_refused(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(
        plan.proposals, method="DOTS", dotsPerPerson=5, maxDotsPerItem=4
    )
    await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
    budget = page.locator("#dots-left")
    await expect(budget).to_have_text("You have 5 dots left, out of 5.")
    await page.get_by_label("Walking group").fill("3")
    await expect(budget).to_have_text("You have 2 dots left, out of 5.")
    await page.get_by_label("Drop-in").fill("4")
    await expect(budget).to_have_text("You have used 2 dots too many. Take some away.")
    await _check(page, "resident-vote-dots")
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "You gave 7 dots but you have only 5."
    )
    await _check(page)
    await page.get_by_label("Drop-in").fill("2")
    await expect(budget).to_have_text("You have 0 dots left, out of 5.")
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    await expect(page.get_by_text("Drop-in \N{EN DASH} 2 dots")).to_be_visible()


async def test_ranked_vote_with_number_choices(live_server: str, page: Page, api: Api) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals, method="RANKED")
    await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
    await page.get_by_label("Garden").select_option("1")
    await page.get_by_label("Walking group").select_option("1")
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.locator(".nhsuk-error-summary")).to_contain_text("do not use a number twice")
    await _check(page, "resident-vote-ranked")
    await page.get_by_label("Walking group").select_option("2")
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    await expect(page.get_by_text("Garden \N{EN DASH} number 1")).to_be_visible()
    await page.get_by_role("link", name="Change my vote").click()
    await expect(page.get_by_label("Walking group")).to_have_value("2")


async def _tab_to(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(limit):
        await page.keyboard.press("Tab")
        if await page.evaluate("s => document.activeElement.matches(s)", selector):
            return
    raise AssertionError(f"Tab never reached {selector}")


async def test_keyboard_only_propose_then_vote(live_server: str, page: Page, api: Api) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals)
    await page.goto(f"{live_server}/conversations/{pk(plan.conversation)}")
    await expect(page).to_have_url(re.compile(r"/auth/sign-in\?next="))
    await _tab_to(page, "#email")
    await page.keyboard.type(EMAIL)
    await page.keyboard.press("Tab")
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Big Conversation")

    await _tab_to(page, f'a[href="/conversations/{pk(plan.conversation)}/propose"]')
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Share an idea")
    await _tab_to(page, "#title")
    await page.keyboard.type("Keyboard club")
    await page.keyboard.press("Tab")
    await page.keyboard.type("Learning to type together.")
    await _tab_to(page, "button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("Your idea is shared")).to_be_visible()

    await _tab_to(page, 'a[href="/areas/willenhall"]')
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Willenhall")
    await _tab_to(page, f'a[href="/rounds/{pk(round_id)}"]')
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Which first?")
    await _tab_to(page, "input[type=checkbox]")
    await page.keyboard.press("Space")
    await _tab_to(page, "button[type=submit]")
    await page.keyboard.press("Enter")
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    await expect(page.locator(".lg-confirmation")).to_be_focused()


async def test_voting_and_commenting_work_without_javascript(
    live_server: str, chromium: Browser, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals, method="DOTS", dotsPerPerson=3)
    # (axe and the width check run scripts in the page, so they are not used here;
    # the same pages are checked with JavaScript on in the other tests.)
    context = await chromium.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
        await page.get_by_label("Walking group").fill("2")
        await page.get_by_label("Garden").fill("2")
        await page.get_by_role("button", name="Send my vote").click()
        await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "You gave 4 dots but you have only 3."
        )
        await page.get_by_label("Garden").fill("1")
        await page.get_by_role("button", name="Send my vote").click()
        await expect(page).to_have_url(f"{live_server}/rounds/{pk(round_id)}/voted")
        await expect(page.get_by_text("Garden \N{EN DASH} 1 dot")).to_be_visible()

        await page.goto(f"{live_server}/proposals/{pk(plan.proposals[0])}")
        await page.get_by_label("Add a comment").fill("Plain forms still work.")
        await page.get_by_role("button", name="Post comment").click()
        await expect(page).to_have_url(re.compile(r"/proposals/\d+#comment-\d+$"))
        comment = page.locator(".lg-comment", has_text="Plain forms still work.")
        await comment.locator("summary").click()
        await comment.get_by_label("Your reply").fill("So do replies.")
        await comment.get_by_role("button", name="Post reply").click()
        await expect(page.locator(".lg-comments--replies")).to_contain_text("So do replies.")
    finally:
        await context.close()


async def test_a_professional_comment_shows_only_a_display_name(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    await account(
        api,
        "gita@example.org",
        "Gita",
        kind=PersonKind.PROFESSIONAL,
        affiliation="Willenhall Medical Centre",
    )
    await page.goto(f"{live_server}/proposals/{pk(plan.proposals[0])}")
    await page.get_by_label("Email address").fill("gita@example.org")
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")
    await page.get_by_label("Add a comment").fill("Happy to help.")
    await page.get_by_role("button", name="Post comment").click()
    comments = page.locator("#comments")
    await expect(comments).to_contain_text("Gita")
    text = (await comments.inner_text()).lower()
    assert "professional" not in text
    assert "medical centre" not in text
