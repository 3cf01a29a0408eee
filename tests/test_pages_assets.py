"""Every asset a page loads comes from this site: no fonts, styles, scripts or images
from another host (a resident's visit is announced to nobody else, and a browser with
no internet does not wait for one), and everything a stylesheet points at is served."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from server.people.models import Role
from tests.http_browser import Browser
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api

LOADED = re.compile(r"<(?:link|script|img|source|iframe)\b[^>]*?\b(?:href|src)=\"([^\"]+)\"")
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]+)")


def _off_site(reference: str) -> bool:
    return reference.startswith("//") or bool(re.match(r"^[a-z][a-z0-9+.-]*:", reference, re.I))


async def test_pages_and_their_stylesheets_load_nothing_from_another_site(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await account(api, "fran@example.org", "Fran", role=Role.FACILITATOR)
    assert (await browser.sign_in("fran@example.org")).status_code == 303
    pages = [
        "/",
        "/areas/willenhall",
        f"/rounds/{pk(plan.round)}/results",
        f"/proposals/{pk(plan.proposals[0])}",
        "/facilitate/areas/willenhall",
        "/auth/sign-in",
    ]
    stylesheets: set[str] = set()
    for path in pages:
        html = (await browser.page(path)).text
        loaded = LOADED.findall(html)
        assert loaded, path
        assert [ref for ref in loaded if _off_site(ref)] == [], path
        stylesheets |= {ref for ref in loaded if ref.endswith(".css")}
    assert "/static/vendor/nhsuk/nhsuk-frontend.min.css" in stylesheets
    for stylesheet in sorted(stylesheets):
        css = await browser.page(stylesheet)
        assert css.status_code == 200, stylesheet
        references = {ref for ref in CSS_URL.findall(css.text) if not ref.startswith("data:")}
        assert [ref for ref in references if _off_site(ref)] == [], stylesheet
        for reference in sorted(references):
            served = await browser.page(urljoin(stylesheet, reference))
            assert served.status_code == 200, (stylesheet, reference)
