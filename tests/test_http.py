"""The HTTP surface: GraphQL over HTTP rules, credentials, health."""

from __future__ import annotations

import httpx

from tests.support import Api, World


async def test_unknown_token_is_401_with_a_graphql_error_body(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": "Bearer lg_nope_nope"},
    )
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_non_bearer_authorization_is_401(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/graphql", json={"query": "{ viewer { id } }"}, headers={"Authorization": "Basic abc"}
    )
    assert response.status_code == 401


async def test_expired_token_is_401(api: Api) -> None:
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from server.auth.models import ApiToken

    world = await World(api).build()
    await api.run(
        lambda s: s.execute(
            update(ApiToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
        )
    )
    response = await api.post("{ viewer { id } }", token=world.board.token)
    assert response.status_code == 401


async def test_mutations_are_refused_over_get(api: Api) -> None:
    world = await World(api).build()
    response = await api.client.get(
        "/graphql",
        params={
            "query": 'mutation { createCoreTeam(input: {areaSlug: "willenhall", name: "X"}) { errors { code } } }'
        },
        headers={"Authorization": f"Bearer {world.admin.token}", "Accept": "application/json"},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    data = await api.data('{ area(slug: "willenhall") { coreTeams { name } } }', as_=world.board)
    assert data["area"]["coreTeams"] == []


async def test_form_encoded_posts_are_refused(api: Api) -> None:
    world = await World(api).build()
    response = await api.client.post(
        "/graphql",
        data={
            "query": 'mutation { createCoreTeam(input: {areaSlug: "willenhall", name: "X"}) { errors { code } } }'
        },
        headers={"Authorization": f"Bearer {world.admin.token}"},
    )
    assert response.status_code in (400, 415)
    data = await api.data('{ area(slug: "willenhall") { coreTeams { name } } }', as_=world.board)
    assert data["area"]["coreTeams"] == []


async def test_graphiql_is_served_to_browsers(client: httpx.AsyncClient) -> None:
    response = await client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_deep_queries_are_refused(api: Api) -> None:
    world = await World(api).build()
    deep = "{ areas { " + "parent { " * 14 + "slug" + " }" * 14 + " } }"
    body = await api.gql(deep, as_=world.board)
    assert body["errors"][0]["extensions"] == {"code": "QUERY_TOO_COMPLEX", "limit": 12}


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).text == "ok"
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}


async def test_unexpected_errors_are_masked(api: Api) -> None:
    """A resolver bug must not leak internals: the message is generic."""
    from graphql import GraphQLError

    from schema import _unexpected

    assert _unexpected(GraphQLError("boom", original_error=RuntimeError("secret")))
    assert not _unexpected(GraphQLError("Sign in"))
