"""What the room said: answers, themes, the theme summaries, and ideas they seed."""

from __future__ import annotations

from typing import Any

from tests.support import Api, Someone, World

Json = dict[str, Any]


async def _conversation(api: Api, world: World, area: str = "willenhall") -> str:
    payload = await api.ok(
        "startConversation",
        {"areaSlug": area, "title": "Big Conversation", "prompt": "What keeps you well?"},
        as_=world.admin if area != "willenhall" else world.facilitator,
        returning="conversation { id }",
    )
    conversation_id: str = payload["conversation"]["id"]
    return conversation_id


async def _answer(api: Api, conversation: str, body: str, as_: Someone, **extra: Any) -> str:
    payload = await api.ok(
        "addAnswer",
        {"conversationId": conversation, "body": body, **extra},
        as_=as_,
        returning="answer { id }",
    )
    answer_id: str = payload["answer"]["id"]
    return answer_id


async def _themes(api: Api, world: World, area: str = "willenhall") -> dict[str, str]:
    data = await api.data(f'{{ area(slug: "{area}") {{ themes {{ id name }} }} }}', as_=world.board)
    return {t["name"]: t["id"] for t in data["area"]["themes"]}


ANSWERS = "answers { totalCount edges { node { body fromPaper } } }"


async def test_new_areas_start_with_the_seeded_themes(api: Api) -> None:
    world = await World(api).build()
    assert set(await _themes(api, world)) == {
        "family and friends",
        "work and money",
        "housing",
        "pets",
        "groups and clubs",
        "services",
        "places to go",
        "health",
    }


async def test_participants_see_their_own_answers_and_facilitators_see_all(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    await _answer(api, conversation, "My dog", world.resident)
    await _answer(api, conversation, "Walking with friends", world.resident)
    await _answer(api, conversation, "The surgery", world.gp)
    await _answer(api, conversation, "Bingo night", world.facilitator, fromPaper=True)
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on Conversation {{ {ANSWERS} }} }} }}"
    mine = (await api.data(query, {"id": conversation}, as_=world.resident))["node"]["answers"]
    assert mine["totalCount"] == 2
    assert {e["node"]["body"] for e in mine["edges"]} == {"My dog", "Walking with friends"}
    everything = (await api.data(query, {"id": conversation}, as_=world.facilitator))["node"]
    assert everything["answers"]["totalCount"] == 4
    paper = [e["node"] for e in everything["answers"]["edges"] if e["node"]["fromPaper"]]
    assert paper == [{"body": "Bingo night", "fromPaper": True}]
    board = (await api.data(query, {"id": conversation}, as_=world.board))["node"]["answers"]
    assert board["totalCount"] == 0


async def test_only_facilitators_type_paper_cards(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    refused = await api.error(
        "addAnswer",
        {"conversationId": conversation, "body": "Cards", "fromPaper": True},
        as_=world.resident,
    )
    assert refused["code"] == "FORBIDDEN"


async def test_a_closed_conversation_takes_paper_cards_but_not_online_answers(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    await api.ok(
        "closeConversation",
        {"conversationId": conversation},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    late = await api.error(
        "addAnswer", {"conversationId": conversation, "body": "Too late"}, as_=world.resident
    )
    assert late["code"] == "INVALID_STATE"
    await _answer(api, conversation, "From the box", world.facilitator, fromPaper=True)


async def test_an_empty_or_long_answer_is_refused(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    for body in ("  ", "x" * 501):
        error = await api.error(
            "addAnswer", {"conversationId": conversation, "body": body}, as_=world.resident
        )
        assert (error["code"], error["field"]) == ("INVALID_INPUT", ["body"])


SUMMARY = "themeSummary { answers examples theme { name } }"


async def test_the_theme_summary_counts_tags_and_quotes_only_consented_answers(
    api: Api,
) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    themes = await _themes(api, world)
    tagged = [
        ("My dog Bess", True, ["pets"]),
        ("The cat", False, ["pets"]),
        ("My neighbours and my dog", True, ["pets", "family and friends"]),
    ]
    for body, may_quote, names in tagged:
        answer = await _answer(api, conversation, body, world.resident, mayQuote=may_quote)
        await api.ok(
            "tagAnswer",
            {"answerId": answer, "themeIds": [themes[n] for n in names]},
            as_=world.facilitator,
            returning="answer { themes { name } }",
        )
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on Conversation {{ {SUMMARY} }} }} }}"
    summary = (await api.data(query, {"id": conversation}, as_=world.resident))["node"][
        "themeSummary"
    ]
    rows = {row["theme"]["name"]: row for row in summary}
    assert rows["pets"]["answers"] == 3
    assert rows["pets"]["examples"] == ["My neighbours and my dog", "My dog Bess"]
    assert rows["family and friends"]["answers"] == 1
    assert rows["housing"] == {"answers": 0, "examples": [], "theme": {"name": "housing"}}
    assert summary[0]["theme"]["name"] == "pets"


