"""Moderation: reports, the facilitators' queue, hiding with a reason, declining and
merging duplicate proposals, and the person being told why."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from tests.notification_support import inbox
from tests.support import Api, Someone, World

Json = dict[str, Any]


async def _comment(api: Api, world: World, proposal: str, body: str = "Rude words") -> str:
    payload = await api.ok(
        "addComment",
        {"subjectId": proposal, "body": body},
        as_=world.resident,
        returning="comment { id }",
    )
    comment_id: str = payload["comment"]["id"]
    return comment_id


async def _report(api: Api, subject: str, as_: Someone, reason: str = "Unkind") -> Json:
    payload = await api.ok(
        "reportContent",
        {"subjectId": subject, "reason": reason},
        as_=as_,
        returning="report { id state reason subject { id } }",
    )
    report: Json = payload["report"]
    return report


QUEUE = '{ area(slug: "willenhall") { reports { id reason state subject { id } } } }'


async def test_a_report_reaches_the_facilitators_queue_and_nobody_elses(api: Api) -> None:
    world = await World(api).build()
    comment = await _comment(api, world, await world.proposal())
    report = await _report(api, comment, world.gp)
    assert report["state"] == "OPEN"
    assert report["subject"] == {"id": comment}
    queue = (await api.data(QUEUE, as_=world.facilitator))["area"]["reports"]
    assert [r["id"] for r in queue] == [report["id"]]
    for someone in (world.resident, world.gp, world.board):
        assert (await api.data(QUEUE, as_=someone))["area"]["reports"] is None
    city = '{ area(slug: "coventry") { reports { id } } }'
    assert (await api.data(city, as_=world.admin))["area"]["reports"] == [{"id": report["id"]}]


async def test_reporting_twice_changes_nothing(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    first = await _report(api, proposal, world.gp)
    second = await _report(api, proposal, world.gp, "Still unkind")
    assert second["id"] == first["id"]
    assert len((await api.data(QUEUE, as_=world.facilitator))["area"]["reports"]) == 1


async def test_an_outsider_cannot_report_and_an_answer_must_be_readable(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    refused = await api.error(
        "reportContent", {"subjectId": proposal, "reason": "x"}, as_=world.outsider
    )
    assert refused["code"] == "FORBIDDEN"
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
            as_=world.facilitator,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    answer = (
        await api.ok(
            "addAnswer",
            {"conversationId": conversation, "body": "Dogs"},
            as_=world.resident,
            returning="answer { id }",
        )
    )["answer"]["id"]
    unseen = await api.error("reportContent", {"subjectId": answer, "reason": "x"}, as_=world.gp)
    assert unseen["code"] == "NOT_FOUND"
    bad = await api.error("reportContent", {"subjectId": conversation, "reason": "x"}, as_=world.gp)
    assert (bad["code"], bad["field"]) == ("NOT_FOUND", ["subjectId"])


async def test_hiding_shows_the_reason_settles_reports_and_tells_the_author(api: Api) -> None:
    world = await World(api).build()
    comment = await _comment(api, world, await world.proposal())
    report = await _report(api, comment, world.gp)
    hidden = await api.ok(
        "hideContent",
        {"subjectId": comment, "reason": "Personal remarks"},
        as_=world.facilitator,
        returning="report { id state }",
    )
    assert hidden["report"] == {"id": report["id"], "state": "HIDDEN"}
    node = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Comment { body hidden hiddenReason } } }",
        {"id": comment},
        as_=world.gp,
    )
    assert node["node"] == {"body": None, "hidden": True, "hiddenReason": "Personal remarks"}
    (told,) = await inbox(api, world.resident)
    assert (told["kind"], told["subject"]["id"]) == ("CONTENT_HIDDEN", comment)
    assert "Personal remarks" in told["message"]
    assert [n["kind"] for n in await inbox(api, world.gp)] == []
    again = await api.error(
        "hideContent", {"subjectId": comment, "reason": "Again"}, as_=world.facilitator
    )
    assert again["code"] == "INVALID_STATE"


async def test_hiding_a_proposal_replaces_its_text_with_the_reason(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal("Something rude")
    hidden = await api.ok(
        "hideContent",
        {"subjectId": proposal, "reason": "Named a neighbour"},
        as_=world.facilitator,
        returning="report { state subject { ... on Proposal { title description hidden moderationReason } } }",
    )
    assert hidden["report"] == {
        "state": "HIDDEN",
        "subject": {
            "title": "Hidden by a facilitator",
            "description": "",
            "hidden": True,
            "moderationReason": "Named a neighbour",
        },
    }


async def test_dismissing_a_report_hides_nothing(api: Api) -> None:
    world = await World(api).build()
    comment = await _comment(api, world, await world.proposal(), "Fair point")
    report = await _report(api, comment, world.gp)
    dismissed = await api.ok(
        "dismissReport",
        {"reportId": report["id"]},
        as_=world.facilitator,
        returning="report { state }",
    )
    assert dismissed["report"] == {"state": "DISMISSED"}
    assert (await api.data(QUEUE, as_=world.facilitator))["area"]["reports"] == []
    everything = '{ area(slug: "willenhall") { reports(open: false) { state } } }'
    assert (await api.data(everything, as_=world.facilitator))["area"]["reports"] == [
        {"state": "DISMISSED"}
    ]
    again = await api.error("dismissReport", {"reportId": report["id"]}, as_=world.facilitator)
    assert again["code"] == "INVALID_STATE"


async def test_declining_needs_a_reason_and_tells_the_author(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal("A new road")
    no_reason = await api.error(
        "declineProposal", {"proposalId": proposal, "reason": " "}, as_=world.facilitator
    )
    assert (no_reason["code"], no_reason["field"]) == ("INVALID_INPUT", ["reason"])
    declined = await api.ok(
        "declineProposal",
        {"proposalId": proposal, "reason": "The council owns roads"},
        as_=world.facilitator,
        returning="proposal { status moderationReason }",
    )
    assert declined["proposal"] == {
        "status": "DECLINED",
        "moderationReason": "The council owns roads",
    }
    (told,) = await inbox(api, world.resident)
    assert told["kind"] == "PROPOSAL_DECLINED"
    assert "The council owns roads" in told["message"]


async def _audit_count(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


async def test_a_refused_merge_changes_nothing(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    elsewhere = (
        await api.ok(
            "proposeItem",
            {"areaSlug": "tile-hill", "title": "B", "description": "b"},
            as_=world.outsider,
            returning="proposal { id }",
        )
    )["proposal"]["id"]
    before = await api.run(_audit_count)
    for into, code in ((a, "INVALID_INPUT"), (elsewhere, "INVALID_INPUT"), ("nope", "NOT_FOUND")):
        error = await api.error(
            "mergeProposal", {"proposalId": a, "intoId": into}, as_=world.facilitator
        )
        assert error["code"] == code
    assert await api.run(_audit_count) == before
