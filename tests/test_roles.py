"""Roles per area, inherited down the tree, granted and revoked by admins (GraphQL and
the command line), with every change in the audit log that only admins read."""

from __future__ import annotations

import pytest

from server.people.models import Role
from tests.support import Api, World
from tests.test_cli import run

ROLES = "query($id: ID!) { node(id: $id) { ... on Person { roles { role area { slug } } } } }"
TEAM = 'mutation { createCoreTeam(input: {areaSlug: "willenhall", name: "T"}) { errors { code } } }'


async def test_a_role_granted_in_the_city_holds_in_its_neighbourhoods(api: Api) -> None:
    world = await World(api).build()
    newcomer = await api.someone("Nia")
    refused = await api.error(
        "createCoreTeam", {"areaSlug": "willenhall", "name": "T"}, as_=newcomer
    )
    assert refused["code"] == "FORBIDDEN"
    granted = await api.ok(
        "grantRole",
        {"personId": newcomer.id, "areaSlug": "coventry", "role": "FACILITATOR"},
        as_=world.admin,
        returning="person { id displayName }",
    )
    assert granted["person"] == {"id": newcomer.id, "displayName": "Nia"}
    await api.ok(
        "createCoreTeam",
        {"areaSlug": "willenhall", "name": "T"},
        as_=newcomer,
        returning="team { id }",
    )
    roles = (await api.data(ROLES, {"id": newcomer.id}, as_=newcomer))["node"]["roles"]
    assert roles == [{"role": "FACILITATOR", "area": {"slug": "coventry"}}]


async def test_revoking_takes_effect_at_once(api: Api) -> None:
    world = await World(api).build()
    await api.ok(
        "revokeRole",
        {"personId": world.facilitator.id, "areaSlug": "willenhall", "role": "FACILITATOR"},
        as_=world.admin,
        returning="person { id }",
    )
    body = (await api.post(TEAM, token=world.facilitator.token)).json()
    assert body["data"]["createCoreTeam"]["errors"] == [{"code": "FORBIDDEN"}]


async def test_a_role_held_higher_up_is_not_revoked_below(api: Api) -> None:
    world = await World(api).build()
    other_admin = await api.someone(roles=[(Role.ADMIN, "coventry")])
    not_here = await api.error(
        "revokeRole",
        {"personId": other_admin.id, "areaSlug": "willenhall", "role": "ADMIN"},
        as_=world.admin,
    )
    assert not_here == {
        "code": "NOT_FOUND",
        "message": "Admin role in Willenhall not found.",
        "field": ["role"],
    }


async def test_an_admin_cannot_remove_their_own_admin_role(api: Api) -> None:
    world = await World(api).build()
    refused = await api.error(
        "revokeRole",
        {"personId": world.admin.id, "areaSlug": "coventry", "role": "ADMIN"},
        as_=world.admin,
    )
    assert refused["code"] == "INVALID_STATE"


async def test_an_admin_of_a_neighbourhood_cannot_grant_in_the_city(api: Api) -> None:
    world = await World(api).build()
    local_admin = await api.someone(roles=[(Role.ADMIN, "willenhall")])
    refused = await api.error(
        "grantRole",
        {"personId": world.resident.id, "areaSlug": "coventry", "role": "ADMIN"},
        as_=local_admin,
    )
    assert refused["code"] == "FORBIDDEN"
    await api.ok(
        "grantRole",
        {"personId": world.resident.id, "areaSlug": "willenhall", "role": "FACILITATOR"},
        as_=local_admin,
        returning="person { id }",
    )


AUDIT = """query($area: String) { auditEvents(areaSlug: $area, first: 50) {
    edges { node { verb actorName subjectType subjectId occurredAt area { slug } } } } }"""


async def test_role_changes_are_audited_and_only_admins_read_the_log(api: Api) -> None:
    world = await World(api).build()
    await api.ok(
        "grantRole",
        {"personId": world.resident.id, "areaSlug": "willenhall", "role": "FACILITATOR"},
        as_=world.admin,
        returning="person { id }",
    )
    log = (await api.data(AUDIT, {"area": "willenhall"}, as_=world.admin))["auditEvents"]
    newest = log["edges"][0]["node"]
    assert newest["verb"] == "role.granted"
    assert newest["actorName"] == "Ada Admin"
    assert newest["subjectId"] == world.resident.id
    assert newest["area"] == {"slug": "willenhall"}
    for reader in (world.facilitator, world.resident, world.board):
        for area in ("willenhall", None, "coventry"):
            assert (await api.data(AUDIT, {"area": area}, as_=reader))["auditEvents"] is None
    # An admin of a neighbourhood reads its log, not the city's.
    local_admin = await api.someone(roles=[(Role.ADMIN, "tile-hill")])
    assert (await api.data(AUDIT, {"area": "tile-hill"}, as_=local_admin))[
        "auditEvents"
    ] is not None
    for area in ("willenhall", None):
        assert (await api.data(AUDIT, {"area": area}, as_=local_admin))["auditEvents"] is None


async def test_the_audit_log_pages_newest_first(api: Api) -> None:
    world = await World(api).build()
    query = """query($after: String) { auditEvents(first: 3, after: $after) {
        edges { cursor node { verb } } pageInfo { hasNextPage endCursor } } }"""
    first = (await api.data(query, {"after": None}, as_=world.admin))["auditEvents"]
    assert len(first["edges"]) == 3
    assert first["pageInfo"]["hasNextPage"] is True
    second = await api.data(query, {"after": first["pageInfo"]["endCursor"]}, as_=world.admin)
    seen = {e["cursor"] for e in first["edges"]}
    assert not seen & {e["cursor"] for e in second["auditEvents"]["edges"]}


@pytest.mark.slow
async def test_the_command_line_grants_and_revokes_roles(database_url: str, api: Api) -> None:
    await World(api).build()
    await api.someone("Cli Person", email="cli@example.org")
    granted = run(
        database_url,
        "person",
        "grant",
        "cli@example.org",
        "--role",
        "facilitator",
        "--area",
        "willenhall",
    )
    assert granted.returncode == 0, granted.stderr
    assert "Granted facilitator in willenhall" in granted.stderr
    again = run(
        database_url,
        "person",
        "grant",
        "cli@example.org",
        "--role",
        "facilitator",
        "--area",
        "willenhall",
    )
    assert "already holds" in again.stderr
    revoked = run(
        database_url,
        "person",
        "revoke",
        "cli@example.org",
        "--role",
        "facilitator",
        "--area",
        "willenhall",
    )
    assert revoked.returncode == 0, revoked.stderr
    missing = run(
        database_url,
        "person",
        "revoke",
        "cli@example.org",
        "--role",
        "facilitator",
        "--area",
        "willenhall",
    )
    assert missing.returncode == 2
    assert "not found" in missing.stderr
    nobody = run(
        database_url,
        "person",
        "grant",
        "nobody@example.org",
        "--role",
        "admin",
        "--area",
        "coventry",
    )
    assert nobody.returncode == 2
    assert "not found" in nobody.stderr
