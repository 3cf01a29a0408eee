"""Language choice for pages: asked, remembered, or taken from the browser."""

from __future__ import annotations

import httpx

from web.i18n import LANGUAGES, translations


async def test_english_by_default(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert '<html lang="en">' in page.text
    assert "Have your say" in page.text


async def test_accept_language_picks_polish(client: httpx.AsyncClient) -> None:
    page = await client.get("/", headers={"Accept-Language": "pl-PL,pl;q=0.9,en;q=0.5"})
    assert '<html lang="pl">' in page.text


async def test_an_explicit_choice_is_remembered_in_a_cookie(client: httpx.AsyncClient) -> None:
    chosen = await client.get("/?lang=pl")
    assert "lang=pl" in chosen.headers["set-cookie"]
    # The client keeps the cookie, as a browser would.
    later = await client.get("/", headers={"Accept-Language": "en"})
    assert "Zabierz głos" in later.text


async def test_unknown_language_falls_back_to_english(client: httpx.AsyncClient) -> None:
    page = await client.get("/?lang=xx", headers={"Accept-Language": "de"})
    assert '<html lang="en">' in page.text


def test_every_english_message_has_a_polish_translation() -> None:
    from babel.messages.pofile import read_po

    with open("web/locale/pl/LC_MESSAGES/messages.po", "rb") as source:
        catalog = read_po(source, locale="pl")
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
    assert set(LANGUAGES) == {"en", "pl"}
    assert translations("pl").gettext("Language") == "Język"
