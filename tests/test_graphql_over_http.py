"""GraphQL over HTTP as the spec says: GET queries with a bearer token (never the
cookie, never a mutation), application/graphql-response+json with its status codes,
batches within a limit, a body limit, a time budget; and the npm graphql-http audit
against the started app reads 0 errors and 0 warnings."""

from __future__ import annotations

import asyncio
import json
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.http_browser import Browser
from tests.scoreboard import record
from tests.servers import serving
from tests.support import Api, World

ROOT = Path(__file__).resolve().parent.parent
GR = "application/graphql-response+json"


async def test_the_graphql_http_audit_passes_with_no_errors_or_warnings(
    api: Api, app: Starlette
) -> None:
    node = shutil.which("node")
    assert node, "node is needed for the GraphQL over HTTP audit"
    assert (ROOT / "node_modules" / "graphql-http").exists(), "run npm ci"
    world = await World(api).build()
    async with serving(app) as url:
        process = await asyncio.create_subprocess_exec(
            node,
            str(ROOT / "tests" / "graphql_http_audit.mjs"),
            url,
            world.board.token,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            cwd=ROOT,
        )
        out, err = await asyncio.wait_for(process.communicate(), timeout=120)
    assert process.returncode == 0, err.decode()
    summary = json.loads(out)
    record("graphql_http_audit", summary)
    assert summary["problems"] == []
    assert (summary["error"], summary["warn"]) == (0, 0)
    assert summary["ok"] == summary["total"] > 50


async def test_a_query_over_get_runs_with_a_bearer_token(api: Api) -> None:
    world = await World(api).build()
    response = await api.client.get(
        "/graphql",
        params={
            "query": "query($slug: String!) { area(slug: $slug) { name } }",
            "variables": json.dumps({"slug": "willenhall"}),
        },
        headers={"Authorization": f"Bearer {world.board.token}", "Accept": GR},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GR)
    assert response.json() == {"data": {"area": {"name": "Willenhall"}}}


async def test_the_cookie_does_not_count_on_get(api: Api, browser: Browser) -> None:
    await World(api).build()
    await browser.register("sam@example.org", name="Sam")
    response = await browser.client.get(
        "/graphql",
        params={"query": "{ viewer { displayName } }"},
        headers={"Origin": browser.origin, "Accept": "application/json"},
    )
    assert response.json() == {"data": {"viewer": None}}
    posted = await browser.graphql("{ viewer { displayName } }")
    assert posted.json() == {"data": {"viewer": {"displayName": "Sam"}}}


@pytest.mark.parametrize(
    ("accept", "status", "has_data"),
    [(GR, 400, False), ("application/json", 200, True), ("*/*", 200, True)],
)
async def test_a_validation_failure_follows_the_accepted_media_type(
    api: Api, accept: str, status: int, has_data: bool
) -> None:
    world = await World(api).build()
    response = await api.client.post(
        "/graphql",
        json={"query": "{ noSuchField }"},
        headers={"Authorization": f"Bearer {world.board.token}", "Accept": accept},
    )
    assert response.status_code == status
    assert ("data" in response.json()) is has_data
    assert response.json()["errors"]


async def test_a_field_error_keeps_data_and_200_under_graphql_response_json(api: Api) -> None:
    response = await api.client.post(
        "/graphql", json={"query": "{ __typename areas { name } }"}, headers={"Accept": GR}
    )
    assert response.status_code == 200
    body = response.json()
    assert body["data"] is None or "__typename" in body["data"]
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["path"] == ["areas"]


async def test_an_unacceptable_accept_header_is_406(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ __typename }"}, headers={"Accept": "text/csv"}
    )
    assert response.status_code == 406


async def test_a_batch_runs_each_operation_up_to_the_limit(api: Api) -> None:
    world = await World(api).build()
    headers = {"Authorization": f"Bearer {world.board.token}"}
    batch = [{"query": "{ __typename }"}, {"query": '{ area(slug: "willenhall") { name } }'}]
    response = await api.client.post("/graphql", json=batch, headers=headers)
    assert response.status_code == 200
    assert response.json() == [
        {"data": {"__typename": "Query"}},
        {"data": {"area": {"name": "Willenhall"}}},
    ]
    too_many = await api.client.post(
        "/graphql", json=[{"query": "{ __typename }"}] * 11, headers=headers
    )
    assert too_many.status_code == 400
    assert too_many.json()["errors"][0]["extensions"]["code"] == "BATCH_TOO_LARGE"


async def test_a_body_over_the_limit_is_413_before_it_is_read(client: httpx.AsyncClient) -> None:
    padding = "x" * (1024 * 1024 + 1)
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": "{ __typename }", "variables": {"pad": padding}}),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "REQUEST_TOO_LARGE"


async def test_a_body_over_the_limit_without_a_length_is_413(client: httpx.AsyncClient) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(40):
            yield b"x" * 32_768

    response = await client.post(
        "/graphql", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 413


async def test_a_request_past_its_time_budget_is_stopped_with_a_clear_error(
    api: Api, app: Starlette, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from schema.http import GraphQLHTTP
    from server.areas import repository

    world = await World(api).build()
    endpoint = next(r.endpoint for r in app.routes if getattr(r, "path", "") == "/graphql")  # type: ignore[attr-defined]
    assert isinstance(endpoint, GraphQLHTTP)
    monkeypatch.setattr(endpoint, "timeout", 0.5)
    original = repository.all_areas

    async def slow(session: AsyncSession) -> object:
        # Stands in for any slow read: one held up behind a lock, a city-sized tally.
        await session.execute(text("SELECT pg_sleep(30)"))
        return await original(session)

    monkeypatch.setattr(repository, "all_areas", slow)
    started = asyncio.get_running_loop().time()
    response = await api.client.post(
        "/graphql",
        json={"query": "{ areas { name } }"},
        headers={"Authorization": f"Bearer {world.board.token}", "Accept": GR},
    )
    elapsed = asyncio.get_running_loop().time() - started
    assert response.status_code == 503
    assert response.json()["errors"][0]["extensions"]["code"] == "TIMEOUT"
    assert elapsed < 10
    monkeypatch.setattr(repository, "all_areas", original)
    # The worker is free again at once: the next request answers normally.
    again = await api.post("{ areas { name } }", token=world.board.token)
    assert again.json()["data"]["areas"]
