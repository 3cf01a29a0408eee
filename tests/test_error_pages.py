"""Unknown addresses and unexpected errors answer with a page in the site's style and
the visitor's language (JSON for API clients), with a reference to quote; nothing
internal leaks and every response carries its request id."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.http_browser import Browser
from tests.support import Api, World

HTML = {"Accept": "text/html,application/xhtml+xml"}


@pytest.mark.parametrize("path", ["/no-such-page", "/facilitate/rounds/abc", "/static/nope.css"])
async def test_an_unknown_address_is_the_friendly_404_page(
    client: httpx.AsyncClient, path: str
) -> None:
    response = await client.get(path, headers=HTML)
    assert response.status_code == 404
    assert "text/html" in response.headers["content-type"]
    assert "Page not found" in response.text
    assert 'href="/static/vendor/nhsuk/nhsuk-frontend.min.css"' in response.text
    assert response.text != "Not Found"


async def test_the_404_page_speaks_polish(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-page?lang=pl", headers=HTML)
    assert response.status_code == 404
    assert '<html lang="pl">' in response.text
    assert "Nie znaleziono strony" in response.text


async def test_an_api_client_gets_json_for_an_unknown_address(client: httpx.AsyncClient) -> None:
    response = await client.get("/no-such-page", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.json()["error"] == "Page not found"


async def test_a_wrong_method_is_405_not_a_500(client: httpx.AsyncClient) -> None:
    response = await client.delete("/auth/sign-in", headers=HTML)
    assert response.status_code == 405


async def test_an_unexpected_error_is_the_500_page_with_a_reference(
    api: Api, browser: Browser, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.areas import repository

    await World(api).build()
    await browser.register("sam@example.org", name="Sam")

    async def broken(session: AsyncSession) -> object:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(repository, "all_areas", broken)
    response = await browser.client.get("/", headers=HTML)
    assert response.status_code == 500
    assert "Sorry, something went wrong" in response.text
    reference = response.headers["x-request-id"]
    assert reference in response.text
    assert "internal detail" not in response.text
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


async def test_an_unexpected_graphql_error_is_masked_with_the_request_id(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    from server.areas import repository

    world = await World(api).build()

    async def broken(session: AsyncSession) -> object:
        raise RuntimeError("internal detail that must not leak")

    monkeypatch.setattr(repository, "all_areas", broken)
    response = await api.post("{ areas { name } }", token=world.board.token)
    error = response.json()["errors"][0]
    assert error["message"] == "Unexpected error."
    assert error["extensions"] == {
        "code": "INTERNAL_SERVER_ERROR",
        "requestId": response.headers["x-request-id"],
    }
    assert "internal detail" not in response.text


async def test_a_proxy_request_id_is_kept(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz", headers={"X-Request-ID": "edge-1234abcd"})
    assert response.headers["x-request-id"] == "edge-1234abcd"
    odd = await client.get("/healthz", headers={"X-Request-ID": "<script>"})
    assert odd.headers["x-request-id"] != "<script>"
