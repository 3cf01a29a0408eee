"""1. The action plan: adoption keeps provenance; actions are edited, carry milestones,
move only through allowed transitions, and close with a public "you said, we did" line."""

from __future__ import annotations

from tests.plan_support import Plan
from tests.support import Api

PROVENANCE = """round { id } priorityRank proposal { id title } conversation { id }
    story { tellerPseudonym body } team { name } lead { displayName } targetDate status
    rag declaredRag percentComplete ownershipHistory { team { name } lead { displayName } }"""


async def test_adopting_a_priority_keeps_its_round_rank_proposal_conversation_and_story(
    api: Api,
) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0, leadId=plan.member.id, targetDate="2030-01-31T00:00:00Z")
    found = await plan.action(action, PROVENANCE)
    assert found == {
        "round": {"id": plan.round},
        "priorityRank": 1,
        "proposal": {"id": plan.proposals[0], "title": "Walking group"},
        "conversation": {"id": plan.conversation},
        "story": {"tellerPseudonym": "Sam", "body": "People kept me well."},
        "team": {"name": "Willenhall core team"},
        "lead": {"displayName": "Tess Team"},
        "targetDate": "2030-01-31T00:00:00+00:00",
        "status": "NOT_STARTED",
        "rag": "GREEN",
        "declaredRag": "GREEN",
        "percentComplete": 0,
        "ownershipHistory": [
            {"team": {"name": "Willenhall core team"}, "lead": {"displayName": "Tess Team"}}
        ],
    }


async def test_the_lead_must_be_on_the_owning_team(api: Api) -> None:
    plan = await Plan.build(api)
    error = await api.error(
        "adoptPriority",
        {
            "roundId": plan.round,
            "proposalId": plan.proposals[0],
            "teamId": plan.team,
            "leadId": plan.world.outsider.id,
        },
        as_=plan.world.facilitator,
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["leadId"])


async def test_update_action_edits_title_description_target_and_lead(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    edited = await api.ok(
        "updateAction",
        {
            "actionId": action,
            "title": "Weekly walking group",
            "description": "Tuesdays and Thursdays from the community centre.",
            "targetDate": "2030-06-30T00:00:00Z",
            "leadId": plan.member.id,
        },
        as_=plan.world.facilitator,
        returning="action { title description targetDate lead { displayName } }",
    )
    assert edited["action"] == {
        "title": "Weekly walking group",
        "description": "Tuesdays and Thursdays from the community centre.",
        "targetDate": "2030-06-30T00:00:00+00:00",
        "lead": {"displayName": "Tess Team"},
    }
    cleared = await api.ok(
        "updateAction",
        {"actionId": action, "targetDate": None},
        as_=plan.member,
        returning="action { title targetDate }",
    )
    assert cleared["action"] == {"title": "Weekly walking group", "targetDate": None}


async def test_the_core_team_may_edit_details_but_not_the_title_or_team(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    refused = await api.error(
        "updateAction", {"actionId": action, "title": "Something else"}, as_=plan.member
    )
    assert refused["code"] == "FORBIDDEN"
    outsider = await api.error(
        "updateAction", {"actionId": action, "description": "Mine now"}, as_=plan.world.resident
    )
    assert outsider["code"] == "FORBIDDEN"
    assert (await plan.action(action, "title description"))["title"] == "Walking group"


async def test_milestones_are_added_completed_and_reopened(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    added = await api.ok(
        "addMilestone",
        {"actionId": action, "title": "Route agreed", "dueAt": "2020-01-01T00:00:00Z"},
        as_=plan.member,
        returning="milestone { id title done overdue }",
    )
    milestone = added["milestone"]
    assert (milestone["title"], milestone["done"], milestone["overdue"]) == (
        "Route agreed",
        False,
        True,
    )
    late = await plan.action(action, "rag overdueMilestones ragReasons")
    assert late == {
        "rag": "AMBER",
        "overdueMilestones": 1,
        "ragReasons": ["1 milestone(s) overdue"],
    }
    done = await api.ok(
        "completeMilestone",
        {"milestoneId": milestone["id"]},
        as_=plan.member,
        returning="milestone { done doneAt overdue }",
    )
    assert done["milestone"]["done"] is True
    assert done["milestone"]["overdue"] is False
    assert (await plan.action(action, "rag"))["rag"] == "GREEN"
    again = await api.error("completeMilestone", {"milestoneId": milestone["id"]}, as_=plan.member)
    assert again["code"] == "INVALID_STATE"
    reopened = await api.ok(
        "reopenMilestone",
        {"milestoneId": milestone["id"]},
        as_=plan.member,
        returning="milestone { done doneAt }",
    )
    assert reopened["milestone"] == {"done": False, "doneAt": None}


async def test_status_moves_only_through_allowed_transitions(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    moved = await plan.post(action, "PROGRESS", "Started.", status="IN_PROGRESS")
    assert moved["errors"] == []
    backwards = await plan.post(action, "PROGRESS", "Undo?", status="NOT_STARTED")
    assert [(e["code"], e["field"]) for e in backwards["errors"]] == [("INVALID_STATE", ["status"])]
    assert (await plan.action(action, "status"))["status"] == "IN_PROGRESS"


async def test_done_sets_100_percent_and_its_words_become_the_public_line(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    done = await plan.post(
        action,
        "PROGRESS",
        "Last walk of the pilot.",
        status="DONE",
        closingStatement="You said walk together; we did: 40 walks, 31 regulars.",
    )
    assert done["update"]["action"] == {
        "status": "DONE",
        "rag": "GREEN",
        "percentComplete": 100,
        "closingStatement": "You said walk together; we did: 40 walks, 31 regulars.",
    }
    half = await plan.post(action, "PROGRESS", "Reopen at half", status="IN_PROGRESS")
    assert half["errors"] == []
    wrong = await plan.post(action, "PROGRESS", "Done?", status="DONE", percentComplete=60)
    assert [(e["code"], e["field"]) for e in wrong["errors"]] == [
        ("INVALID_INPUT", ["percentComplete"])
    ]


async def test_dropping_needs_a_reason_which_is_shown_publicly(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    blank = await plan.post(action, "LEARNING", "   ", status="DROPPED")
    assert blank["errors"][0]["code"] == "INVALID_INPUT"
    dropped = await plan.post(
        action,
        "LEARNING",
        "The church hall closed.",
        status="DROPPED",
        closingStatement="Dropped: the hall closed; the walking group took it on.",
    )
    assert dropped["update"]["action"]["closingStatement"] == (
        "Dropped: the hall closed; the walking group took it on."
    )
    assert dropped["update"]["statusAfter"] == "DROPPED"


async def test_a_closing_statement_goes_only_with_closing(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    stray = await plan.post(action, "PROGRESS", "Going well", closingStatement="Done!")
    assert [(e["code"], e["field"]) for e in stray["errors"]] == [
        ("INVALID_INPUT", ["closingStatement"])
    ]


async def test_a_closed_action_takes_learning_but_no_changes_until_reopened(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt()
    await plan.post(action, "PROGRESS", "All done.", status="DONE")
    learning = await plan.post(action, "LEARNING", "Word of mouth beat posters.")
    assert learning["errors"] == []
    blocker = await plan.post(action, "BLOCKER", "The room is gone.")
    assert blocker["errors"][0]["code"] == "INVALID_STATE"
    percent = await plan.post(action, "PROGRESS", "Less done", percentComplete=50)
    assert percent["errors"][0]["code"] == "INVALID_STATE"
