"""Every response carries the protective headers: a Content-Security-Policy that allows
this site's own scripts, styles and fonts only and no framing, nosniff and a
Referrer-Policy; pages, API answers, static files and error pages alike."""

from __future__ import annotations

import httpx
import pytest


def _assert_protected(response: httpx.Response) -> None:
    csp = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "same-origin"
    assert response.headers["x-frame-options"] == "DENY"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),
        ("GET", "/auth/sign-in"),
        ("GET", "/static/levelground.css"),
        ("GET", "/healthz"),
        ("GET", "/no-such-page"),
        ("POST", "/graphql"),
        ("GET", "/graphql?query=%7B__typename%7D"),
    ],
)
async def test_every_response_carries_the_security_headers(
    client: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await client.request(method, path, json={"query": "{ __typename }"})
    _assert_protected(response)


async def test_the_policy_allows_this_site_only() -> None:
    from server.middleware import content_security_policy

    policy = content_security_policy()
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "form-action 'self'",
    ):
        assert directive in policy
    assert "unsafe-inline" not in policy
    assert "https:" not in policy


async def test_sign_in_providers_may_receive_the_sign_in_form() -> None:
    from server.middleware import content_security_policy

    policy = content_security_policy(["https://auth.login.nhs.uk"])
    assert "form-action 'self' https://auth.login.nhs.uk" in policy


async def test_graphiql_in_development_has_its_own_policy_still_unframeable(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    csp = response.headers["content-security-policy"]
    assert "https://unpkg.com" in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["content-security-policy"].count("default-src") == 1


async def test_pages_load_no_inline_script(client: httpx.AsyncClient) -> None:
    html = (await client.get("/auth/sign-in")).text
    for chunk in html.split("<script")[1:]:
        opening, _, rest = chunk.partition(">")
        assert "src=" in opening, chunk[:200]
        assert rest.startswith("</script>"), chunk[:200]
    assert "<style" not in html
    assert " style=" not in html
