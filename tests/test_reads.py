"""What each viewer may read: open by default, restricted where the contract says."""

from __future__ import annotations

import pytest

from server.people.models import PersonKind, Role
from tests.support import Api, Someone, World

STORY = "query($id: ID!) { node(id: $id) { ... on Story { tellerPseudonym body withdrawn consentScope } } }"


async def _story(api: Api, world: World, scope: str) -> str:
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
            as_=world.facilitator,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    story = (
        await api.ok(
            "addStory",
            {
                "conversationId": conversation,
                "tellerPseudonym": "Sam",
                "body": "My dog got me out of the house.",
                "consentScope": scope,
            },
            as_=world.facilitator,
            returning="story { id }",
        )
    )["story"]["id"]
    return str(story)


@pytest.mark.parametrize(
    ("scope", "readers", "not_readers"),
    [
        ("PUBLIC", ["resident", "board", "outsider"], []),
        ("PARTICIPANTS", ["resident", "facilitator", "admin"], ["board", "outsider"]),
        ("FACILITATORS", ["facilitator", "admin"], ["resident", "board", "outsider"]),
    ],
)
async def test_story_body_follows_its_consent_scope(
    api: Api, scope: str, readers: list[str], not_readers: list[str]
) -> None:
    world = await World(api).build()
    story = await _story(api, world, scope)
    for name in readers:
        node = (await api.data(STORY, {"id": story}, as_=getattr(world, name)))["node"]
        assert node["body"] == "My dog got me out of the house.", name
    for name in not_readers:
        node = (await api.data(STORY, {"id": story}, as_=getattr(world, name)))["node"]
        assert node == {
            "tellerPseudonym": "Sam",
            "body": None,
            "withdrawn": False,
            "consentScope": scope,
        }, name


async def test_withdrawn_story_keeps_its_links_but_not_its_words(api: Api) -> None:
    world = await World(api).build()
    story = await _story(api, world, "PUBLIC")
    proposal = (
        await api.ok(
            "proposeItem",
            {"areaSlug": "willenhall", "title": "Dog walks", "description": "D", "storyId": story},
            as_=world.resident,
            returning="proposal { id }",
        )
    )["proposal"]["id"]
    await api.ok(
        "withdrawStory", {"storyId": story}, as_=world.facilitator, returning="story { id }"
    )
    node = (await api.data(STORY, {"id": story}, as_=world.admin))["node"]
    assert (node["body"], node["withdrawn"]) == (None, True)
    linked = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Proposal { originStory { id body } } } }",
        {"id": proposal},
        as_=world.admin,
    )
    assert linked["node"]["originStory"] == {"id": story, "body": None}


async def test_join_code_is_shown_to_facilitators_of_the_area_only(api: Api) -> None:
    world = await World(api).build()
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "P"},
            as_=world.facilitator,
            returning="conversation { id joinCode }",
        )
    )["conversation"]
    query = "query($id: ID!) { node(id: $id) { ... on Conversation { joinCode } } }"
    for viewer in (world.facilitator, world.admin):
        data = await api.data(query, {"id": conversation["id"]}, as_=viewer)
        assert data["node"]["joinCode"] == conversation["joinCode"]
    for viewer in (world.resident, world.board, world.outsider):
        assert (await api.data(query, {"id": conversation["id"]}, as_=viewer))["node"][
            "joinCode"
        ] is None


async def test_kind_is_visible_to_self_and_admins_only(api: Api) -> None:
    world = await World(api).build()
    query = (
        "query($id: ID!) { node(id: $id) { ... on Person { displayName kind roles { role } } } }"
    )
    own = await api.data(query, {"id": world.gp.id}, as_=world.gp)
    assert own["node"] == {
        "displayName": "Gita GP",
        "kind": "PROFESSIONAL",
        "roles": [{"role": "PARTICIPANT"}],
    }
    assert (await api.data(query, {"id": world.gp.id}, as_=world.admin))["node"][
        "kind"
    ] == "PROFESSIONAL"
    for viewer in (world.resident, world.facilitator, world.board):
        node = (await api.data(query, {"id": world.gp.id}, as_=viewer))["node"]
        assert node == {"displayName": "Gita GP", "kind": None, "roles": None}


