"""The notification pages: the header's unread count, the list, opening one, email
choices (and the language of emails), in English and Polish."""

from __future__ import annotations

from babel.messages.extract import extract_from_dir
from sqlalchemy.ext.asyncio import AsyncSession

from server.notifications import repository as notifications_repo
from server.notifications.models import EmailDelivery, NotificationKind
from server.people.models import Person
from tests.http_browser import Browser
from tests.notification_support import notifications_of
from tests.plan_support import pk
from tests.resident_support import account
from tests.support import Api, Someone, World
from web.i18n import translations


async def _rosa(api: Api, browser: Browser) -> tuple[World, int]:
    world = await World(api).build()
    person_id = await account(api, "rosa@example.org", "Rosa Resident")
    assert (await browser.sign_in("rosa@example.org")).status_code == 303
    return world, person_id


async def _rounds(world: World, count: int) -> list[str]:
    return [await world.round([await world.proposal(f"Idea {i}")]) for i in range(count)]


async def test_the_header_links_to_notifications_with_the_unread_count(
    api: Api, browser: Browser
) -> None:
    world, _ = await _rosa(api, browser)
    home = (await browser.page("/")).text
    assert '<a href="/notifications">Notifications</a>' in home
    await _rounds(world, 2)
    home = (await browser.page("/")).text
    assert "Notifications <span" in home
    assert '>2<span class="nhsuk-u-visually-hidden"> unread</span>' in home


async def test_the_list_shows_unread_ones_and_marks_all_read(api: Api, browser: Browser) -> None:
    world, person_id = await _rosa(api, browser)
    await _rounds(world, 2)
    page = (await browser.page("/notifications")).text
    assert "You have 2 unread notifications." in page
    assert page.count("A vote has opened in Willenhall: “Which first?”.") == 2
    assert page.count(">New</strong>") == 2
    marked = await browser.submit("/notifications", "/notifications/read", {})
    assert marked.status_code == 303
    page = (await browser.page("/notifications")).text
    assert "You have read them all." in page
    assert ">New</strong>" not in page
    assert all(n.read_at is not None for n in await notifications_of(api, _me(person_id)))


def _me(person_id: int) -> Someone:
    return Someone(person_id, "", "", "")


async def test_opening_a_notification_marks_it_read_and_goes_to_its_page(
    api: Api, browser: Browser
) -> None:
    world, person_id = await _rosa(api, browser)
    (round_id,) = await _rounds(world, 1)
    (notification,) = await notifications_of(api, _me(person_id))
    opened = await browser.page(f"/notifications/{notification.id}")
    assert opened.status_code == 303
    assert opened.headers["location"] == f"/rounds/{pk(round_id)}"
    (notification,) = await notifications_of(api, _me(person_id))
    assert notification.read_at is not None
    # Someone else's is not found, and stays unread.
    (theirs,) = await notifications_of(api, world.resident)
    assert (await browser.page(f"/notifications/{theirs.id}")).status_code == 404
    (theirs,) = await notifications_of(api, world.resident)
    assert theirs.read_at is None


async def test_choices_and_the_language_of_emails_are_saved(api: Api, browser: Browser) -> None:
    _, person_id = await _rosa(api, browser)
    page = (await browser.page("/notifications/preferences")).text
    assert 'name="ROUND_OPENED" type="radio" value="DAILY" checked' in page
    fields = {kind.name: "WEEKLY" for kind in NotificationKind}
    saved = await browser.submit(
        "/notifications/preferences",
        "/notifications/preferences",
        {**fields, "ROUND_OPENED": "OFF", "language": "pl"},
    )
    assert saved.status_code == 303
    assert "Your choices are saved." in (await browser.page(saved.headers["location"])).text

    async def stored(
        session: AsyncSession,
    ) -> tuple[dict[NotificationKind, EmailDelivery], str | None]:
        person = await session.get(Person, person_id)
        assert person is not None
        return await notifications_repo.preferences(session, person_id), person.language

    chosen, language = await api.run(stored)
    assert chosen[NotificationKind.ROUND_OPENED] is EmailDelivery.OFF
    assert chosen[NotificationKind.PROPOSAL_ADOPTED] is EmailDelivery.WEEKLY
    assert language == "pl"


async def test_signing_in_in_polish_makes_emails_polish(api: Api, browser: Browser) -> None:
    await World(api).build()
    person_id = await account(api, "rosa@example.org", "Rosa Resident")
    await browser.page("/auth/sign-in?lang=pl")  # the language switch sets the cookie
    assert (await browser.sign_in("rosa@example.org")).status_code == 303

    async def language(session: AsyncSession) -> str | None:
        person = await session.get(Person, person_id)
        assert person is not None
        return person.language

    assert await api.run(language) == "pl"


async def test_pages_and_messages_speak_polish(api: Api, browser: Browser) -> None:
    world, _ = await _rosa(api, browser)
    await _rounds(world, 1)
    page = (await browser.page("/notifications?lang=pl")).text
    assert "Powiadomienia" in page
    assert "Głosowanie otwarte w Willenhall: „Which first?”." in page
    assert "Masz 1 nieprzeczytane powiadomienie." in page
    choices = (await browser.page("/notifications/preferences?lang=pl")).text
    assert "Podsumowanie tygodniowe" in choices


async def test_people_without_email_are_told_it_all_stays_in_the_list(
    api: Api, browser: Browser
) -> None:
    from sqlalchemy import update

    _, person_id = await _rosa(api, browser)
    page = (await browser.page("/notifications/preferences")).text
    assert "We have no email address for you" not in page

    async def forget(session: AsyncSession) -> None:
        await session.execute(update(Person).where(Person.id == person_id).values(email=None))

    await api.run(forget)
    page = (await browser.page("/notifications/preferences")).text
    assert "We have no email address for you" in page


async def test_signed_out_people_are_asked_to_sign_in(browser: Browser) -> None:
    for path in ("/notifications", "/notifications/preferences", "/notifications/1"):
        response = await browser.page(path)
        assert response.status_code == 303
        assert response.headers["location"].startswith("/auth/sign-in?next=")


def test_every_notification_message_has_a_polish_translation() -> None:
    polish = translations("pl")
    found: list[str] = []
    for folder, method in (
        ("web/notifications", ("**.py", "python")),
        ("web/templates/notifications", ("**.html", "jinja2")),
        ("web/templates/email", ("**.html", "jinja2")),
    ):
        for _, _, message, _, _ in extract_from_dir(
            folder, [method], options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}
        ):
            found.append(message if isinstance(message, str) else message[0])
    assert len(found) > 60
    assert [m for m in found if polish.gettext(m) == m] == []
