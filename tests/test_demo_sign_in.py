"""The demo's facilitator signs in on the web, and serve says how."""

from __future__ import annotations

from server import demo
from server.cli import demo_sign_in_help
from tests.http_browser import Browser
from tests.support import Api


async def test_the_demo_facilitator_can_sign_in_and_facilitate(api: Api, browser: Browser) -> None:
    assert await api.run(demo.seed) is True
    signed_in = await browser.sign_in(demo.DEMO_FACILITATOR_EMAIL, demo.DEMO_FACILITATOR_PASSWORD)
    assert signed_in.status_code == 303
    assert browser.session_cookie
    code = await api.run(demo.open_join_code)
    assert code is not None
    dashboard = await browser.page("/facilitate/areas/willenhall")
    assert dashboard.status_code == 200
    assert code in dashboard.text
    assert demo.DEMO_OPEN_CONVERSATION in dashboard.text


def test_serve_prints_the_demo_sign_in_and_join_code() -> None:
    shown = demo_sign_in_help("http://localhost:8000", "K7PX2M")
    assert demo.DEMO_FACILITATOR_EMAIL in shown
    assert demo.DEMO_FACILITATOR_PASSWORD in shown
    assert "http://localhost:8000/auth/sign-in" in shown
    assert "Demo join code: K7PX2M" in shown
    assert "Demo join code" not in demo_sign_in_help("http://localhost:8000", None)


async def test_a_production_demo_has_no_known_password(api: Api, browser: Browser) -> None:
    assert await api.run(lambda session: demo.seed(session, sign_in=False)) is True
    refused = await browser.sign_in(demo.DEMO_FACILITATOR_EMAIL, demo.DEMO_FACILITATOR_PASSWORD)
    assert refused.status_code == 400
