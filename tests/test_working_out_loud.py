"""2. Working out loud: typed updates that move an action along, blockers and asks for
help that stay open until resolved, staleness, and comments on actions."""

from __future__ import annotations

from tests.plan_support import Plan
from tests.support import Api


async def test_an_update_moves_status_declared_rag_and_percent(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    posted = await plan.post(
        action, "PROGRESS", "First walk: nine came.", status="IN_PROGRESS", percentComplete=20
    )
    assert posted["update"]["action"]["status"] == "IN_PROGRESS"
    assert posted["update"]["action"]["percentComplete"] == 20
    amber = await plan.post(action, "PROGRESS", "Fewer this week.", rag="AMBER")
    assert amber["update"]["action"]["rag"] == "AMBER"
    found = await plan.action(action, "declaredRag lastUpdateAt latestUpdate { body ragAfter }")
    assert found["declaredRag"] == "AMBER"
    assert found["latestUpdate"] == {"body": "Fewer this week.", "ragAfter": "AMBER"}


async def test_an_open_blocker_makes_the_action_amber_until_resolved(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    blocker = await plan.post(action, "BLOCKER", "No room free in the daytime.")
    assert blocker["update"]["open"] is True
    assert await plan.action(action, "rag declaredRag blocked openBlockers") == {
        "rag": "AMBER",
        "declaredRag": "GREEN",
        "blocked": True,
        "openBlockers": 1,
    }
    resolved = await api.ok(
        "resolveUpdate",
        {"updateId": blocker["update"]["id"], "resolution": "The library lent us a room."},
        as_=plan.member,
        returning="update { open resolvedAt resolution resolvedBy { displayName } }",
    )
    assert resolved["update"]["open"] is False
    assert resolved["update"]["resolution"] == "The library lent us a room."
    assert resolved["update"]["resolvedBy"] == {"displayName": "Tess Team"}
    assert await plan.action(action, "rag blocked openBlockers") == {
        "rag": "GREEN",
        "blocked": False,
        "openBlockers": 0,
    }


async def test_an_ask_for_help_stays_open_until_answered_and_never_turns_amber(
    api: Api,
) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    ask = await plan.post(action, "ASK_FOR_HELP", "Does anyone know a walk leader?")
    ask_id = ask["update"]["id"]
    assert await plan.action(action, "rag openAsks") == {"rag": "GREEN", "openAsks": 1}
    open_asks = await plan.action(
        action, "updateConnection(openOnly: true) { edges { node { id kind } } }"
    )
    assert open_asks["updateConnection"]["edges"] == [
        {"node": {"id": ask_id, "kind": "ASK_FOR_HELP"}}
    ]
    await api.ok(
        "addComment",
        {"subjectId": action, "body": "My neighbour leads walks at the park."},
        as_=plan.world.resident,
        returning="comment { id }",
    )
    refused = await api.error(
        "resolveUpdate", {"updateId": ask_id, "resolution": "Me!"}, as_=plan.world.resident
    )
    assert refused["code"] == "FORBIDDEN"
    await api.ok(
        "resolveUpdate",
        {"updateId": ask_id, "resolution": "Rita's neighbour will lead on Tuesdays."},
        as_=plan.world.facilitator,
        returning="update { id }",
    )
    found = await plan.action(
        action, "openAsks updateConnection(openOnly: true) { edges { node { id } } }"
    )
    assert found == {"openAsks": 0, "updateConnection": {"edges": []}}
    twice = await api.error(
        "resolveUpdate", {"updateId": ask_id, "resolution": "Again"}, as_=plan.member
    )
    assert (twice["code"], twice["field"]) == ("INVALID_STATE", ["updateId"])


async def test_progress_and_learning_updates_cannot_be_resolved(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    learning = await plan.post(action, "LEARNING", "Word of mouth works.")
    assert learning["update"]["open"] is False
    error = await api.error(
        "resolveUpdate",
        {"updateId": learning["update"]["id"], "resolution": "n/a"},
        as_=plan.member,
    )
    assert error["code"] == "INVALID_STATE"


async def test_no_update_for_30_days_flags_the_action_stale(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    await plan.post(action, "PROGRESS", "Started.", status="IN_PROGRESS")
    assert (await plan.action(action, "stale"))["stale"] is False
    await plan.backdate(action, 31)
    found = await plan.action(action, "stale rag ragReasons")
    assert found == {"stale": True, "rag": "AMBER", "ragReasons": ["no update for 31 days"]}
    await plan.post(action, "PROGRESS", "Back on it.")
    assert (await plan.action(action, "stale rag"))["stale"] is False


async def test_a_passed_target_date_makes_the_action_overdue(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(targetDate="2021-01-01T00:00:00Z")
    assert await plan.action(action, "overdue rag") == {"overdue": True, "rag": "AMBER"}
    await plan.post(action, "BLOCKER", "Still no room.", status="BLOCKED")
    assert (await plan.action(action, "rag"))["rag"] == "RED"


async def test_update_pages_walk_every_update_newest_first(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    for n in range(5):
        await plan.post(action, "PROGRESS", f"Week {n}")
    seen: list[str] = []
    after = None
    while True:
        page = (
            await plan.action(
                action,
                f"updateConnection(first: 2, after: {'null' if after is None else repr(after).replace(chr(39), chr(34))}) "
                "{ pageInfo { hasNextPage endCursor } edges { node { body } } }",
            )
        )["updateConnection"]
        seen += [e["node"]["body"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == ["Week 4", "Week 3", "Week 2", "Week 1", "Week 0"]