async def test_an_admin_elsewhere_does_not_see_kind(api: Api) -> None:
    world = await World(api).build()
    tile_hill_admin = await api.someone(roles=[(Role.ADMIN, "tile-hill")])
    query = "query($id: ID!) { node(id: $id) { ... on Person { kind } } }"
    assert (await api.data(query, {"id": world.gp.id}, as_=tile_hill_admin))["node"]["kind"] is None


async def test_lanyards_off_nothing_about_others_leaks(api: Api) -> None:
    """Walk every reachable field about other people: no kind, role or email shows."""
    world = await World(api).build()
    consultant = await api.someone(
        "Connie Consultant",
        kind=PersonKind.PROFESSIONAL,
        roles=[(Role.PARTICIPANT, "willenhall")],
        email="connie@nhs.example",
    )
    proposal = await world.proposal("Gardening", by=consultant)
    await api.ok(
        "addComment",
        {"subjectId": proposal, "body": "I can help."},
        as_=consultant,
        returning="comment { id }",
    )
    round_id = await world.round([proposal], resultVisibility="LIVE")
    await world.cast(round_id, consultant, {"proposalId": proposal})
    person_fields = "id displayName kind roles { role area { slug } }"
    # One area at a time: every area's rounds and results in one request is over the
    # cost limit (schema/limits.py).
    query = f"""query($slug: String!) {{ area(slug: $slug) {{
        proposals {{ edges {{ node {{ author {{ {person_fields} }}
        comments {{ edges {{ node {{ author {{ {person_fields} }} }} }} }} }} }} }}
        votingRounds {{ myBallot {{ entries {{ proposal {{ author {{ {person_fields} }} }} }} }}
        results {{ rows {{ proposal {{ author {{ {person_fields} }} }} }} }} }} }} }}"""
    bodies = [
        await api.gql(query, {"slug": slug}, as_=world.resident)
        for slug in ("coventry", "willenhall", "tile-hill")
    ]
    text = str(bodies)
    assert all("errors" not in body for body in bodies), bodies
    assert "Connie Consultant" in text
    for secret in ("PROFESSIONAL", "PARTICIPANT", "connie@nhs.example", "nhs.example"):
        assert secret not in text, secret


async def test_unauthenticated_may_read_only_viewer_and_typename(api: Api) -> None:
    await World(api).build()
    body = await api.gql("{ __typename viewer { id } }")
    assert body == {"data": {"__typename": "Query", "viewer": None}}
    for query in (
        "{ areas { slug } }",
        '{ area(slug: "willenhall") { name } }',
        '{ node(id: "x") { id } }',
    ):
        body = await api.gql(query)
        assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED", query
        assert body["data"] in (None, {"area": None}, {"node": None})


async def test_node_of_unknown_or_foreign_id_is_null(api: Api) -> None:
    world = await World(api).build()
    for bogus in ("nonsense", "QXJlYTo5OTk5", "TmVtbzox"):
        assert (
            await api.data(
                "query($id: ID!) { node(id: $id) { id } }", {"id": bogus}, as_=world.board
            )
        )["node"] is None


async def test_node_finds_every_kind_of_object(api: Api) -> None:
    world = await World(api).build()
    for gid, typename in ((world.willenhall, "Area"), (world.resident.id, "Person")):
        data = await api.data(
            "query($id: ID!) { node(id: $id) { __typename id } }", {"id": gid}, as_=world.board
        )
        assert data["node"] == {"__typename": typename, "id": gid}


async def test_board_reads_the_whole_city(api: Api) -> None:
    world = await World(api).build()
    await world.proposal("Willenhall idea")
    outsider_idea = await api.ok(
        "proposeItem",
        {"areaSlug": "tile-hill", "title": "Tile Hill idea", "description": "D"},
        as_=world.outsider,
        returning="proposal { id }",
    )
    data = await api.data(
        "{ areas { slug proposals { totalCount edges { node { title } } } } }", as_=world.board
    )
    titles = {
        a["slug"]: [e["node"]["title"] for e in a["proposals"]["edges"]] for a in data["areas"]
    }
    assert titles["willenhall"] == ["Willenhall idea"]
    assert titles["tile-hill"] == ["Tile Hill idea"]
    assert outsider_idea["errors"] == []


async def _someone_reads(api: Api, who: Someone) -> None:
    assert (await api.data("{ viewer { id } }", as_=who))["viewer"]["id"] == who.id
