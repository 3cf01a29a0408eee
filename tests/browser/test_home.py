"""The landing page in a real browser: accessible, narrow-screen friendly, bilingual."""

from __future__ import annotations

from playwright.async_api import Page

from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot


async def test_home_page_has_no_serious_accessibility_problems(
    live_server: str, page: Page
) -> None:
    await page.goto(live_server + "/")
    assert await page.title() == "Welcome \N{EN DASH} Levelground"
    assert await serious_accessibility_problems(page) == []
    await screenshot(page, "home")


async def test_home_page_fits_a_320px_screen(live_server: str, page: Page) -> None:
    await page.set_viewport_size({"width": 320, "height": 640})
    await page.goto(live_server + "/")
    assert not await scrolls_sideways(page)


async def test_language_choice_is_remembered(live_server: str, page: Page) -> None:
    await page.goto(live_server + "/")
    await page.get_by_role("link", name="Polski").click()
    assert await page.locator("h1").inner_text() == "Zabierz głos i zobacz, co się dzieje"
    await page.goto(live_server + "/")
    assert await page.locator("html").get_attribute("lang") == "pl"
    assert await page.locator("h1").inner_text() == "Zabierz głos i zobacz, co się dzieje"
