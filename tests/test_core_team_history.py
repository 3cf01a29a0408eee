"""3. Core teams whose membership changes: dated memberships, who was on a team when,
who owned an action when, and an action that keeps working when its lead leaves."""

from __future__ import annotations

from datetime import datetime, timedelta

from server.people.models import Role
from tests.plan_support import Plan
from tests.support import Api

HISTORY = """query($id: ID!) { node(id: $id) { ... on CoreTeam {
    memberships { person { displayName } joinedAt leftAt leftReason current } } } }"""
MEMBERS_AT = """query($id: ID!, $at: DateTime) { node(id: $id) { ... on CoreTeam {
    members(at: $at) { displayName } } } }"""


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value)


async def test_membership_is_dated_and_who_was_on_the_team_then_is_answerable(
    api: Api,
) -> None:
    plan = await Plan.build(api)
    newcomer = await api.someone("Nia New", roles=[(Role.PARTICIPANT, "willenhall")])
    await plan.join(newcomer)
    await api.ok(
        "removeTeamMember",
        {"teamId": plan.team, "personId": plan.member.id, "reason": "Moved to Leeds"},
        as_=plan.world.facilitator,
        returning="team { id }",
    )
    spells = (await api.data(HISTORY, {"id": plan.team}, as_=plan.world.facilitator))["node"][
        "memberships"
    ]
    assert [(s["person"]["displayName"], s["current"], s["leftReason"]) for s in spells] == [
        ("Tess Team", False, "Moved to Leeds"),
        ("Nia New", True, None),
    ]
    left_at = _instant(spells[0]["leftAt"])
    just_before = (left_at - timedelta(microseconds=1)).isoformat()

    async def members(at: str | None) -> list[str]:
        data = await api.data(MEMBERS_AT, {"id": plan.team, "at": at}, as_=plan.world.board)
        return [p["displayName"] for p in data["node"]["members"]]

    assert await members(just_before) == ["Tess Team", "Nia New"]
    assert await members(left_at.isoformat()) == ["Nia New"]
    assert await members(None) == ["Nia New"]
    before_anyone = (_instant(spells[0]["joinedAt"]) - timedelta(days=1)).isoformat()
    assert await members(before_anyone) == []


async def test_why_someone_left_is_shown_to_facilitators_and_themselves_only(api: Api) -> None:
    plan = await Plan.build(api)
    await api.ok(
        "removeTeamMember",
        {"teamId": plan.team, "personId": plan.member.id, "reason": "Caring for my mum"},
        as_=plan.world.facilitator,
        returning="team { id }",
    )
    for viewer, expected in (
        (plan.world.board, None),
        (plan.world.resident, None),
        (plan.member, "Caring for my mum"),
        (plan.world.facilitator, "Caring for my mum"),
    ):
        spells = (await api.data(HISTORY, {"id": plan.team}, as_=viewer))["node"]["memberships"]
        assert spells[0]["leftReason"] == expected, viewer.name


async def test_an_action_keeps_working_when_its_lead_leaves_and_asks_for_a_new_lead(
    api: Api,
) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(leadId=plan.member.id)
    assert (await plan.action(action, "needsLead"))["needsLead"] is False
    removed = await api.ok(
        "removeTeamMember",
        {"teamId": plan.team, "personId": plan.member.id, "reason": "Moved away"},
        as_=plan.world.facilitator,
        returning="team { id } actionsNeedingLead { id }",
    )
    assert removed["actionsNeedingLead"] == [{"id": action}]
    orphan_check = await plan.action(
        action, "needsLead rag team { name } lead { displayName } status"
    )
    assert orphan_check == {
        "needsLead": True,
        "rag": "GREEN",
        "team": {"name": "Willenhall core team"},
        "lead": {"displayName": "Tess Team"},
        "status": "NOT_STARTED",
    }
    gone = await plan.post(action, "PROGRESS", "Still here?")
    assert gone["errors"][0]["code"] == "FORBIDDEN"
    kept_going = await plan.post(
        action, "PROGRESS", "Carrying on while we find a lead.", by=plan.world.facilitator
    )
    assert kept_going["errors"] == []
    successor = await api.someone("Sol Successor", roles=[(Role.PARTICIPANT, "willenhall")])
    await plan.join(successor)
    await api.ok(
        "updateAction",
        {"actionId": action, "leadId": successor.id, "reason": "Tess moved away"},
        as_=plan.world.facilitator,
        returning="action { id }",
    )
    found = await plan.action(
        action,
        "needsLead lead { displayName } ownershipHistory { since until reason lead { displayName } }",
    )
    assert found["needsLead"] is False
    assert found["lead"] == {"displayName": "Sol Successor"}
    history = found["ownershipHistory"]
    assert [(h["lead"]["displayName"], h["reason"]) for h in history] == [
        ("Tess Team", None),
        ("Sol Successor", "Tess moved away"),
    ]
    assert history[0]["until"] == history[1]["since"]
    assert history[1]["until"] is None


async def test_who_owned_an_action_at_a_moment(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(leadId=plan.member.id)
    other_team = (
        await api.ok(
            "createCoreTeam",
            {"areaSlug": "willenhall", "name": "Walks team"},
            as_=plan.world.facilitator,
            returning="team { id }",
        )
    )["team"]["id"]
    moved = await api.ok(
        "updateAction",
        {"actionId": action, "teamId": other_team, "reason": "The walks team has capacity"},
        as_=plan.world.facilitator,
        returning="action { team { name } lead { id } needsLead }",
    )
    # The lead was not on the new team, so the action asks for one.
    assert moved["action"] == {"team": {"name": "Walks team"}, "lead": None, "needsLead": True}
    history = (await plan.action(action, "ownershipHistory { since }"))["ownershipHistory"]
    first, second = (_instant(h["since"]) for h in history)
    query = "ownerAt(at: $at) { team { name } lead { displayName } }"

    async def owner(at: datetime) -> object:
        data = await api.data(
            f"query($id: ID!, $at: DateTime!) {{ node(id: $id) {{ ... on Action {{ {query} }} }} }}",
            {"id": action, "at": at.isoformat()},
            as_=plan.world.board,
        )
        return data["node"]["ownerAt"]

    assert await owner(first - timedelta(seconds=1)) is None
    assert await owner(first) == {
        "team": {"name": "Willenhall core team"},
        "lead": {"displayName": "Tess Team"},
    }
    assert await owner(second - timedelta(microseconds=1)) == await owner(first)
    assert await owner(second) == {"team": {"name": "Walks team"}, "lead": None}


async def test_a_reason_without_a_change_of_owner_is_refused(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    error = await api.error(
        "updateAction",
        {"actionId": action, "description": "New words", "reason": "Because"},
        as_=plan.world.facilitator,
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["reason"])
