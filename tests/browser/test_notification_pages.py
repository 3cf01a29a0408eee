"""Notifications in a real browser: the header link, the list and the email choices,
checked with axe and at 320 px; and the HTML of an email checked with axe too."""

from __future__ import annotations

import re

from playwright.async_api import Page, expect

from server import clock
from server.notifications.models import EmailDelivery, Notification, NotificationKind
from server.people.models import Person
from tests.browser.checks import scrolls_sideways, serious_accessibility_problems
from tests.browser.conftest import screenshot
from tests.http_browser import PASSWORD
from tests.resident_support import account
from tests.support import Api, World
from web.notifications import mail

EMAIL = "rosa@example.org"


async def _check(page: Page, name: str) -> None:
    assert await serious_accessibility_problems(page) == [], page.url
    await screenshot(page, name)
    size = page.viewport_size
    await page.set_viewport_size({"width": 320, "height": 640})
    assert not await scrolls_sideways(page), page.url
    if size:
        await page.set_viewport_size(size)


async def test_notifications_and_email_choices(live_server: str, page: Page, api: Api) -> None:
    world = await World(api).build()
    await account(api, EMAIL, "Rosa Resident")
    await world.round([await world.proposal("A walking group")])
    await world.round([await world.proposal("A community garden")])
    await page.goto(live_server + "/notifications")
    await expect(page).to_have_url(re.compile(r"/auth/sign-in\?next="))
    await page.get_by_label("Email address").fill(EMAIL)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_label("Password").press("Enter")
    await expect(page).to_have_url(live_server + "/notifications")
    await expect(
        page.get_by_role("link", name=re.compile(r"Notifications 2 unread"))
    ).to_be_visible()
    await expect(page.get_by_text("You have 2 unread notifications.")).to_be_visible()
    await _check(page, "notifications-list")

    await page.get_by_role("link", name="Choose what we email you").click()
    await expect(page.get_by_role("heading", level=1)).to_have_text("What we email you")
    group = page.get_by_role("group", name="A vote opens in an area you take part in")
    await group.get_by_label("Weekly summary").check()
    await page.get_by_role("button", name="Save my choices").click()
    await expect(page.get_by_text("Your choices are saved.")).to_be_visible()
    await expect(
        page.get_by_role("group", name="A vote opens in an area you take part in").get_by_label(
            "Weekly summary"
        )
    ).to_be_checked()
    await _check(page, "notifications-preferences")

    await page.goto(live_server + "/notifications")
    await page.get_by_role("button", name="Mark all as read").click()
    await expect(page.get_by_text("You have read them all.")).to_be_visible()


async def test_the_email_html_is_accessible(page: Page) -> None:
    person = Person(id=1, display_name="Rosa Resident", email=EMAIL, language="en")
    notifications = [
        Notification(
            id=index,
            person_id=1,
            kind=kind,
            subject_type="VotingRound",
            subject_id=1,
            actor_id=None,
            link="/rounds/1",
            params=params,
            created_at=clock.now(),
        )
        for index, (kind, params) in enumerate(
            [
                (NotificationKind.ROUND_OPENED, {"round": "Which first?", "area": "Willenhall"}),
                (NotificationKind.RESULTS_PUBLISHED, {"round": "Which first?", "top": ["Walks"]}),
            ],
            start=1,
        )
    ]
    letter = mail.Letter(
        sender="Levelground <hello@levelground.example>",
        base_url="https://levelground.example",
        unsubscribe_url="https://levelground.example/notifications/unsubscribe/token",
        message_id="<digest@levelground.example>",
    )
    message = mail.compose(person, notifications, {}, EmailDelivery.DAILY, letter, clock.now())
    body = message.get_body(("html",))
    assert body is not None
    await page.set_content(body.get_content())
    assert await serious_accessibility_problems(page) == []
    await screenshot(page, "email-daily-summary")
