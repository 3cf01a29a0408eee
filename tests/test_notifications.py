"""Who hears about what, in the app: each event reaches the people it concerns (and not
the person who made it happen), through viewer.notifications."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.ids import to_global_id
from server.notifications import events as notify
from server.notifications.models import NotificationKind
from server.people.models import PersonKind, Role
from server.voting import repository as voting_repo
from tests.notification_support import inbox, kinds
from tests.plan_support import Plan, pk
from tests.support import Api, World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Keep the background round closer (which shares the engine) out of statement counts.
    return settings.model_copy(update={"round_closer_interval": 3600.0})


async def test_a_round_opening_reaches_everyone_taking_part_in_its_area(api: Api) -> None:
    world = await World(api).build()
    # A participant of the whole city takes part in Willenhall too.
    citywide = await api.someone("Cy City", roles=[(Role.PARTICIPANT, "coventry")])
    proposal = await world.proposal()
    round_id = await world.round([proposal])
    for person in (world.resident, world.gp, world.admin, citywide):
        assert await kinds(api, person) == ["ROUND_OPENED"], person.name
    # Not whoever opened it, nor people of another area, nor the read-only board.
    for person in (world.facilitator, world.outsider, world.board):
        assert await kinds(api, person) == [], person.name
    (seen,) = await inbox(api, world.resident)
    assert seen["subject"] == {"__typename": "VotingRound", "id": round_id}
    assert seen["link"] == f"/rounds/{pk(round_id)}"
    assert "Willenhall" in seen["message"]
    assert "Which first?" in seen["message"]
    assert seen["read"] is False


async def test_results_reach_the_people_who_voted_when_the_round_closes(api: Api) -> None:
    world = await World(api).build()
    first, second = await world.proposal("Walking group"), await world.proposal("Drop-in")
    round_id = await world.round([first, second])
    await world.cast(round_id, world.resident, {"proposalId": first})
    await world.cast(round_id, world.gp, {"proposalId": first}, {"proposalId": second})
    assert "RESULTS_PUBLISHED" not in await kinds(api, world.resident)
    await world.close(round_id)
    for voter in (world.resident, world.gp):
        latest = (await inbox(api, voter))[0]
        assert latest["kind"] == "RESULTS_PUBLISHED"
        assert latest["link"] == f"/rounds/{pk(round_id)}/results"
        assert "1. Walking group, 2. Drop-in" in latest["message"]
    assert "RESULTS_PUBLISHED" not in await kinds(api, world.admin)  # did not vote


async def test_no_results_notification_while_results_are_sealed(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    round_id = await world.round([proposal], resultVisibility="AFTER_CLOSE")
    await world.cast(round_id, world.resident, {"proposalId": proposal})

    async def publish(session: AsyncSession) -> int:
        voting_round = await voting_repo.by_id(session, pk(round_id))
        assert voting_round is not None
        return await notify.results_published(session, None, voting_round)

    assert await api.run(publish) == 0
    assert "RESULTS_PUBLISHED" not in await kinds(api, world.resident)


async def test_adoption_reaches_the_author_and_a_missing_lead_the_facilitators(api: Api) -> None:
    plan = await Plan.build(api)
    other_facilitator = await api.someone(
        "Finn Facilitator", roles=[(Role.FACILITATOR, "coventry")]
    )
    action = await plan.adopt(0)
    (adopted,) = [
        n for n in await inbox(api, plan.world.resident) if n["kind"] == "PROPOSAL_ADOPTED"
    ]
    assert adopted["subject"] == {"__typename": "Action", "id": action}
    assert "Walking group" in adopted["message"]
    # The adopting facilitator knows; the others hear the action has no lead.
    assert "ACTION_NEEDS_LEAD" in await kinds(api, other_facilitator)
    assert "ACTION_NEEDS_LEAD" in await kinds(api, plan.world.admin)
    assert "ACTION_NEEDS_LEAD" not in await kinds(api, plan.world.facilitator)


async def test_updates_reach_the_author_and_those_who_voted_for_it(api: Api) -> None:
    plan = await Plan.build(api)
    voted_elsewhere = plan.world.gp  # voted for proposal 0 only
    action = await plan.adopt(1, leadId=plan.member.id)
    assert (await plan.post(action, "PROGRESS", "We found a room.", percentComplete=20))[
        "errors"
    ] == []
    news = (await inbox(api, plan.world.resident))[0]
    assert news["kind"] == "ACTION_UPDATED"
    assert news["subject"]["__typename"] == "Update"
    assert "We found a room." in news["message"]
    assert "20%" in news["message"]
    assert "ACTION_UPDATED" not in await kinds(api, voted_elsewhere)
    assert "ACTION_UPDATED" not in await kinds(api, plan.member)  # posted it


async def test_a_done_action_tells_its_supporters_the_closing_statement(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0, leadId=plan.member.id)
    payload = await plan.post(
        action, "PROGRESS", "All sorted.", status="DONE", closingStatement="Walks every Tuesday."
    )
    assert payload["errors"] == []
    for person in (plan.world.resident, plan.world.gp):
        latest = (await inbox(api, person))[0]
        assert latest["kind"] == "ACTION_CLOSED"
        assert "Walks every Tuesday." in latest["message"]
        assert latest["subject"] == {"__typename": "Action", "id": action}


async def test_an_answered_ask_for_help_reaches_whoever_asked(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0, leadId=plan.member.id)
    asked = await plan.post(action, "ASK_FOR_HELP", "Who has a van?")
    await api.ok(
        "resolveUpdate",
        {"updateId": asked["update"]["id"], "resolution": "The church lends its van."},
        as_=plan.world.facilitator,
        returning="update { id }",
    )
    latest = (await inbox(api, plan.member))[0]
    assert latest["kind"] == "HELP_ANSWERED"
    assert "The church lends its van." in latest["message"]


async def test_a_comment_offering_help_reaches_whoever_asked(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0, leadId=plan.member.id)
    await plan.post(action, "ASK_FOR_HELP", "Who has a van?")
    await api.ok(
        "addComment",
        {"subjectId": action, "body": "I have a van on Saturdays."},
        as_=plan.world.gp,
        returning="comment { id }",
    )
    latest = (await inbox(api, plan.member))[0]
    assert latest["kind"] == "HELP_ANSWERED"
    assert latest["message"].startswith("Gita GP offered help")


async def test_a_reply_reaches_the_comment_it_answers(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    parent = (
        await api.ok(
            "addComment",
            {"subjectId": proposal, "body": "Tuesdays suit me."},
            as_=world.resident,
            returning="comment { id }",
        )
    )["comment"]["id"]
    reply = (
        await api.ok(
            "addComment",
            {"subjectId": proposal, "parentId": parent, "body": "Me too!"},
            as_=world.gp,
            returning="comment { id }",
        )
    )["comment"]["id"]
    (latest,) = await inbox(api, world.resident)
    assert latest["kind"] == "COMMENT_REPLY"
    assert latest["message"] == "Gita GP replied to your comment on “A walking group”."
    assert latest["link"] == f"/proposals/{pk(proposal)}#comment-{pk(reply)}"
    # Replying to your own comment tells nobody.
    await api.ok(
        "addComment",
        {"subjectId": proposal, "parentId": parent, "body": "And Thursdays."},
        as_=world.resident,
        returning="comment { id }",
    )
    assert len(await inbox(api, world.resident)) == 1


async def test_hiding_a_comment_tells_its_author_why(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    comment = (
        await api.ok(
            "addComment",
            {"subjectId": proposal, "body": "Something unkind."},
            as_=world.gp,
            returning="comment { id }",
        )
    )["comment"]["id"]
    await api.ok(
        "hideComment",
        {"commentId": comment, "reason": "Please keep it kind."},
        as_=world.facilitator,
        returning="comment { id }",
    )
    (latest,) = await inbox(api, world.gp)
    assert latest["kind"] == "CONTENT_HIDDEN"
    assert "Please keep it kind." in latest["message"]
    assert "A walking group" in latest["message"]


async def test_declining_and_merging_an_idea_tell_its_author(api: Api) -> None:
    world = await World(api).build()
    declined = await world.proposal("A swimming pool")
    merged = await world.proposal("Walking together")
    into = await world.proposal("A walking group", by=world.gp)
    await api.ok(
        "setProposalStatus",
        {"proposalId": declined, "status": "DECLINED", "reason": "The council runs one."},
        as_=world.facilitator,
        returning="proposal { id }",
    )
    await api.ok(
        "setProposalStatus",
        {"proposalId": merged, "status": "MERGED", "mergedIntoId": into},
        as_=world.facilitator,
        returning="proposal { id }",
    )
    merge, decline = await inbox(api, world.resident)
    assert decline["kind"] == "PROPOSAL_DECLINED"
    assert "The council runs one." in decline["message"]
    assert merge["kind"] == "PROPOSAL_MERGED"
    assert merge["subject"] == {"__typename": "Proposal", "id": into}
    assert "“Walking together” was merged into “A walking group”" in merge["message"]


async def test_a_report_reaches_the_facilitators_and_a_hidden_answer_its_author(
    api: Api,
) -> None:
    world = await World(api).build()
    citywide = await api.someone("Finn Facilitator", roles=[(Role.FACILITATOR, "coventry")])
    started = await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "Big Conversation", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    answered = await api.ok(
        "addAnswer",
        {"conversationId": started["conversation"]["id"], "body": "My neighbour Bob"},
        as_=world.gp,
        returning="answer { id }",
    )
    answer = answered["answer"]["id"]
    commented = await api.ok(
        "addComment",
        {"subjectId": await world.proposal(), "body": "Rude words."},
        as_=world.gp,
        returning="comment { id }",
    )
    await api.ok(
        "reportContent",
        {"subjectId": commented["comment"]["id"], "reason": "Unkind words."},
        as_=world.resident,
        returning="report { id }",
    )
    for facilitator in (world.facilitator, citywide, world.admin):
        (waiting,) = await inbox(api, facilitator)
        assert waiting["kind"] == "REPORT_WAITING"
        assert waiting["subject"]["__typename"] == "Report"
        assert waiting["message"] == (
            "A report waits in the moderation queue for Willenhall: Unkind words."
        )
        assert waiting["link"] == "/facilitate/areas/willenhall/reports"
    assert await kinds(api, world.resident) == []  # the reporter is not told
    await api.ok(
        "hideContent",
        {"subjectId": answer, "reason": "Names someone."},
        as_=world.facilitator,
        returning="report { id }",
    )
    (hidden,) = await inbox(api, world.gp)
    assert hidden["kind"] == "CONTENT_HIDDEN"
    assert (
        hidden["message"]
        == "A facilitator hid something you wrote. The reason given: Names someone."
    )
    assert hidden["link"] == f"/conversations/{pk(started['conversation']['id'])}"


async def test_a_lead_leaving_the_team_tells_the_facilitators(api: Api) -> None:
    plan = await Plan.build(api)
    await plan.adopt(0, leadId=plan.member.id)
    before = len(await inbox(api, plan.world.admin))
    await api.ok(
        "removeTeamMember",
        {"teamId": plan.team, "personId": plan.member.id},
        as_=plan.world.facilitator,
        returning="team { id }",
    )
    latest = await inbox(api, plan.world.admin)
    assert len(latest) == before + 1
    assert latest[0]["kind"] == "ACTION_NEEDS_LEAD"
    assert "Walking group" in latest[0]["message"]


async def test_messages_never_show_a_role_kind_organisation_or_email(api: Api) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0, leadId=plan.member.id)
    await plan.post(action, "ASK_FOR_HELP", "Who has a van?")
    await api.ok(
        "addComment",
        {"subjectId": action, "body": "I have one."},
        as_=plan.world.gp,
        returning="comment { id }",
    )
    messages = [
        n["message"]
        for person in (plan.world.resident, plan.world.gp, plan.member, plan.world.admin)
        for n in await inbox(api, person)
    ]
    everything = " ".join(messages)
    assert "Gita GP offered help" in everything  # a name, and nothing more about her
    words = everything.replace("Gita GP", "").lower()
    for forbidden in ("professional", "resident", "facilitator", "participant", "admin", "@"):
        assert forbidden not in words, forbidden


async def test_only_the_person_reads_their_notifications(api: Api) -> None:
    world = await World(api).build()
    await world.round([await world.proposal()])
    query = """query($id: ID!) { node(id: $id) { ... on Person { notifications { unreadCount }
        notificationPreferences { kind } } } }"""
    other = await api.data(query, {"id": world.resident.id}, as_=world.admin)
    assert other["node"] == {"notifications": None, "notificationPreferences": None}
    (mine,) = await inbox(api, world.resident)
    node = """query($id: ID!) { node(id: $id) { id ... on Notification { kind } } }"""
    assert (await api.data(node, {"id": mine["id"]}, as_=world.resident))["node"] == {
        "id": mine["id"],
        "kind": "ROUND_OPENED",
    }
    assert (await api.data(node, {"id": mine["id"]}, as_=world.gp))["node"] is None


async def test_marking_read_one_by_one_or_all(api: Api) -> None:
    world = await World(api).build()
    for title in ("One", "Two", "Three"):
        await world.round([await world.proposal(title, by=world.gp)])
    first, second, third = await inbox(api, world.resident)
    payload = await api.ok(
        "markNotificationsRead",
        {"ids": [first["id"]]},
        as_=world.resident,
        returning="unreadCount",
    )
    assert payload["unreadCount"] == 2
    unread = await inbox(api, world.resident, unread_only=True)
    assert [n["id"] for n in unread] == [second["id"], third["id"]]
    payload = await api.ok(
        "markNotificationsRead", {"all": True}, as_=world.resident, returning="unreadCount"
    )
    assert payload["unreadCount"] == 0
    assert all(n["read"] for n in await inbox(api, world.resident))


async def test_marking_someone_elses_notification_changes_nothing(api: Api) -> None:
    world = await World(api).build()
    await world.round([await world.proposal()])
    (theirs,) = await inbox(api, world.gp)
    (mine,) = await inbox(api, world.resident)
    error = await api.error(
        "markNotificationsRead", {"ids": [mine["id"], theirs["id"]]}, as_=world.resident
    )
    assert error == {
        "code": "NOT_FOUND",
        "message": "Notification not found.",
        "field": ["ids", "1"],
    }
    assert (await inbox(api, world.resident))[0]["read"] is False
    assert (await inbox(api, world.gp))[0]["read"] is False
    nothing = await api.error("markNotificationsRead", {}, as_=world.resident)
    assert nothing["code"] == "INVALID_INPUT"
    not_an_id = await api.error(
        "markNotificationsRead", {"ids": [to_global_id("Proposal", 1)]}, as_=world.resident
    )
    assert not_an_id["code"] == "NOT_FOUND"
    signed_out = await api.error("markNotificationsRead", {"all": True}, as_=None)
    assert signed_out["code"] == "UNAUTHENTICATED"


async def test_preferences_start_as_digests_and_change_per_kind(api: Api) -> None:
    world = await World(api).build()
    query = "{ viewer { notificationPreferences { kind email } } }"
    chosen = {
        p["kind"]: p["email"]
        for p in (await api.data(query, as_=world.resident))["viewer"]["notificationPreferences"]
    }
    assert len(chosen) == len(NotificationKind)
    assert chosen["ROUND_OPENED"] == "DAILY"
    assert chosen["ACTION_UPDATED"] == "WEEKLY"
    assert chosen["PROPOSAL_ADOPTED"] == "IMMEDIATE"
    payload = await api.ok(
        "setNotificationPreference",
        {"kind": "ROUND_OPENED", "email": "OFF"},
        as_=world.resident,
        returning="preferences { kind email }",
    )
    assert {"kind": "ROUND_OPENED", "email": "OFF"} in payload["preferences"]
    # Only theirs: someone else's stay as they were.
    others = (await api.data(query, as_=world.gp))["viewer"]["notificationPreferences"]
    assert {"kind": "ROUND_OPENED", "email": "DAILY"} in others


async def test_read_only_tokens_cannot_change_preferences(api: Api) -> None:
    from server.access import Scope

    reader = await api.someone("Reed Only", scopes=[Scope.READ], kind=PersonKind.RESIDENT)
    error = await api.error(
        "setNotificationPreference", {"kind": "ROUND_OPENED", "email": "OFF"}, as_=reader
    )
    assert error["code"] == "FORBIDDEN"


async def test_the_list_pages_newest_first(api: Api) -> None:
    world = await World(api).build()
    for index in range(3):
        await world.round([await world.proposal(f"Idea {index}", by=world.gp)])
    page = """query($after: String) { viewer { notifications(first: 2, after: $after) {
        unreadCount pageInfo { hasNextPage endCursor } edges { node { message } } } } }"""
    first = (await api.data(page, {"after": None}, as_=world.resident))["viewer"]["notifications"]
    assert first["unreadCount"] == 3
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await api.data(page, {"after": first["pageInfo"]["endCursor"]}, as_=world.resident))[
        "viewer"
    ]["notifications"]
    assert second["pageInfo"]["hasNextPage"] is False
    assert len(first["edges"]) + len(second["edges"]) == 3


async def test_the_list_costs_the_same_statements_however_long(api: Api) -> None:
    from tests.test_query_counts import counting

    world = await World(api).build()
    proposal = await world.proposal()

    async def grow(rounds: int) -> None:
        for _ in range(rounds):
            await world.round([await world.proposal(by=world.gp)])
            parent = (
                await api.ok(
                    "addComment",
                    {"subjectId": proposal, "body": "Tuesdays?"},
                    as_=world.resident,
                    returning="comment { id }",
                )
            )["comment"]["id"]
            await api.ok(
                "addComment",
                {"subjectId": proposal, "parentId": parent, "body": "Yes."},
                as_=world.gp,
                returning="comment { id }",
            )

    async def cost() -> int:
        with counting(api.app) as counter:
            await inbox(api, world.resident)
        return counter.count

    await grow(2)
    few = await cost()
    await grow(8)
    assert len(await inbox(api, world.resident)) == 20
    assert await cost() == few


async def test_a_notification_only_ever_links_within_the_site(api: Api) -> None:
    from sqlalchemy.exc import IntegrityError

    world = await World(api).build()

    async def elsewhere(session: AsyncSession) -> int:
        return await notify.content_hidden(
            session,
            None,
            ("Answer", 1),
            "Off topic.",
            author_id=world.gp.person_id,
            link="//evil.example/phish",
        )

    with pytest.raises(IntegrityError):
        await api.run(elsewhere)
    assert await kinds(api, world.gp) == []
