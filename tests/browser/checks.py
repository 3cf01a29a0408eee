"""Checks every browser test can apply to a page."""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from babel.messages.pofile import read_po
from playwright.async_api import Page

_axe = Axe()
CATALOG = (
    Path(__file__).resolve().parents[2] / "web" / "locale" / "pl" / "LC_MESSAGES" / "messages.po"
)


async def serious_accessibility_problems(page: Page) -> list[dict[str, Any]]:
    """axe-core violations of serious or critical impact (WCAG 2.x A/AA rules)."""
    results = await _axe.run(
        page,
        options={
            "runOnly": {
                "type": "tag",
                "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"],
            },
            "resultTypes": ["violations"],
        },
    )
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
        if v["impact"] in ("serious", "critical")
    ]


async def scrolls_sideways(page: Page) -> bool:
    width: bool = await page.evaluate(
        "document.documentElement.scrollWidth > document.documentElement.clientWidth"
    )
    return width


def _texts(value: str | list[str] | tuple[str, ...] | None) -> list[str]:
    return [value] if isinstance(value, str) else list(value or [])


@cache
def _english_fragments() -> frozenset[str]:
    """Runs of words from the catalog's English messages that no Polish message shares:
    seeing one on a Polish page means a string was left untranslated."""
    with CATALOG.open("rb") as source:
        catalog = read_po(source, locale="pl")
    polish = " ".join(text for message in catalog if message.id for text in _texts(message.string))
    fragments = set()
    for message in catalog:
        for english in _texts(message.id) if message.id else []:
            for fragment in re.split(r"%\(\w+\)[sd]|%%", english):
                fragment = fragment.strip(" .,:;!?()“”\"'-\N{EN DASH}")
                if len(fragment) >= 12 and " " in fragment and fragment not in polish:
                    fragments.add(fragment)
    return frozenset(fragments)


async def english_on_a_polish_page(page: Page, *, content: Sequence[str] = ()) -> list[str]:
    """English messages visible on a page that should read as Polish (words that people
    wrote, ``content``, may be in any language)."""
    shown = " ".join((await page.locator("body").inner_text()).split())
    title = await page.title()
    return sorted(
        f
        for f in _english_fragments()
        if (f in shown or f in title) and not any(f in text for text in content)
    )


async def skipped_heading_levels(page: Page) -> list[dict[str, Any]]:
    """axe-core's heading-order findings (an h3 with no h2 above it, and so on)."""
    results = await _axe.run(
        page,
        options={"runOnly": {"type": "rule", "values": ["heading-order"]}},
    )
    return [
        {"id": v["id"], "nodes": [n["target"] for n in v["nodes"]]}
        for v in results.response["violations"]
    ]
