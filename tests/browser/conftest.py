"""Browser tests: a real uvicorn server on a free port, driven by Debian's Chromium.

Without /usr/bin/chromium these tests are skipped locally, but fail when
LEVELGROUND_REQUIRE_BROWSER=1 (CI sets it, after installing Chromium with apt).
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, Page, async_playwright

from server.config import Settings

CHROMIUM = Path(os.environ.get("LEVELGROUND_CHROMIUM", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
            if not CHROMIUM.exists():
                if os.environ.get("LEVELGROUND_REQUIRE_BROWSER") == "1":
                    raise pytest.UsageError(f"{CHROMIUM} is missing but browser tests are required")
                item.add_marker(pytest.mark.skip(reason=f"{CHROMIUM} not installed"))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
async def live_server(settings: Settings, database_url: str) -> AsyncIterator[str]:
    """The app served by uvicorn on a free port, in this test's event loop."""
    from server.app import create_app

    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, database_url=database_url),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(200):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.05)
    else:
        raise RuntimeError("uvicorn did not start")
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    await asyncio.wait_for(task, timeout=30)


@pytest.fixture
async def chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield launched
        await launched.close()


@pytest.fixture
async def page(chromium: Browser) -> AsyncIterator[Page]:
    """A page whose Content-Security-Policy violations fail the test that made them."""
    context = await chromium.new_context()
    opened = await context.new_page()
    refused: list[str] = []
    opened.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    yield opened
    await context.close()
    assert refused == [], refused


async def screenshot(page: Page, name: str) -> None:
    """Keep a picture of a key page (CI collects artifacts/screenshots)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
