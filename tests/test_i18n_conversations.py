"""Every message of the pages for what the room said, moderation, the city's stages
and personal data has a Polish translation, and the pages use it."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from tests.http_browser import Browser
from tests.resident_support import account
from tests.support import Api, World

ROOT = Path(__file__).resolve().parents[1]
OPTIONS = {"**.html": {"extensions": "jinja2.ext.i18n"}}
SOURCES = [
    (ROOT / "web" / "templates" / "talk", [("**.html", "jinja2")]),
    (ROOT / "web" / "resident", [("talk.py", "python")]),
    (ROOT / "web" / "facilitator", [("talk.py", "python")]),
]


def _messages() -> set[str]:
    found: set[str] = set()
    for folder, method_map in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map, options_map=OPTIONS
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_message_is_translated_to_polish() -> None:
    with (ROOT / "web/locale/pl/LC_MESSAGES/messages.po").open("rb") as source:
        catalog = read_po(source, locale="pl")
    messages = _messages()
    assert len(messages) > 100
    untranslated = sorted(m for m in messages if m not in catalog or not catalog[m].string)
    assert untranslated == []


async def test_the_city_page_speaks_polish(api: Api, browser: Browser) -> None:
    await World(api).build()
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    page = await browser.page("/areas/coventry/stages?lang=pl")
    assert "Jak idzie w każdym obszarze" in page.text
    assert "How each area is getting on" not in page.text
