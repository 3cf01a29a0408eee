"""The details a resident notices, in a real browser: results readable on a 320 px
phone, the voter count after an in-place vote, a dots counter that never says what it
cannot know, counts in the right plural, focus on what just happened, headings in
order, and a journey in Polish that reads as Polish and loads nothing from elsewhere."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from playwright.async_api import Browser, Page, Request, expect

from tests.browser.checks import english_on_a_polish_page, skipped_heading_levels
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
    await page.goto(f"{server}/auth/sign-in?next={path}")
    await page.fill("#email", EMAIL)
    await page.fill("#password", PASSWORD)
    await page.press("#password", "Enter")
    await expect(page).to_have_url(server + path)


async def test_results_are_readable_on_a_320px_phone(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    await page.set_viewport_size({"width": 320, "height": 640})
    await _sign_in(page, live_server, f"/rounds/{pk(plan.round)}/results")
    chart = page.get_by_role("img", name="Results as a bar chart")
    label = await chart.locator(".lg-chart__label", has_text="Walking group").bounding_box()
    assert label is not None
    # Body text is 16 px; the old chart's labels shrank with the picture to about 9.
    assert label["height"] >= 16, label
    hidden: list[str] = await page.evaluate(
        """() => {
            const found = [];
            for (const cell of document.querySelectorAll("table td")) {
                const box = cell.getBoundingClientRect();
                if (box.right > window.innerWidth + 0.5) found.push(cell.innerText);
                // A box that scrolls or clips sideways hides part of the table.
                for (let up = cell.parentElement; up; up = up.parentElement) {
                    const clips = getComputedStyle(up).overflowX !== "visible";
                    if (clips && up.scrollWidth > up.clientWidth + 1) found.push(up.className);
                }
            }
            return found;
        }"""
    )
    assert hidden == []
    await expect(page.get_by_text("People who supported it").first).to_be_visible()


async def test_the_voter_count_follows_an_in_place_vote(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals)
    await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
    await expect(page.get_by_text("0 people have voted so far.")).to_be_visible()
    await page.get_by_label("Garden").check()
    await page.get_by_role("button", name="Send my vote").click()
    await expect(page.get_by_text("Your vote is saved")).to_be_visible()
    assert page.url.endswith(f"/rounds/{pk(round_id)}")
    await expect(page.get_by_text("1 person has voted so far.")).to_be_visible()


async def test_the_live_dots_count_uses_the_right_plural(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals, method="DOTS", dotsPerPerson=5)
    await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
    budget = page.locator("#dots-left")
    await page.get_by_label("Walking group").fill("4")
    await page.get_by_label("Garden").fill("2")
    await expect(budget).to_have_text("You have used 1 dot too many. Take it away.")
    await page.get_by_label("Garden").fill("")
    await expect(budget).to_have_text("You have 1 dot left, out of 5.")
    await page.goto(f"{live_server}/rounds/{pk(round_id)}?lang=pl")
    await page.locator(f"#dots-{pk(plan.proposals[0])}").fill("3")
    await expect(budget).to_have_text("Zostały ci 2 kropki z 5.")
    await page.locator(f"#dots-{pk(plan.proposals[2])}").fill("5")
    await expect(budget).to_have_text("Masz o 3 kropki za dużo. Zabierz część.")


async def test_without_javascript_the_dots_counter_only_states_the_budget(
    live_server: str, chromium: Browser, api: Api
) -> None:
    plan = await _plan(api)
    round_id = await plan.world.round(plan.proposals, method="DOTS", dotsPerPerson=5)
    context = await chromium.new_context(java_script_enabled=False)
    try:
        page = await context.new_page()
        await _sign_in(page, live_server, f"/rounds/{pk(round_id)}")
        await page.get_by_label("Walking group").fill("3")
        await page.get_by_label("Garden").fill("3")
        # Nothing can recount without JavaScript, so nothing claims a count.
        await expect(page.locator("#dots-left")).to_have_text("You have 5 dots to share out.")
        await page.get_by_role("button", name="Send my vote").click()
        await expect(page.locator(".nhsuk-error-summary")).to_contain_text(
            "You gave 6 dots but you have only 5."
        )
        await expect(page.locator("#dots-left")).to_have_text("You have 5 dots to share out.")
    finally:
        await context.close()


async def test_after_proposing_focus_is_on_the_confirmation(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    await _sign_in(page, live_server, f"/conversations/{pk(plan.conversation)}/propose")
    await page.get_by_label("Give your idea a short name").fill("Benches by the park")
    await page.get_by_label("Tell us more about your idea").fill("Somewhere to rest.")
    await page.get_by_role("button", name="Share my idea").click()
    await expect(page.locator(".lg-confirmation")).to_be_focused()


async def test_action_pages_keep_their_headings_in_order(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    action = await plan.adopt(0)
    await plan.post(
        action, "PROGRESS", "All done.", status="DONE", closingStatement="It runs on Tuesdays."
    )
    await _sign_in(page, live_server, f"/actions/{pk(action)}")
    await expect(page.get_by_role("heading", name="We did it")).to_be_visible()
    assert await skipped_heading_levels(page) == []
    await page.goto(live_server + "/areas/willenhall/plan")
    assert await skipped_heading_levels(page) == []


async def test_a_resident_journey_in_polish_reads_as_polish(
    live_server: str, page: Page, api: Api
) -> None:
    plan = await _plan(api)
    action = await plan.adopt(0)
    round_id = await plan.world.round(
        plan.proposals[1:], method="DOTS", dotsPerPerson=5, resultVisibility="LIVE"
    )
    elsewhere: list[str] = []
    origin = urlsplit(live_server).netloc

    def record(request: Request) -> None:
        if urlsplit(request.url).netloc not in (origin, ""):
            elsewhere.append(request.url)

    page.on("request", record)
    await _sign_in(page, live_server, "/areas/willenhall")

    async def reads_as_polish() -> None:
        assert await page.locator("html").get_attribute("lang") == "pl"
        # The conversation's prompt was written in English by the test's facilitator.
        assert await english_on_a_polish_page(page, content=["What keeps you well?"]) == [], (
            page.url
        )

    await page.goto(live_server + "/areas/willenhall?lang=pl")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Willenhall")
    await reads_as_polish()
    await page.get_by_role("link", name="Big Conversation").click()
    await reads_as_polish()
    await page.get_by_role("link", name="Podziel się pomysłem").click()
    await page.get_by_role("button", name="Udostępnij mój pomysł").click()
    await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    await reads_as_polish()
    await page.fill("#title", "Ławki w parku")
    await page.fill("#description", "Miejsce, żeby odpocząć.")
    await page.get_by_role("button", name="Udostępnij mój pomysł").click()
    await expect(page.locator(".lg-confirmation")).to_be_focused()
    await reads_as_polish()

    await page.goto(f"{live_server}/rounds/{pk(round_id)}")
    await page.locator(f"#dots-{pk(plan.proposals[1])}").fill("4")
    await page.locator(f"#dots-{pk(plan.proposals[2])}").fill("4")
    await page.get_by_role("button", name="Wyślij mój głos").click()
    await expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    await reads_as_polish()
    await page.locator(f"#dots-{pk(plan.proposals[2])}").fill("1")
    await page.get_by_role("button", name="Wyślij mój głos").click()
    await expect(page.get_by_text("Twój głos został zapisany")).to_be_visible()
    await reads_as_polish()
    await page.get_by_role("link", name="Zobacz dotychczasowe wyniki").click()
    await expect(page).to_have_url(re.compile(r"/results$"))
    await reads_as_polish()
    await page.goto(f"{live_server}/rounds/{pk(plan.round)}/results")
    await reads_as_polish()
    await page.goto(f"{live_server}/areas/willenhall/plan")
    await reads_as_polish()
    await page.goto(f"{live_server}/actions/{pk(action)}")
    await reads_as_polish()
    assert elsewhere == []
