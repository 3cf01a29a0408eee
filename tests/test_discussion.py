"""Proposals and their discussion: pages, threads, moderation, edits and statuses."""

from __future__ import annotations

from tests.support import Api, World

PAGE = """query($after: String) { area(slug: "willenhall") {
    proposals(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { title } } } } }"""


async def test_cursor_pages_walk_every_proposal_newest_first(api: Api) -> None:
    world = await World(api).build()
    for title in ("One", "Two", "Three", "Four", "Five"):
        await world.proposal(title)
    seen: list[str] = []
    after = None
    while True:
        page = (await api.data(PAGE, {"after": after}, as_=world.board))["area"]["proposals"]
        assert page["totalCount"] == 5
        seen += [e["node"]["title"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Five", "Four", "Three", "Two", "One"]


async def test_page_size_is_capped_at_100_and_bad_arguments_are_errors(api: Api) -> None:
    world = await World(api).build()
    await world.proposal()
    data = await api.data(
        '{ area(slug: "willenhall") { proposals(first: 500) { totalCount } } }', as_=world.board
    )
    assert data["area"]["proposals"]["totalCount"] == 1
    for args in ("first: -1", 'after: "garbage"'):
        body = await api.gql(
            f'{{ area(slug: "willenhall") {{ proposals({args}) {{ totalCount }} }} }}',
            as_=world.board,
        )
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", args


async def test_status_filter(api: Api) -> None:
    world = await World(api).build()
    keep, drop = await world.proposal("Keep"), await world.proposal("Drop")
    await api.ok(
        "setProposalStatus",
        {"proposalId": keep, "status": "SHORTLISTED"},
        as_=world.facilitator,
        returning="proposal { status }",
    )
    await api.ok(
        "setProposalStatus",
        {"proposalId": drop, "status": "DECLINED", "reason": "Already exists"},
        as_=world.facilitator,
        returning="proposal { status statusReason }",
    )
    data = await api.data(
        '{ area(slug: "willenhall") { proposals(status: SHORTLISTED) { totalCount edges { node { title } } } } }',
        as_=world.board,
    )
    assert data["area"]["proposals"] == {"totalCount": 1, "edges": [{"node": {"title": "Keep"}}]}


async def test_declining_needs_a_reason_and_merging_a_target(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    no_reason = await api.error(
        "setProposalStatus", {"proposalId": a, "status": "DECLINED"}, as_=world.facilitator
    )
    assert (no_reason["code"], no_reason["field"]) == ("INVALID_INPUT", ["reason"])
    merged = await api.ok(
        "setProposalStatus",
        {"proposalId": a, "status": "MERGED", "mergedIntoId": b},
        as_=world.facilitator,
        returning="proposal { status mergedInto { id } }",
    )
    assert merged["proposal"] == {"status": "MERGED", "mergedInto": {"id": b}}
    adopted = await api.error(
        "setProposalStatus", {"proposalId": b, "status": "ADOPTED"}, as_=world.facilitator
    )
    assert adopted["code"] == "INVALID_INPUT"


async def test_authors_edit_their_own_open_proposals(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal("Walkng group")
    edited = await api.ok(
        "editProposal",
        {"proposalId": proposal, "title": "Walking group"},
        as_=world.resident,
        returning="proposal { title }",
    )
    assert edited["proposal"]["title"] == "Walking group"
    refused = await api.error(
        "editProposal", {"proposalId": proposal, "title": "Mine now"}, as_=world.gp
    )
    assert refused["code"] == "FORBIDDEN"


async def test_threads_nest_three_deep_and_no_deeper(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    parent = None
    for depth in range(3):
        input = {"subjectId": proposal, "body": f"Level {depth + 1}"}
        if parent:
            input["parentId"] = parent
        parent = (await api.ok("addComment", input, as_=world.gp, returning="comment { id }"))[
            "comment"
        ]["id"]
    too_deep = await api.error(
        "addComment", {"subjectId": proposal, "parentId": parent, "body": "Level 4"}, as_=world.gp
    )
    assert (too_deep["code"], too_deep["field"]) == ("INVALID_INPUT", ["parentId"])
    data = await api.data(
        """query($id: ID!) { node(id: $id) { ... on Proposal { commentCount comments { edges { node {
            body replies { body parent { body } replies { body } } } } } } } }""",
        {"id": proposal},
        as_=world.board,
    )
    node = data["node"]
    assert node["commentCount"] == 3
    top = node["comments"]["edges"][0]["node"]
    assert top["body"] == "Level 1"
    assert top["replies"][0]["parent"] == {"body": "Level 1"}
    assert top["replies"][0]["replies"] == [{"body": "Level 3"}]


async def test_a_reply_must_be_on_the_same_subject(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    comment = (
        await api.ok(
            "addComment", {"subjectId": a, "body": "On A"}, as_=world.gp, returning="comment { id }"
        )
    )["comment"]["id"]
    error = await api.error(
        "addComment", {"subjectId": b, "parentId": comment, "body": "Wrong place"}, as_=world.gp
    )
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["parentId"])


async def test_moderation_hides_with_a_reason_never_silently(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    comment = (
        await api.ok(
            "addComment",
            {"subjectId": proposal, "body": "Rude words"},
            as_=world.gp,
            returning="comment { id }",
        )
    )["comment"]["id"]
    no_reason = await api.error(
        "hideComment", {"commentId": comment, "reason": " "}, as_=world.facilitator
    )
    assert no_reason["code"] == "INVALID_INPUT"
    hidden = await api.ok(
        "hideComment",
        {"commentId": comment, "reason": "Personal attack"},
        as_=world.facilitator,
        returning="comment { body hidden hiddenReason author { displayName } }",
    )
    assert hidden["comment"] == {
        "body": None,
        "hidden": True,
        "hiddenReason": "Personal attack",
        "author": {"displayName": "Gita GP"},
    }
    count = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Proposal { commentCount comments { edges { node { hidden } } } } } }",
        {"id": proposal},
        as_=world.board,
    )
    assert count["node"]["commentCount"] == 0
    assert count["node"]["comments"]["edges"] == [{"node": {"hidden": True}}]


async def test_comments_on_actions_use_the_same_threads(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    round_id = await world.round([proposal])
    await world.cast(round_id, world.resident, {"proposalId": proposal})
    await world.close(round_id)
    action = (
        await api.ok(
            "adoptPriority",
            {"roundId": round_id, "proposalId": proposal},
            as_=world.facilitator,
            returning="action { id }",
        )
    )["action"]["id"]
    await api.ok(
        "addComment",
        {"subjectId": action, "body": "Can I help?"},
        as_=world.gp,
        returning="comment { id }",
    )
    data = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Action { comments { edges { node { body } } } } } }",
        {"id": action},
        as_=world.board,
    )
    assert data["node"]["comments"]["edges"] == [{"node": {"body": "Can I help?"}}]


async def test_conversation_lifecycle_and_planned_start(api: Api) -> None:
    world = await World(api).build()
    planned = (
        await api.ok(
            "startConversation",
            {
                "areaSlug": "willenhall",
                "title": "Next month",
                "prompt": "P",
                "startsAt": "2099-01-01T18:00:00Z",
            },
            as_=world.facilitator,
            returning="conversation { id status startsAt }",
        )
    )["conversation"]
    assert planned["status"] == "PLANNED"
    opened = await api.ok(
        "openConversation",
        {"conversationId": planned["id"]},
        as_=world.facilitator,
        returning="conversation { status }",
    )
    assert opened["conversation"]["status"] == "OPEN"
    await api.ok(
        "closeConversation",
        {"conversationId": planned["id"]},
        as_=world.facilitator,
        returning="conversation { status }",
    )
    again = await api.error(
        "openConversation", {"conversationId": planned["id"]}, as_=world.facilitator
    )
    assert again["code"] == "INVALID_STATE"
