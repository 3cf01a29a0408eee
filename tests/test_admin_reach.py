"""An admin's reach is their subtree: a person's kind and roles, and the audit events
about people, are an admin's to read only when the person's every role lies within it.
Granting someone a role does not open their kind or their roles elsewhere."""

from __future__ import annotations

from server.people.models import PersonKind, Role
from tests.http_browser import Browser
from tests.support import Api, World

PRIVATE = "query($id: ID!) { node(id: $id) { ... on Person { kind roles { role } } } }"
AUDIT = """{ auditEvents(first: 100) { edges { node { verb subjectType subjectId } } } }"""


async def _reading_area(api: Api) -> None:
    await api.area("rugby", "Rugby")


async def test_an_admin_of_another_top_level_area_cannot_read_kind_or_roles(api: Api) -> None:
    world = await World(api).build()
    await _reading_area(api)
    rugby_admin = await api.someone("Rhys", roles=[(Role.ADMIN, "rugby")])
    for person in (world.resident, world.gp):
        node = (await api.data(PRIVATE, {"id": person.id}, as_=rugby_admin))["node"]
        assert node == {"kind": None, "roles": None}
    # The admin of their own area still reads them.
    node = (await api.data(PRIVATE, {"id": world.gp.id}, as_=world.admin))["node"]
    assert node == {"kind": "PROFESSIONAL", "roles": [{"role": "PARTICIPANT"}]}


async def test_a_person_with_no_roles_is_outside_a_single_areas_reach(api: Api) -> None:
    await World(api).build()
    await _reading_area(api)
    rugby_admin = await api.someone("Rhys", roles=[(Role.ADMIN, "rugby")])
    loner = await api.someone("Lone", kind=PersonKind.PROFESSIONAL)
    node = (await api.data(PRIVATE, {"id": loner.id}, as_=rugby_admin))["node"]
    assert node == {"kind": None, "roles": None}
    # An admin of every top-level area oversees everyone.
    everywhere = await api.someone("Eve", roles=[(Role.ADMIN, "rugby"), (Role.ADMIN, "coventry")])
    node = (await api.data(PRIVATE, {"id": loner.id}, as_=everywhere))["node"]
    assert node == {"kind": "PROFESSIONAL", "roles": []}


async def test_granting_a_role_does_not_reveal_kind_or_roles_held_elsewhere(api: Api) -> None:
    world = await World(api).build()
    await _reading_area(api)
    rugby_admin = await api.someone("Rhys", roles=[(Role.ADMIN, "rugby")])
    granted = await api.ok(
        "grantRole",
        {"personId": world.gp.id, "areaSlug": "rugby", "role": "PARTICIPANT"},
        as_=rugby_admin,
        returning="person { displayName kind roles { role area { slug } } }",
    )
    assert granted["person"] == {"displayName": "Gita GP", "kind": None, "roles": None}
    node = (await api.data(PRIVATE, {"id": world.gp.id}, as_=rugby_admin))["node"]
    assert node == {"kind": None, "roles": None}


async def test_the_audit_log_holds_only_events_about_people_within_reach(
    api: Api, browser: Browser
) -> None:
    world = await World(api).build()
    await _reading_area(api)
    rugby_admin = await api.someone("Rhys", roles=[(Role.ADMIN, "rugby")])
    rugby_resident = await api.someone("Rae", roles=[(Role.PARTICIPANT, "rugby")])
    await browser.register("newcomer@example.org", name="Nia")  # no role anywhere
    edges = (await api.data(AUDIT, as_=rugby_admin))["auditEvents"]["edges"]
    people = {e["node"]["subjectId"] for e in edges if e["node"]["subjectType"] == "Person"}
    assert rugby_resident.id in people
    assert world.resident.id not in people
    assert world.admin.id not in people
    assert all(e["node"]["verb"] != "person.registered" for e in edges)
    # Coventry's admin reads Coventry's people, not Rugby's nor the role-less newcomer.
    edges = (await api.data(AUDIT, as_=world.admin))["auditEvents"]["edges"]
    people = {e["node"]["subjectId"] for e in edges if e["node"]["subjectType"] == "Person"}
    assert world.resident.id in people
    assert rugby_resident.id not in people
    assert all(e["node"]["verb"] != "person.registered" for e in edges)
