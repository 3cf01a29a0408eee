"""The sign-in pages in a real browser: built from the NHS.UK design system (inputs at
body size, large radios and buttons, the yellow focus ring), in Polish under ?lang=pl,
checked with axe and at 320 px, and the join journey by keyboard, to the open vote."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect
from sqlalchemy.ext.asyncio import AsyncSession

from server.conversations.models import Conversation
from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot
from tests.facilitator_support import Scene, build
from tests.support import Api

FOCUS_YELLOW = "255, 235, 59"


async def _scene(api: Api) -> tuple[Scene, str]:
    scene = await api.run(build)

    async def code(session: AsyncSession) -> str:
        conversation = await session.get(Conversation, scene.conversation)
        assert conversation is not None
        return conversation.join_code

    return scene, await api.run(code)


async def _check(page: Page, name: str) -> None:
    assert await serious_accessibility_problems(page) == [], page.url
    await screenshot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 320, "height": 640})
    assert not await scrolls_sideways(page), page.url
    if size:
        await page.set_viewport_size(size)


async def _pixels(page: Page, selector: str, what: str) -> float:
    value: float = await page.eval_on_selector(
        selector, f"e => parseFloat(getComputedStyle(e).{what})"
    )
    return value


async def test_the_sign_in_pages_use_the_design_systems_inputs_radios_and_buttons(
    live_server: str, page: Page, api: Api
) -> None:
    await _scene(api)
    await page.goto(live_server + "/auth/join")
    assert await _pixels(page, "#code", "fontSize") >= 16
    assert await _pixels(page, "#code", "height") >= 40
    # The radio's drawn circle is the label's ::before, 40 px across.
    circle: float = await page.eval_on_selector(
        "label[for=kind]", "e => parseFloat(getComputedStyle(e, '::before').width)"
    )
    assert circle >= 32
    button = page.get_by_role("button", name="Join", exact=True)
    box = await button.bounding_box()
    assert box is not None
    assert box["height"] >= 40
    assert box["width"] >= 60
    await page.locator("#code").focus()
    ring: str = await page.eval_on_selector(
        "#code", "e => getComputedStyle(e).outlineColor + ' ' + getComputedStyle(e).outlineWidth"
    )
    assert FOCUS_YELLOW in ring, ring
    assert await _pixels(page, "#code", "outlineWidth") >= 3
    await _check(page, "auth-join")
    for path, name in (
        ("/auth/sign-in", "auth-sign-in"),
        ("/auth/register", "auth-register"),
    ):
        await page.goto(live_server + path)
        assert await _pixels(page, "#email", "fontSize") >= 16
        await _check(page, name)


async def test_a_polish_resident_joins_in_polish_by_keyboard_and_lands_on_the_vote(
    live_server: str, page: Page, api: Api
) -> None:
    scene, code = await _scene(api)
    await page.goto(live_server + "/auth/join?lang=pl")
    await expect(page.locator("html")).to_have_attribute("lang", "pl")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Dołącz do rozmowy")
    # Empty: every problem at once, in Polish, and the summary takes the focus.
    await page.get_by_role("button", name="Dołącz", exact=True).press("Enter")
    summary = page.locator(".nhsuk-error-summary")
    await expect(summary).to_be_focused()
    for message in ("Wpisz kod rozmowy.", "Wpisz swoje imię.", "Wybierz"):
        await expect(summary).to_contain_text(message)
    await _check(page, "auth-join-errors-pl")
    await page.get_by_label("Kod rozmowy").fill(code)
    await page.keyboard.press("Tab")
    await page.keyboard.type("Zofia")
    await page.keyboard.press("Tab")
    await expect(page.locator("#kind")).to_be_focused()
    await page.keyboard.press("Space")
    await page.get_by_role("button", name="Dołącz", exact=True).press("Enter")
    await expect(page.get_by_role("heading", level=1)).to_have_text("Jesteś w rozmowie")
    await expect(page.locator("#personal-code")).to_have_text(
        re.compile(r"^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$")
    )
    await _check(page, "auth-joined-pl")
    await page.get_by_role("link", name="Przejdź do głosowania").click()
    await expect(page).to_have_url(f"{live_server}/rounds/{scene.open_round}")
    await page.goto(live_server + "/auth/profile")
    await expect(page.locator(".nhsuk-warning-callout")).to_contain_text("osobisty kod")
    await _check(page, "auth-profile-pl")
