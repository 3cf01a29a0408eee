"""The participatory loop, end to end through GraphQL over HTTP:
area -> conversation -> story -> proposal -> comments -> round -> ballots -> results ->
priorities -> adopted action -> progress updates -> the board reads it."""

from __future__ import annotations

from server.people.models import PersonKind
from tests.support import Api, World


async def test_the_whole_loop(api: Api) -> None:
    world = await World(api).build()
    created = await api.ok(
        "createArea",
        {"name": "Foleshill", "slug": "foleshill", "parentSlug": "coventry"},
        as_=world.admin,
        returning="area { slug name parent { slug } }",
    )
    assert created["area"] == {
        "slug": "foleshill",
        "name": "Foleshill",
        "parent": {"slug": "coventry"},
    }

    conversation = (
        await api.ok(
            "startConversation",
            {
                "areaSlug": "willenhall",
                "title": "Big Conversation",
                "prompt": "What keeps you well?",
                "location": "Community centre",
            },
            as_=world.facilitator,
            returning="conversation { id status joinCode prompt }",
        )
    )["conversation"]
    assert conversation["status"] == "OPEN"
    assert len(conversation["joinCode"]) == 6

    story = (
        await api.ok(
            "addStory",
            {
                "conversationId": conversation["id"],
                "tellerPseudonym": "Sam",
                "body": "What helped was people, not services.",
                "consentScope": "PUBLIC",
            },
            as_=world.facilitator,
            returning="story { id body tellerPseudonym withdrawn }",
        )
    )["story"]
    assert story["body"] == "What helped was people, not services."

    walking = (
        await api.ok(
            "proposeItem",
            {
                "areaSlug": "willenhall",
                "title": "A walking group",
                "description": "Twice a week from the centre.",
                "conversationId": conversation["id"],
            },
            as_=world.resident,
            returning="proposal { id status origin { id } author { displayName } }",
        )
    )["proposal"]
    assert walking["origin"] == {"id": conversation["id"]}
    assert walking["author"] == {"displayName": "Rita Resident"}
    drop_in = await world.proposal("A drop-in, no appointment", by=world.gp)
    garden = await world.proposal("A community garden")

    comment = (
        await api.ok(
            "addComment",
            {"subjectId": walking["id"], "body": "I'd come with my dog."},
            as_=world.gp,
            returning="comment { id }",
        )
    )["comment"]
    await api.ok(
        "addComment",
        {"subjectId": walking["id"], "parentId": comment["id"], "body": "Dogs welcome!"},
        as_=world.resident,
        returning="comment { id }",
    )

    round_id = await world.round([walking["id"], drop_in, garden], method="DOTS", dotsPerPerson=5)
    residents = await world.voters(5)
    professionals = await world.voters(5, PersonKind.PROFESSIONAL)
    for voter in residents:
        await world.cast(
            round_id,
            voter,
            {"proposalId": walking["id"], "points": 3},
            {"proposalId": garden, "points": 2},
        )
    for voter in professionals:
        await world.cast(
            round_id,
            voter,
            {"proposalId": drop_in, "points": 4},
            {"proposalId": walking["id"], "points": 1},
        )
    await world.close(round_id)

    results = (
        await api.data(
            """query($id: ID!) { node(id: $id) { ... on VotingRound { state turnout
                results { turnout snapshotHash rows { rank score supporters proposal { id } }
                          byKind { kind voters rows { rank proposal { id } } } } } } }""",
            {"id": round_id},
            as_=world.board,
        )
    )["node"]
    assert results["state"] == "CLOSED"
    assert results["turnout"] == 10
    rows = results["results"]["rows"]
    assert [(r["proposal"]["id"], r["score"], r["supporters"]) for r in rows] == [
        (walking["id"], 20.0, 10),
        (drop_in, 20.0, 5),
        (garden, 10.0, 5),
    ]
    assert [r["rank"] for r in rows] == [1, 2, 3]
    assert len(results["results"]["snapshotHash"]) == 64
    by_kind = {b["kind"]: b for b in results["results"]["byKind"]}
    assert by_kind["RESIDENT"]["voters"] == 5
    assert by_kind["PROFESSIONAL"]["rows"][0]["proposal"]["id"] == drop_in

    team = (
        await api.ok(
            "createCoreTeam",
            {"areaSlug": "willenhall", "name": "Willenhall core team"},
            as_=world.facilitator,
            returning="team { id }",
        )
    )["team"]
    await api.ok(
        "addTeamMember",
        {"teamId": team["id"], "personId": world.resident.id},
        as_=world.facilitator,
        returning="team { members { displayName } }",
    )
    action = (
        await api.ok(
            "adoptPriority",
            {"roundId": round_id, "proposalId": walking["id"], "teamId": team["id"]},
            as_=world.facilitator,
            returning="action { id title status team { name } proposal { status } round { id } }",
        )
    )["action"]
    assert action["title"] == "A walking group"
    assert action["proposal"]["status"] == "ADOPTED"
    update = (
        await api.ok(
            "postUpdate",
            {
                "actionId": action["id"],
                "kind": "PROGRESS",
                "body": "First walk done: nine came.",
                "percentComplete": 25,
                "status": "IN_PROGRESS",
            },
            as_=world.resident,
            returning="update { kind body author { displayName } action { status percentComplete } }",
        )
    )["update"]
    assert update["action"] == {"status": "IN_PROGRESS", "percentComplete": 25}

    board_view = await api.data(
        """{ area(slug: "coventry") { priorities(includeChildren: true) {
               rank proposal { title commentCount } action { status updates { body } } } } }""",
        as_=world.board,
    )
    first = board_view["area"]["priorities"][0]
    assert first["rank"] == 1
    assert first["proposal"] == {"title": "A walking group", "commentCount": 2}
    assert first["action"]["updates"] == [{"body": "First walk done: nine came."}]
    assert board_view["area"]["priorities"][1]["action"] is None
