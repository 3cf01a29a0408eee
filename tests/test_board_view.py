"""4. The board's view: priorities across the area tree, the action plan summary, the
plan a page at a time and the activity feed, with theme and date filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tests.plan_support import Plan
from tests.support import Api

Json = dict[str, Any]

SUMMARY = """query($theme: String, $children: Boolean!) { area(slug: "coventry") {
    actionPlanSummary(includeChildren: $children, theme: $theme) {
      asOf adopted done percentDone averagePercentComplete
      byStatus { status count } byRag { rag count }
      stale { title } blocked { title rag } overdue { title } needsLead { title }
      openAsks { title openAsks } } } }"""


async def _tile_hill_priority(plan: Plan) -> tuple[str, str]:
    """A closed round in Tile Hill (beneath Coventry, beside Willenhall)."""
    api, world = plan.api, plan.world
    proposal = (
        await api.ok(
            "proposeItem",
            {
                "areaSlug": "tile-hill",
                "title": "Bus to the hospital",
                "description": "One bus, not three.",
                "themes": ["transport"],
            },
            as_=world.outsider,
            returning="proposal { id }",
        )
    )["proposal"]["id"]
    round_id = (
        await api.ok(
            "createVotingRound",
            {
                "areaSlug": "tile-hill",
                "title": "Tile Hill first",
                "method": "APPROVAL",
                "proposalIds": [proposal],
            },
            as_=world.admin,
            returning="round { id }",
        )
    )["round"]["id"]
    await api.ok(
        "openVotingRound", {"roundId": round_id}, as_=world.admin, returning="round { id }"
    )
    await world.cast(round_id, world.outsider, {"proposalId": proposal})
    await api.ok(
        "closeVotingRound", {"roundId": round_id}, as_=world.admin, returning="round { id }"
    )
    return round_id, proposal


async def test_city_priorities_include_every_area_beneath_it(api: Api) -> None:
    plan = await Plan.build(api)
    await _tile_hill_priority(plan)
    query = """query($children: Boolean, $theme: String) { area(slug: "coventry") {
        priorities(includeChildren: $children, theme: $theme) { rank proposal { title area { slug } } } } }"""

    async def titles(**variables: Any) -> list[tuple[str, str]]:
        data = await api.data(query, variables, as_=plan.world.board)
        return [
            (p["proposal"]["area"]["slug"], p["proposal"]["title"])
            for p in data["area"]["priorities"]
        ]

    assert await titles(children=False) == []
    assert await titles(children=True) == [
        ("willenhall", "Walking group"),
        ("willenhall", "Drop-in"),
        ("willenhall", "Garden"),
        ("tile-hill", "Bus to the hospital"),
    ]
    assert await titles(children=True, theme="transport") == [("tile-hill", "Bus to the hospital")]


async def test_the_summary_gives_counts_lists_and_the_share_done(api: Api) -> None:
    plan = await Plan.build(api)
    walking, drop_in, garden = [await plan.adopt(i) for i in range(3)]
    await plan.post(walking, "PROGRESS", "All done.", status="DONE")
    await plan.post(drop_in, "BLOCKER", "No room.", status="BLOCKED", percentComplete=10)
    await plan.post(drop_in, "ASK_FOR_HELP", "Who has a room?")
    await plan.backdate(garden, 40)
    round_id, proposal = await _tile_hill_priority(plan)
    await api.ok(
        "adoptPriority",
        {"roundId": round_id, "proposalId": proposal},
        as_=plan.world.admin,
        returning="action { id }",
    )
    summary = (await api.data(SUMMARY, {"children": True}, as_=plan.world.board))["area"][
        "actionPlanSummary"
    ]
    asof = datetime.fromisoformat(summary.pop("asOf"))
    assert abs(asof - datetime.now(UTC)) < timedelta(minutes=5)
    assert summary == {
        "adopted": 4,
        "done": 1,
        "percentDone": 25.0,
        "averagePercentComplete": 27.5,
        "byStatus": [
            {"status": "NOT_STARTED", "count": 2},
            {"status": "IN_PROGRESS", "count": 0},
            {"status": "BLOCKED", "count": 1},
            {"status": "DONE", "count": 1},
            {"status": "DROPPED", "count": 0},
        ],
        "byRag": [
            {"rag": "RED", "count": 0},
            {"rag": "AMBER", "count": 2},
            {"rag": "GREEN", "count": 2},
        ],
        "stale": [{"title": "Garden"}],
        "blocked": [{"title": "Drop-in", "rag": "AMBER"}],
        "overdue": [],
        # Adopted without a lead: someone should take each on.
        "needsLead": [{"title": "Drop-in"}, {"title": "Garden"}, {"title": "Bus to the hospital"}],
        "openAsks": [{"title": "Drop-in", "openAsks": 1}],
    }
    only_city = (await api.data(SUMMARY, {"children": False}, as_=plan.world.board))["area"][
        "actionPlanSummary"
    ]
    assert (only_city["adopted"], only_city["percentDone"]) == (0, None)
    themed = (
        await api.data(SUMMARY, {"children": True, "theme": "services"}, as_=plan.world.board)
    )["area"]["actionPlanSummary"]
    assert (themed["adopted"], themed["blocked"]) == (1, [{"title": "Drop-in", "rag": "AMBER"}])


async def test_the_action_plan_pages_with_a_total_and_filters(api: Api) -> None:
    plan = await Plan.build(api)
    for i in range(3):
        await plan.adopt(i)
    query = """query($after: String, $status: ActionStatus, $theme: String) { area(slug: "coventry") {
        actionPlan(first: 2, after: $after, status: $status, theme: $theme) {
          totalCount pageInfo { hasNextPage endCursor } edges { node { title } } } } }"""
    first = (await api.data(query, {}, as_=plan.world.board))["area"]["actionPlan"]
    assert first["totalCount"] == 3
    assert [e["node"]["title"] for e in first["edges"]] == ["Walking group", "Drop-in"]
    rest = (await api.data(query, {"after": first["pageInfo"]["endCursor"]}, as_=plan.world.board))[
        "area"
    ]["actionPlan"]
    assert [e["node"]["title"] for e in rest["edges"]] == ["Garden"]
    assert rest["pageInfo"]["hasNextPage"] is False
    wellbeing = (await api.data(query, {"theme": "wellbeing"}, as_=plan.world.board))["area"][
        "actionPlan"
    ]
    assert wellbeing["totalCount"] == 2
    done = (await api.data(query, {"status": "DONE"}, as_=plan.world.board))["area"]["actionPlan"]
    assert done == {
        "totalCount": 0,
        "pageInfo": {"hasNextPage": False, "endCursor": None},
        "edges": [],
    }


ACTIVITY = """query($after: String, $first: Int, $theme: String, $since: DateTime,
                  $until: DateTime, $kinds: [ActivityKind!]) { area(slug: "coventry") {
    activity(first: $first, after: $after, theme: $theme, since: $since, until: $until, kinds: $kinds) {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { kind occurredAt area { slug } action { title }
                            update { body } round { title } } } } } }"""


def _describe(edge: Json) -> tuple[str, str]:
    node = edge["node"]
    if node["kind"] == "UPDATE_POSTED":
        return node["kind"], node["update"]["body"]
    if node["kind"] == "PRIORITY_ADOPTED":
        return node["kind"], node["action"]["title"]
    return node["kind"], node["round"]["title"]


async def test_the_activity_feed_is_newest_first_and_walks_every_event(api: Api) -> None:
    plan = await Plan.build(api)
    walking = await plan.adopt(0)
    await plan.post(walking, "PROGRESS", "First walk.")
    garden = await plan.adopt(2)
    await plan.post(garden, "ASK_FOR_HELP", "Spades, anyone?")
    expected = [
        ("UPDATE_POSTED", "Spades, anyone?"),
        ("PRIORITY_ADOPTED", "Garden"),
        ("UPDATE_POSTED", "First walk."),
        ("PRIORITY_ADOPTED", "Walking group"),
        ("ROUND_CLOSED", "Which first?"),
    ]
    seen: list[tuple[str, str]] = []
    after = None
    while True:
        page = (await api.data(ACTIVITY, {"first": 2, "after": after}, as_=plan.world.board))[
            "area"
        ]["activity"]
        seen += [_describe(e) for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == expected
    whole = (await api.data(ACTIVITY, {}, as_=plan.world.board))["area"]["activity"]["edges"]
    assert {e["node"]["area"]["slug"] for e in whole} == {"willenhall"}
    times = [e["node"]["occurredAt"] for e in whole]
    assert times == sorted(times, reverse=True)


async def test_the_activity_feed_filters_by_kind_theme_and_date(api: Api) -> None:
    plan = await Plan.build(api)
    walking = await plan.adopt(0)
    drop_in = await plan.adopt(1)
    await plan.post(walking, "PROGRESS", "Walking on.")
    await plan.post(drop_in, "BLOCKER", "No room.")

    async def feed(**variables: Any) -> list[tuple[str, str]]:
        data = await api.data(ACTIVITY, variables, as_=plan.world.board)
        return [_describe(e) for e in data["area"]["activity"]["edges"]]

    assert await feed(kinds=["UPDATE_POSTED"]) == [
        ("UPDATE_POSTED", "No room."),
        ("UPDATE_POSTED", "Walking on."),
    ]
    assert await feed(theme="services") == [
        ("UPDATE_POSTED", "No room."),
        ("PRIORITY_ADOPTED", "Drop-in"),
        ("ROUND_CLOSED", "Which first?"),
    ]
    assert await feed(theme="transport") == []
    await plan.backdate(walking, 60)
    a_month_ago = (datetime.now(UTC) - timedelta(days=30)).isoformat()
    recent = await feed(since=a_month_ago, kinds=["UPDATE_POSTED", "PRIORITY_ADOPTED"])
    assert recent == [("UPDATE_POSTED", "No room."), ("PRIORITY_ADOPTED", "Drop-in")]
    older = await feed(until=a_month_ago)
    assert older == [("UPDATE_POSTED", "Walking on."), ("PRIORITY_ADOPTED", "Walking group")]


async def test_bad_feed_arguments_are_errors_not_crashes(api: Api) -> None:
    plan = await Plan.build(api)
    for variables in (
        {"after": "garbage"},
        {"first": -1},
        {"since": "2026-02-01T00:00:00Z", "until": "2026-01-01T00:00:00Z"},
    ):
        body = await api.gql(ACTIVITY, variables, as_=plan.world.board)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_INPUT", variables


async def test_the_board_view_needs_credentials(api: Api) -> None:
    await Plan.build(api)
    body = await api.gql(SUMMARY, {"children": True})
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


README = Path(__file__).resolve().parent.parent / "README.md"


def _readme() -> str:
    return README.read_text()


async def test_the_readme_board_query_answers(api: Api) -> None:
    readme = _readme()
    section = readme[readme.index("### A board member's view") :]
    query = section[
        section.index("```graphql") + len("```graphql") : section.index("```\n\n`action")
    ]
    plan = await Plan.build(api)
    await plan.adopt(0)
    data = await api.data(query, as_=plan.world.board)
    assert data["area"]["actionPlanSummary"]["adopted"] == 1
    assert data["area"]["actionPlan"]["totalCount"] == 1
