"""Every message on the facilitator pages has a Polish translation in the catalog."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    (ROOT / "web" / "facilitator", [("**.py", "python")]),
    (ROOT / "web" / "templates" / "facilitate", [("**.html", "jinja2")]),
]


def _messages() -> set[str]:
    found: set[str] = set()
    for folder, method_map in SOURCES:
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(folder), method_map, options_map={"**.html": {"extensions": "jinja2.ext.i18n"}}
        ):
            found.add(message if isinstance(message, str) else message[0])
    return found


def test_every_facilitator_message_is_translated_to_polish() -> None:
    with (ROOT / "web/locale/pl/LC_MESSAGES/messages.po").open("rb") as source:
        catalog = read_po(source, locale="pl")
    messages = _messages()
    assert len(messages) > 200
    untranslated = sorted(m for m in messages if m not in catalog or not catalog[m].string)
    assert untranslated == []
