"""Production mode: no GraphiQL, no field suggestions, and no introspection except for
tokens given the `introspect` scope."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.access import Scope
from server.auth import tokens
from server.config import Environment, Settings
from tests.support import Api, World

INTROSPECTION = "{ __schema { queryType { name } } }"


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"env": Environment.PRODUCTION})


async def _introspecting_token(api: Api, person_id: int) -> str:
    async def work(session: AsyncSession) -> str:
        issued = await tokens.issue(
            session,
            person_id=person_id,
            name="codegen",
            scopes={Scope.READ, Scope.INTROSPECT},
            expires_in=timedelta(days=1),
        )
        return issued.plaintext

    return await api.run(work)


async def test_introspection_is_only_for_tokens_allowed_it(api: Api) -> None:
    assert api.app.state.settings.is_production
    world = await World(api).build()
    refused = await api.post(INTROSPECTION, token=world.board.token)
    assert "introspection" in refused.json()["errors"][0]["message"].lower()
    token = await _introspecting_token(api, world.board.person_id)
    allowed = await api.post(INTROSPECTION, token=token)
    assert allowed.json() == {"data": {"__schema": {"queryType": {"name": "Query"}}}}


async def test_no_graphiql_in_production(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 404
