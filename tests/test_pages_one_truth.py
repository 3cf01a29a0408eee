"""Pages tell one truth: an action's RAG is the effective one everywhere (the team's own
only as what "the team said"), a stopped action is not "going well", and ideas with the
same score share a place on every page while the API keeps its strict rank."""

from __future__ import annotations

import re

from server.people.models import PersonKind, Role
from tests.http_browser import Browser
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api

FACILITATOR = "fran@example.org"
RESIDENT = "rosa@example.org"


async def _signed_in(api: Api, browser: Browser, email: str, role: Role) -> None:
    await account(api, email, email.split("@")[0].title(), role=role)
    assert (await browser.sign_in(email)).status_code == 303


def _text(html: str) -> str:
    """The page's words, without tags, spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


async def test_facilitator_pages_show_the_effective_rag_and_what_the_team_said(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0)
    # No news for 40 days: the effective RAG is amber; the team still says green.
    await plan.backdate(action, 40)
    assert (await plan.action(action, "rag declaredRag"))["rag"] == "AMBER"
    await _signed_in(api, browser, FACILITATOR, Role.FACILITATOR)

    dashboard = _text((await browser.page("/facilitate/areas/willenhall")).text)
    assert "Amber: at risk (the team said: Green: on track)" in dashboard
    page = _text((await browser.page(f"/facilitate/actions/{pk(action)}")).text)
    assert "Amber: at risk (the team said: Green: on track)" in page
    assert "There has been no news for a month or more." in page
    assert "RAG: red, amber or green" in page

    resident = _text((await browser.page(f"/actions/{pk(action)}")).text)
    assert "Some problems (the team said: Going well)" in resident


async def test_a_stopped_action_is_not_said_to_be_going_well(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0)
    await plan.post(
        action, "PROGRESS", "We stopped.", status="DROPPED", closingStatement="No hall."
    )
    await _signed_in(api, browser, RESIDENT, Role.PARTICIPANT)
    page = _text((await browser.page("/areas/willenhall/plan")).text)
    finished = page.split("Finished", 1)[1]
    assert "Stopped" in finished
    assert "0% done before it stopped" in finished
    assert "Going well" not in finished
    assert "Green" not in finished
    await _signed_in(api, browser, FACILITATOR, Role.FACILITATOR)
    dashboard = _text((await browser.page("/facilitate/areas/willenhall")).text)
    assert "Dropped · 0%" in dashboard
    assert "on track" not in dashboard


async def test_equal_scores_share_a_place_and_the_tie_break_is_explained(
    api: Api, browser: Browser
) -> None:
    # Plan.build's round: Walking group 2 votes, Drop-in 1, Garden 1.
    plan = await Plan.build(api)
    await _signed_in(api, browser, RESIDENT, Role.PARTICIPANT)
    results = _text((await browser.page(f"/rounds/{pk(plan.round)}/results")).text)
    assert "Place 1 Idea Walking group Votes 2 People who supported it 2" in results
    assert "Place =2 joint 2nd Idea Drop-in Votes 1 People who supported it 1" in results
    assert "Place =2 joint 2nd Idea Garden Votes 1 People who supported it 1" in results
    assert "Ideas with the same score share a place" in results
    area = _text((await browser.page("/areas/willenhall")).text)
    assert "1 Walking group =2 joint 2nd Drop-in =2 joint 2nd Garden" in area
    assert "Ideas marked with = had the same score and share that place." in area

    # The API keeps its strict ranks.
    data = await plan.api.data(
        "query($id: ID!) { node(id: $id) { ... on VotingRound { results { rows { rank } } } } }",
        {"id": plan.round},
        as_=plan.world.board,
    )
    assert [row["rank"] for row in data["node"]["results"]["rows"]] == [1, 2, 3]


async def test_an_action_from_a_tie_says_joint_and_the_facilitator_is_told_when_adopting(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _signed_in(api, browser, FACILITATOR, Role.FACILITATOR)
    round_page = _text((await browser.page(f"/facilitate/rounds/{pk(plan.round)}")).text)
    assert "1 Walking group 2 votes · 2 supporters" in round_page
    assert "=2 joint 2nd Drop-in 1 vote · 1 supporter" in round_page
    assert "Only the tie-break" in round_page
    dashboard = _text((await browser.page("/facilitate/areas/willenhall")).text)
    assert "Place =2 joint 2nd Priority Drop-in" in dashboard

    tied = _text(
        (
            await browser.page(f"/facilitate/rounds/{pk(plan.round)}/adopt/{pk(plan.proposals[2])}")
        ).text
    )
    assert "Priority from “Which first?”: joint 2nd" in tied
    assert "This priority is tied" in tied
    assert "It has the same score as “Drop-in”, so they share 2nd place." in tied
    clear = _text(
        (
            await browser.page(f"/facilitate/rounds/{pk(plan.round)}/adopt/{pk(plan.proposals[0])}")
        ).text
    )
    assert "Priority from “Which first?”: 1st" in clear
    assert "tied" not in clear

    action = await plan.adopt(1)
    plan_page = _text((await browser.page("/areas/willenhall/plan")).text)
    assert "You said Drop-in ( joint 2nd in the vote )" in plan_page
    assert "number 2" not in plan_page
    assert f"/actions/{pk(action)}" in (await browser.page("/areas/willenhall/plan")).text


async def test_residents_and_professionals_tables_order_equal_scores_the_same_way(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    walking, drop_in, garden = plan.proposals
    world = plan.world
    round_id = await world.round(plan.proposals, method="DOTS", dotsPerPerson=5)
    residents = await world.voters(5)
    professionals = await world.voters(5, PersonKind.PROFESSIONAL)

    def dots(proposal: str, points: int) -> dict[str, object]:
        return {"proposalId": proposal, "points": points}

    # Residents: Walking group 6 dots from 2 people, Drop-in 6 from 3.
    # Professionals: Walking group 6 from 3, Drop-in 6 from 2. Overall a tie on 12.
    for voter, entries in zip(
        residents,
        [
            [dots(walking, 3), dots(drop_in, 2)],
            [dots(walking, 3), dots(drop_in, 2)],
            [dots(drop_in, 2)],
            [dots(garden, 1)],
            [dots(garden, 1)],
        ],
        strict=True,
    ):
        await world.cast(round_id, voter, *entries)
    for voter, entries in zip(
        professionals,
        [[dots(walking, 2)]] * 3 + [[dots(drop_in, 3)]] * 2,
        strict=True,
    ):
        await world.cast(round_id, voter, *entries)
    await world.close(round_id)
    await _signed_in(api, browser, RESIDENT, Role.PARTICIPANT)
    page = _text((await browser.page(f"/rounds/{pk(round_id)}/results")).text)
    residents_table = page.split("Residents (5 voted)", 1)[1].split("Professionals", 1)[0]
    professionals_table = page.split("Professionals (5 voted)", 1)[1]
    for table in (residents_table, professionals_table):
        assert table.index("Walking group") < table.index("Drop-in"), table
        assert "=1 joint 1st Idea Walking group" in table
        assert "=1 joint 1st Idea Drop-in" in table
