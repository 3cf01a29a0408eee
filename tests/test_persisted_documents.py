"""Persisted documents: registered with `levelground queries register`, listed and
revocable, sent by hash; a persisted-only token runs nothing else; the example board
client works with one."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx

from server.access import Scope
from tests.servers import serving
from tests.support import Api, World
from tests.test_board_report_example import _report
from tests.test_cli import run

AREA_NAME = "query AreaName($slug: String!) { area(slug: $slug) { name } }\n"
DOCUMENT_ID = "sha256:" + hashlib.sha256(AREA_NAME.encode()).hexdigest()


def _register(database_url: str, tmp_path: Path, text: str = AREA_NAME) -> str:
    file = tmp_path / "area_name.graphql"
    file.write_text(text)
    registered = run(database_url, "queries", "register", str(file))
    assert registered.returncode == 0, registered.stderr
    return registered.stdout.strip()


async def _by_id(client: httpx.AsyncClient, token: str, document_id: str) -> httpx.Response:
    return await client.post(
        "/graphql",
        json={"documentId": document_id, "variables": {"slug": "willenhall"}},
        headers={"Authorization": f"Bearer {token}"},
    )


async def test_a_registered_document_runs_by_its_id(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    world = await World(api).build()
    assert _register(database_url, tmp_path) == DOCUMENT_ID
    response = await _by_id(api.client, world.board.token, DOCUMENT_ID)
    assert response.json() == {"data": {"area": {"name": "Willenhall"}}}
    apollo = await api.client.post(
        "/graphql",
        json={
            "variables": {"slug": "willenhall"},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": DOCUMENT_ID[7:]}},
        },
        headers={"Authorization": f"Bearer {world.board.token}"},
    )
    assert apollo.json() == {"data": {"area": {"name": "Willenhall"}}}
    listed = run(database_url, "queries", "list")
    assert DOCUMENT_ID in listed.stdout
    assert "live  AreaName" in listed.stdout


async def test_registering_refuses_a_document_the_schema_cannot_run(
    database_url: str, tmp_path: Path
) -> None:
    file = tmp_path / "bad.graphql"
    file.write_text("{ noSuchField }")
    refused = run(database_url, "queries", "register", str(file))
    assert refused.returncode == 2
    assert "noSuchField" in refused.stderr
    assert "Traceback" not in refused.stderr


async def test_a_revoked_document_is_refused_at_once(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    world = await World(api).build()
    document_id = _register(database_url, tmp_path)
    revoked = run(database_url, "queries", "revoke", document_id[:15])
    assert revoked.returncode == 0, revoked.stderr
    response = await _by_id(api.client, world.board.token, document_id)
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert "revoked" in run(database_url, "queries", "list").stdout


async def test_a_persisted_only_token_runs_registered_documents_and_nothing_else(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    world = await World(api).build()
    token = await api.token(world.board, Scope.READ, Scope.PERSISTED_ONLY)
    document_id = _register(database_url, tmp_path)
    assert (await _by_id(api.client, token, document_id)).json() == {
        "data": {"area": {"name": "Willenhall"}}
    }
    as_text = await api.client.post(
        "/graphql",
        json={"query": AREA_NAME, "variables": {"slug": "willenhall"}},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert as_text.status_code == 403
    assert as_text.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    over_get = await api.client.get(
        "/graphql",
        params={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert over_get.status_code == 403


async def test_the_board_client_runs_with_a_persisted_only_token(api: Api) -> None:
    from tests.plan_support import Plan
    from tests.test_board_report_example import register_board_paper

    plan = await Plan.build(api)
    await register_board_paper(api)
    token = await api.token(plan.world.board, Scope.READ, Scope.PERSISTED_ONLY)
    async with serving(api.app) as url:
        code, out, err = await _report(url, "coventry", "--token", token)
        refused = await _report(url, "coventry", "--token", token, "--send-text")
    assert code == 0, err
    assert out.startswith("Board report: Coventry")
    assert refused[0] == 1
    assert "registered documents" in refused[2]
