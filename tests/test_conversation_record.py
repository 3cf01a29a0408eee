"""A conversation's record: when and where, who ran it, the room's headcount beside the
people who took part online, its closing summary, and everything it produced."""

from __future__ import annotations

from tests.support import Api, World

RECORD = """query($id: ID!) { node(id: $id) { ... on Conversation {
  startsAt location headcount participantCount closingSummary
  facilitators { displayName }
  stories { tellerPseudonym } answers { totalCount } proposals { title }
  rounds { title state } actions { title }
} } }"""


async def test_the_record_holds_everything_the_conversation_produced(api: Api) -> None:
    world = await World(api).build()
    conversation = (
        await api.ok(
            "startConversation",
            {
                "areaSlug": "willenhall",
                "title": "At the library",
                "prompt": "What keeps you well?",
                "location": "Willenhall Library",
            },
            as_=world.facilitator,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    await api.ok(
        "addStory",
        {
            "conversationId": conversation,
            "tellerPseudonym": "Mary",
            "body": "Walking saved me.",
            "consentScope": "PUBLIC",
        },
        as_=world.facilitator,
        returning="story { id }",
    )
    for voter in (world.resident, world.gp):
        await api.ok(
            "addAnswer",
            {"conversationId": conversation, "body": "Friends"},
            as_=voter,
            returning="answer { id }",
        )
    idea = (
        await api.ok(
            "proposeItem",
            {
                "areaSlug": "willenhall",
                "title": "Walking group",
                "description": "Weekly.",
                "conversationId": conversation,
            },
            as_=world.resident,
            returning="proposal { id }",
        )
    )["proposal"]["id"]
    voting_round = await world.round([idea])
    await world.cast(voting_round, world.gp, {"proposalId": idea})
    await world.close(voting_round)
    await api.ok(
        "adoptPriority",
        {"roundId": voting_round, "proposalId": idea, "title": "Start the walking group"},
        as_=world.facilitator,
        returning="action { id }",
    )
    co_host = await api.someone("Cal Cohost", roles=[])
    updated = await api.ok(
        "updateConversation",
        {
            "conversationId": conversation,
            "headcount": 34,
            "closingSummary": "We agreed to start walking together.",
            "facilitatorIds": [world.facilitator.id, world.admin.id],
        },
        as_=world.facilitator,
        returning="conversation { headcount closingSummary }",
    )
    assert updated["conversation"] == {
        "headcount": 34,
        "closingSummary": "We agreed to start walking together.",
    }
    record = (await api.data(RECORD, {"id": conversation}, as_=world.board))["node"]
    assert record == {
        "startsAt": None,
        "location": "Willenhall Library",
        "headcount": 34,
        "participantCount": 2,
        "closingSummary": "We agreed to start walking together.",
        "facilitators": [{"displayName": "Ada Admin"}, {"displayName": "Fay Facilitator"}],
        "stories": [{"tellerPseudonym": "Mary"}],
        "answers": {"totalCount": 0},
        "proposals": [{"title": "Walking group"}],
        "rounds": [{"title": "Which first?", "state": "CLOSED"}],
        "actions": [{"title": "Start the walking group"}],
    }
    not_a_facilitator = await api.error(
        "updateConversation",
        {"conversationId": conversation, "facilitatorIds": [co_host.id]},
        as_=world.facilitator,
    )
    assert (not_a_facilitator["code"], not_a_facilitator["field"]) == (
        "INVALID_INPUT",
        ["facilitatorIds", "0"],
    )


async def test_a_headcount_must_be_a_sensible_number(api: Api) -> None:
    world = await World(api).build()
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
            as_=world.facilitator,
            returning="conversation { id headcount facilitators { displayName } }",
        )
    )["conversation"]
    assert conversation["headcount"] is None
    assert conversation["facilitators"] == [{"displayName": "Fay Facilitator"}]
    for bad in (-1, 100_001):
        error = await api.error(
            "updateConversation",
            {"conversationId": conversation["id"], "headcount": bad},
            as_=world.facilitator,
        )
        assert (error["code"], error["field"]) == ("INVALID_INPUT", ["headcount"])