async def test_hidden_answers_leave_the_summary(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    themes = await _themes(api, world)
    answer = await _answer(api, conversation, "Rude words", world.resident, mayQuote=True)
    await api.ok(
        "tagAnswer",
        {"answerId": answer, "themeIds": [themes["pets"]]},
        as_=world.facilitator,
        returning="answer { id }",
    )
    await api.ok(
        "hideContent",
        {"subjectId": answer, "reason": "Not kind"},
        as_=world.facilitator,
        returning="report { id }",
    )
    query = f"query($id: ID!) {{ node(id: $id) {{ ... on Conversation {{ {SUMMARY} }} }} }}"
    rows = (await api.data(query, {"id": conversation}, as_=world.facilitator))["node"][
        "themeSummary"
    ]
    assert next(r for r in rows if r["theme"]["name"] == "pets") == {
        "answers": 0,
        "examples": [],
        "theme": {"name": "pets"},
    }


async def test_the_city_summary_adds_up_its_areas_themes_of_the_same_name(api: Api) -> None:
    world = await World(api).build()
    for area in ("willenhall", "tile-hill"):
        conversation = await _conversation(api, world, area)
        themes = await _themes(api, world, area)
        author = world.resident if area == "willenhall" else world.outsider
        answer = await _answer(api, conversation, f"Dogs in {area}", author)
        await api.ok(
            "tagAnswer",
            {"answerId": answer, "themeIds": [themes["pets"]]},
            as_=world.admin,
            returning="answer { id }",
        )
    query = (
        '{ area(slug: "coventry") { own: themeSummary { answers theme { name } } '
        "all: themeSummary(includeChildren: true) { answers theme { name area { slug } } } } }"
    )
    data = (await api.data(query, as_=world.board))["area"]
    assert {r["answers"] for r in data["own"] if r["theme"]["name"] == "pets"} == {0}
    pets = next(r for r in data["all"] if r["theme"]["name"] == "pets")
    assert pets == {"answers": 2, "theme": {"name": "pets", "area": {"slug": "coventry"}}}


async def test_tagging_takes_only_the_areas_own_themes(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    answer = await _answer(api, conversation, "Dogs", world.resident)
    elsewhere = await _themes(api, world, "tile-hill")
    error = await api.error(
        "tagAnswer", {"answerId": answer, "themeIds": [elsewhere["pets"]]}, as_=world.facilitator
    )
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["themeIds", "0"])


async def test_facilitators_keep_the_theme_list(api: Api) -> None:
    world = await World(api).build()
    created = await api.ok(
        "createTheme",
        {"areaSlug": "willenhall", "name": "Faith and Belief"},
        as_=world.facilitator,
        returning="theme { id name area { slug } }",
    )
    assert created["theme"]["name"] == "faith and belief"
    again = await api.error(
        "createTheme", {"areaSlug": "willenhall", "name": "faith and BELIEF"}, as_=world.facilitator
    )
    assert again["code"] == "ALREADY_EXISTS"
    renamed = await api.ok(
        "renameTheme",
        {"themeId": created["theme"]["id"], "name": "faith"},
        as_=world.facilitator,
        returning="theme { name }",
    )
    assert renamed["theme"] == {"name": "faith"}


async def test_an_answer_or_a_theme_seeds_a_proposal_that_keeps_the_link(api: Api) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    answer = await _answer(api, conversation, "A dog walking club", world.resident)
    themes = await _themes(api, world)
    from_answer = await api.ok(
        "proposeItem",
        {
            "areaSlug": "willenhall",
            "title": "Dog walking club",
            "description": "Saturdays.",
            "answerId": answer,
        },
        as_=world.resident,
        returning="proposal { origin { id } fromAnswer { body } }",
    )
    assert from_answer["proposal"] == {
        "origin": {"id": conversation},
        "fromAnswer": {"body": "A dog walking club"},
    }
    from_theme = await api.ok(
        "proposeItem",
        {
            "areaSlug": "willenhall",
            "title": "Pet-friendly cafe",
            "description": "A place to go with pets.",
            "themeId": themes["pets"],
        },
        as_=world.gp,
        returning="proposal { themes fromTheme { name } fromAnswer { body } }",
    )
    assert from_theme["proposal"] == {
        "themes": ["pets"],
        "fromTheme": {"name": "pets"},
        "fromAnswer": None,
    }
    # Someone else's answer is theirs and the facilitators' to read, so not a seed.
    refused = await api.error(
        "proposeItem",
        {"areaSlug": "willenhall", "title": "Mine", "description": "x", "answerId": answer},
        as_=world.gp,
    )
    assert (refused["code"], refused["field"]) == ("NOT_FOUND", ["answerId"])
