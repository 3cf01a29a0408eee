"""Every reference in a mutation's input is checked against the target area and the
actor's reach: an idea cannot be attached to another area's conversation through its
story, and a core team takes only people taking part in its area."""

from __future__ import annotations

from server.people.models import Role
from tests.support import Api, World


async def _tile_hill_story(api: Api, world: World) -> tuple[str, str]:
    tile_hill_facilitator = await api.someone(roles=[(Role.FACILITATOR, "tile-hill")])
    conversation = await api.ok(
        "startConversation",
        {"areaSlug": "tile-hill", "title": "Tile Hill talks", "prompt": "What helps?"},
        as_=tile_hill_facilitator,
        returning="conversation { id }",
    )
    conversation_id = conversation["conversation"]["id"]
    story = await api.ok(
        "addStory",
        {
            "conversationId": conversation_id,
            "tellerPseudonym": "T",
            "body": "Private to facilitators.",
            "consentScope": "FACILITATORS",
        },
        as_=tile_hill_facilitator,
        returning="story { id }",
    )
    return conversation_id, story["story"]["id"]


async def test_an_idea_cannot_reach_another_areas_conversation_through_its_story(
    api: Api,
) -> None:
    world = await World(api).build()
    conversation_id, story_id = await _tile_hill_story(api, world)
    refused = await api.error(
        "proposeItem",
        {
            "areaSlug": "willenhall",
            "title": "Borrowed",
            "description": "From elsewhere.",
            "storyId": story_id,
        },
        as_=world.resident,
    )
    assert refused["code"] == "INVALID_INPUT"
    assert refused["field"] == ["storyId"]
    listed = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Conversation { proposals { id } } } }",
        {"id": conversation_id},
        as_=world.admin,
    )
    assert listed["node"]["proposals"] == []


async def test_a_core_team_takes_only_people_taking_part_in_its_area(api: Api) -> None:
    world = await World(api).build()
    team = await api.ok(
        "createCoreTeam",
        {"areaSlug": "willenhall", "name": "Walkers"},
        as_=world.facilitator,
        returning="team { id }",
    )
    team_id = team["team"]["id"]
    for stranger in (world.outsider, await api.someone("Nobody Anywhere")):
        refused = await api.error(
            "addTeamMember", {"teamId": team_id, "personId": stranger.id}, as_=world.facilitator
        )
        assert refused["code"] == "NOT_FOUND"
        assert refused["field"] == ["personId"]
    await api.ok(
        "addTeamMember",
        {"teamId": team_id, "personId": world.gp.id},
        as_=world.facilitator,
        returning="team { id }",
    )
