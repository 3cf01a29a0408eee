"""Production mode: no GraphiQL, no field suggestions, and no introspection except for
tokens given the `introspect` scope."""

from __future__ import annotations

import gc

import httpx
import pytest

from server.access import Scope
from server.config import Environment, Settings
from tests.support import Api, World

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"env": Environment.PRODUCTION})


async def test_introspection_is_only_for_tokens_allowed_it(api: Api) -> None:
    assert api.app.state.settings.is_production
    world = await World(api).build()
    refused = await api.post(INTROSPECTION, token=world.board.token)
    assert "introspection" in refused.json()["errors"][0]["message"].lower()
    token = await api.token(world.board, Scope.READ, Scope.INTROSPECT)
    allowed = await api.post(INTROSPECTION, token=token)
    assert allowed.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_no_graphiql_in_production(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404


async def test_a_document_introspected_by_an_allowed_token_stays_refused_to_others(
    api: Api,
) -> None:
    # Documents are validated once per process and the answer kept: keyed by the rules
    # in force, so a token allowed introspection does not open it for the next one.
    world = await World(api).build()
    token = await api.token(world.board, Scope.READ, Scope.INTROSPECT)
    for _ in range(2):
        allowed = await api.post(INTROSPECTION, token=token)
        assert allowed.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
        refused = await api.post(INTROSPECTION, token=world.board.token)
        assert "introspection" in refused.json()["errors"][0]["message"].lower()


async def test_what_a_production_app_built_to_serve_is_frozen(api: Api) -> None:
    # The schema, mappers and modules live as long as the process: frozen, the
    # collector's full passes stop walking them on every long read.
    assert api.app.state.settings.is_production
    assert gc.get_freeze_count() > 0
