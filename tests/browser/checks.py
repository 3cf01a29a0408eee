"""Checks every browser test can apply to a page."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Page

_axe = Axe()


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
