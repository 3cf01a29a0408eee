"""The facilitator pages over HTTP, as a browser without JavaScript uses them: every
form posts, redirects and shows what happened; mistakes change nothing; only a
facilitator of the area gets in; forms need their CSRF token."""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.models import Action, ActionStatus, Update
from server.audit.models import AuditEvent
from server.conversations.models import Conversation, ConversationStatus, Story
from server.people.models import AreaRole, Person, PersonKind, Role
from server.voting.models import Ballot, BallotEntry, RoundState, VotingRound
from tests.facilitator_support import (
    FACILITATOR_EMAIL,
    PARTICIPANT_EMAIL,
    Scene,
    build,
    fingerprint,
)
from tests.http_browser import Browser, csrf_token
from tests.support import Api

Browsers = Callable[..., Browser]


@pytest.fixture
async def scene(api: Api) -> Scene:
    return await api.run(build)


async def _signed_in(browsers: Browsers, email: str) -> Browser:
    browser = browsers()
    answer = await browser.sign_in(email)
    assert answer.status_code == 303, answer.text
    return browser


@pytest.fixture
async def fay(browsers: Browsers, scene: Scene) -> Browser:
    return await _signed_in(browsers, FACILITATOR_EMAIL)


@pytest.fixture
async def rita(browsers: Browsers, scene: Scene) -> Browser:
    return await _signed_in(browsers, PARTICIPANT_EMAIL)


async def _state(api: Api) -> dict[str, str]:
    return await api.run(fingerprint)


def _error_links(html: str) -> list[str]:
    summary = html.split('class="nhsuk-error-summary"', 1)
    assert len(summary) == 2, "no error summary on the page"
    return re.findall(r'<li><a href="#([^"]+)">', summary[1].split("</ul>", 1)[0])


def _follow(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


# Who gets in.


async def test_signed_out_visitors_are_sent_to_sign_in(browser: Browser, scene: Scene) -> None:
    answer = await browser.page("/facilitate/areas/willenhall")
    assert answer.status_code == 303
    assert answer.headers["location"] == "/auth/sign-in"


async def test_the_dashboard_lists_conversations_rounds_priorities_and_actions(
    fay: Browser, scene: Scene
) -> None:
    page = await fay.page("/facilitate/areas/willenhall")
    assert page.status_code == 200
    html = page.text
    for expected in (
        "Big Conversation at the community centre",
        "Spend your dots",
        "Next time",
        "What should we do first?",
        f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}",
        f"/facilitate/actions/{scene.action}",
        f"/facilitate/rounds/{scene.open_round}/paper",
        "/areas/willenhall",
    ):
        assert expected in html, expected


async def test_a_coventry_facilitator_facilitates_willenhall_too(
    api: Api, browsers: Browsers, scene: Scene
) -> None:
    await api.someone(
        "Cy City", roles=[(Role.FACILITATOR, "coventry")], email="cy@coventry.example"
    )
    await api.run(_set_password("cy@coventry.example"))
    cy = await _signed_in(browsers, "cy@coventry.example")
    assert (await cy.page("/facilitate/areas/willenhall")).status_code == 200
    listed = await cy.page("/facilitate")
    assert "/facilitate/areas/willenhall" in listed.text
    assert "/facilitate/areas/tile-hill" in listed.text


def _set_password(email: str) -> Callable[[AsyncSession], Awaitable[None]]:
    async def work(session: AsyncSession) -> None:
        from server.auth import accounts
        from server.people import repository as people_repo
        from tests.http_browser import PASSWORD

        person = await people_repo.by_email(session, email)
        assert person is not None
        await accounts.set_password(session, person.id, PASSWORD)

    return work


def _pages(scene: Scene) -> list[str]:
    return [
        "/facilitate/areas/willenhall",
        "/facilitate/areas/willenhall/conversations/new",
        f"/facilitate/conversations/{scene.conversation}",
        f"/facilitate/conversations/{scene.conversation}/code",
        f"/facilitate/conversations/{scene.conversation}/print",
        f"/facilitate/conversations/{scene.conversation}/close",
        f"/facilitate/conversations/{scene.conversation}/stories/new",
        f"/facilitate/stories/{scene.story}/withdraw",
        "/facilitate/areas/willenhall/rounds/new",
        f"/facilitate/rounds/{scene.open_round}",
        f"/facilitate/rounds/{scene.open_round}/close",
        f"/facilitate/rounds/{scene.open_round}/paper",
        f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}",
        f"/facilitate/actions/{scene.action}",
        f"/facilitate/actions/{scene.action}/update",
    ]


async def test_every_facilitator_page_answers_a_participant_with_403(
    rita: Browser, fay: Browser, scene: Scene
) -> None:
    for path in _pages(scene):
        assert (await fay.page(path)).status_code == 200, path
        refused = await rita.page(path)
        assert refused.status_code == 403, path
        assert "Only facilitators of this area can do this." in refused.text
        assert "Join code" not in refused.text


def _posts(scene: Scene) -> list[tuple[str, dict[str, str]]]:
    """Every facilitator form, with answers that would work for a facilitator."""
    dots = {f"p-{p}": "2" for p in scene.proposals[2:]}
    return [
        (
            "/facilitate/areas/willenhall/conversations",
            {"title": "Another", "prompt": "What keeps you well?"},
        ),
        (f"/facilitate/conversations/{scene.conversation}/open", {}),
        (f"/facilitate/conversations/{scene.conversation}/close", {}),
        (
            f"/facilitate/conversations/{scene.conversation}/stories",
            {"tellerPseudonym": "Jo", "body": "A story.", "consentScope": "public"},
        ),
        (f"/facilitate/stories/{scene.story}/withdraw", {}),
        (
            "/facilitate/areas/willenhall/rounds",
            {
                "title": "More",
                "method": "approval",
                "resultVisibility": "after_close",
                "proposalIds": str(scene.proposals[2]),
            },
        ),
        (f"/facilitate/rounds/{scene.draft_round}/open", {}),
        (f"/facilitate/rounds/{scene.open_round}/paper", {"voterName": "Dot", **dots}),
        (
            f"/facilitate/rounds/{scene.open_round}/paper",
            {"voterName": "Newcomer", "newPerson": "yes", "kind": "resident", **dots},
        ),
        (f"/facilitate/rounds/{scene.open_round}/close", {}),
        (f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}", {"title": "X"}),
        (
            f"/facilitate/actions/{scene.action}/update",
            {"kind": "progress", "body": "Moving.", "status": "in_progress"},
        ),
    ]


async def test_a_participant_posting_any_facilitator_form_gets_403_and_nothing_changes(
    api: Api, rita: Browser, fay: Browser, scene: Scene
) -> None:
    token = csrf_token((await rita.page("/auth/profile")).text)
    before = await _state(api)
    for action, fields in _posts(scene):
        answer = await rita.client.post(
            action, data={"csrf_token": token, **fields}, headers={"Origin": rita.origin}
        )
        assert answer.status_code == 403, (action, answer.status_code)
        assert "Nothing was changed." in answer.text
    assert await _state(api) == before


async def test_the_same_posts_work_for_the_facilitator(
    api: Api, fay: Browser, scene: Scene
) -> None:
    token = csrf_token((await fay.page("/auth/profile")).text)
    for action, fields in _posts(scene):
        answer = await fay.client.post(
            action, data={"csrf_token": token, **fields}, headers={"Origin": fay.origin}
        )
        assert answer.status_code == 303, (action, answer.status_code, answer.text[:2000])


async def test_facilitator_forms_need_the_csrf_token_and_our_origin(
    api: Api, fay: Browser, scene: Scene
) -> None:
    before = await _state(api)
    fields = {"title": "Sneaky", "prompt": "What keeps you well?"}
    action = "/facilitate/areas/willenhall/conversations"
    without = await fay.client.post(action, data=fields, headers={"Origin": fay.origin})
    assert without.status_code == 403
    forged = await fay.client.post(
        action, data={"csrf_token": "forged", **fields}, headers={"Origin": fay.origin}
    )
    assert forged.status_code == 403
    cross = await fay.submit(
        "/facilitate/areas/willenhall/conversations/new",
        action,
        fields,
        origin="https://evil.example",
    )
    assert cross.status_code == 403
    assert await _state(api) == before


async def test_unknown_things_answer_404(fay: Browser, scene: Scene) -> None:
    for path in (
        "/facilitate/areas/nowhere",
        "/facilitate/conversations/999999",
        "/facilitate/rounds/999999",
        "/facilitate/rounds/999999/paper",
        "/facilitate/actions/999999",
        f"/facilitate/rounds/{scene.open_round}/adopt/{scene.proposals[0]}",
    ):
        answer = await fay.page(path)
        assert answer.status_code == 404, path
        assert "Page not found" in answer.text


# Conversations and stories.


async def test_starting_a_conversation_shows_its_code_and_sheet(
    api: Api, fay: Browser, scene: Scene
) -> None:
    started = await fay.submit(
        "/facilitate/areas/willenhall/conversations/new",
        "/facilitate/areas/willenhall/conversations",
        {
            "title": "Evening conversation",
            "prompt": "What keeps you well?",
            "startsDate": "",
            "startsTime": "",
            "location": "The library",
        },
    )
    location = _follow(started)
    assert location.endswith("?done=started")
    page = await fay.page(location)
    assert "Conversation started" in page.text

    async def newest(session: AsyncSession) -> Conversation:
        found = await session.scalar(select(Conversation).order_by(Conversation.id.desc()))
        assert found is not None
        return found

    conversation = await api.run(newest)
    assert conversation.title == "Evening conversation"
    assert conversation.status is ConversationStatus.OPEN
    code = await fay.page(f"/facilitate/conversations/{conversation.id}/code")
    assert conversation.join_code in code.text
    assert "lg-room__code" in code.text
    assert "http://testserver/auth/join" in code.text
    sheet = await fay.page(f"/facilitate/conversations/{conversation.id}/print")
    assert conversation.join_code in sheet.text
    assert "How to join on your phone" in sheet.text


async def test_a_future_conversation_is_planned_in_local_time(
    api: Api, fay: Browser, scene: Scene
) -> None:
    started = await fay.submit(
        "/facilitate/areas/willenhall/conversations/new",
        "/facilitate/areas/willenhall/conversations",
        {
            "title": "Summer conversation",
            "prompt": "What keeps you well?",
            "startsDate": "2099-07-01",
            "startsTime": "18:30",
            "location": "",
        },
    )
    location = _follow(started)
    page = await fay.page(location)
    assert "Planned" in page.text
    assert "1 July 2099, 18:30" in page.text
    conversation_id = location.split("/")[3].split("?")[0]
    opened = await fay.submit(location, f"/facilitate/conversations/{conversation_id}/open", {})
    page = await fay.page(_follow(opened))
    assert "Conversation opened" in page.text


async def test_a_conversation_without_a_title_changes_nothing(
    api: Api, fay: Browser, scene: Scene
) -> None:
    before = await _state(api)
    answer = await fay.submit(
        "/facilitate/areas/willenhall/conversations/new",
        "/facilitate/areas/willenhall/conversations",
        {"title": " ", "prompt": "", "startsDate": "2026-13-40", "startsTime": "", "location": ""},
    )
    assert answer.status_code == 400
    assert _error_links(answer.text) == ["title", "prompt", "startsDate"]
    assert "<title>Error: " in answer.text
    assert await _state(api) == before


async def test_closing_a_conversation_asks_first_then_retires_the_code(
    api: Api, fay: Browser, scene: Scene
) -> None:
    confirm = await fay.page(f"/facilitate/conversations/{scene.conversation}/close")
    assert "This cannot be undone" in confirm.text
    closed = await fay.submit(
        f"/facilitate/conversations/{scene.conversation}/close",
        f"/facilitate/conversations/{scene.conversation}/close",
        {},
    )
    page = await fay.page(_follow(closed))
    assert "Its join code no longer works" in page.text

    async def status(session: AsyncSession) -> ConversationStatus:
        found = await session.get(Conversation, scene.conversation)
        assert found is not None
        return found.status

    assert await api.run(status) is ConversationStatus.CLOSED
    code = await fay.page(f"/facilitate/conversations/{scene.conversation}/code")
    assert "This conversation is closed" in code.text


async def test_recording_a_story_keeps_its_consent_scope(
    api: Api, fay: Browser, scene: Scene
) -> None:
    page = f"/facilitate/conversations/{scene.conversation}/stories/new"
    action = f"/facilitate/conversations/{scene.conversation}/stories"
    missing = await fay.submit(page, action, {"tellerPseudonym": "Jo", "body": "Walking."})
    assert missing.status_code == 400
    assert _error_links(missing.text) == ["consentScope"]
    saved = await fay.submit(
        page,
        action,
        {"tellerPseudonym": "Jo", "body": "Walking with the dog.", "consentScope": "facilitators"},
    )
    shown = await fay.page(_follow(saved))
    assert "Story recorded" in shown.text
    assert "Walking with the dog." in shown.text

    async def story(session: AsyncSession) -> Story:
        found = await session.scalar(select(Story).where(Story.teller_pseudonym == "Jo"))
        assert found is not None
        return found

    assert (await api.run(story)).consent_scope.value == "facilitators"


async def test_withdrawing_consent_erases_the_words(api: Api, fay: Browser, scene: Scene) -> None:
    confirm = await fay.page(f"/facilitate/stories/{scene.story}/withdraw")
    assert "Withdraw consent for Sam" in confirm.text
    withdrawn = await fay.submit(
        f"/facilitate/stories/{scene.story}/withdraw",
        f"/facilitate/stories/{scene.story}/withdraw",
        {},
    )
    page = await fay.page(_follow(withdrawn))
    assert "Story withdrawn" in page.text
    assert "somewhere to go on a Tuesday" not in page.text

    async def body(session: AsyncSession) -> str | None:
        found = await session.get(Story, scene.story)
        assert found is not None
        return found.body

    assert await api.run(body) is None


# Rounds.


async def test_creating_opening_and_closing_a_round(api: Api, fay: Browser, scene: Scene) -> None:
    created = await fay.submit(
        "/facilitate/areas/willenhall/rounds/new",
        "/facilitate/areas/willenhall/rounds",
        {
            "title": "Rank them",
            "method": "ranked",
            "rankedTally": "schulze",
            "resultVisibility": "live",
            "closesDate": "2099-01-31",
            "closesTime": "21:00",
            "proposalIds": str(scene.proposals[2]),
        },
    )
    location = _follow(created)
    round_id = int(location.split("/")[3].split("?")[0])
    page = await fay.page(location)
    assert "Round created" in page.text
    assert "Schulze" in page.text

    async def the_round(session: AsyncSession) -> VotingRound:
        found = await session.get(VotingRound, round_id)
        assert found is not None
        return found

    made = await api.run(the_round)
    assert (made.method.value, made.ranked_tally.value, made.state) == (
        "ranked",
        "schulze",
        RoundState.DRAFT,
    )
    assert made.closes_at is not None
    assert made.closes_at.hour == 21
    opened = await fay.submit(location, f"/facilitate/rounds/{round_id}/open", {})
    assert "Round opened" in (await fay.page(_follow(opened))).text
    confirm = await fay.page(f"/facilitate/rounds/{round_id}/close")
    assert "This cannot be undone" in confirm.text
    closed = await fay.submit(
        f"/facilitate/rounds/{round_id}/close", f"/facilitate/rounds/{round_id}/close", {}
    )
    assert "Round closed" in (await fay.page(_follow(closed))).text
    assert (await api.run(the_round)).state is RoundState.CLOSED


async def test_a_dot_round_without_its_budget_changes_nothing(
    api: Api, fay: Browser, scene: Scene
) -> None:
    before = await _state(api)
    answer = await fay.submit(
        "/facilitate/areas/willenhall/rounds/new",
        "/facilitate/areas/willenhall/rounds",
        {"title": "Dots", "method": "dots", "resultVisibility": "live", "dotsPerPerson": ""},
    )
    assert answer.status_code == 400
    assert _error_links(answer.text) == ["proposalIds"]
    answer = await fay.submit(
        "/facilitate/areas/willenhall/rounds/new",
        "/facilitate/areas/willenhall/rounds",
        {
            "title": "Dots",
            "method": "dots",
            "resultVisibility": "live",
            "dotsPerPerson": "",
            "proposalIds": str(scene.proposals[2]),
        },
    )
    assert answer.status_code == 400
    assert _error_links(answer.text) == ["dotsPerPerson"]
    assert "Dot voting needs between 1 and" in answer.text
    assert await _state(api) == before


async def test_opening_an_open_round_again_says_why_and_changes_nothing(
    api: Api, fay: Browser, scene: Scene
) -> None:
    before = await _state(api)
    answer = await fay.submit(
        f"/facilitate/rounds/{scene.open_round}/close",
        f"/facilitate/rounds/{scene.open_round}/open",
        {},
    )
    assert answer.status_code == 409
    assert "The round is already open." in answer.text
    assert await _state(api) == before


# Paper ballots.


async def _ballot(api: Api, round_id: int, person_id: int) -> tuple[Ballot | None, list[int]]:
    async def work(session: AsyncSession) -> tuple[Ballot | None, list[int]]:
        ballot = await session.scalar(
            select(Ballot).where(Ballot.round_id == round_id, Ballot.person_id == person_id)
        )
        points = (
            list(
                await session.scalars(
                    select(BallotEntry.points)
                    .where(BallotEntry.ballot_id == ballot.id)
                    .order_by(BallotEntry.proposal_id)
                )
            )
            if ballot
            else []
        )
        return ballot, [p or 0 for p in points]

    return await api.run(work)


async def _audited(api: Api, verb: str) -> list[AuditEvent]:
    async def work(session: AsyncSession) -> list[AuditEvent]:
        return list(await session.scalars(select(AuditEvent).where(AuditEvent.verb == verb)))

    return await api.run(work)


async def test_a_paper_ballot_is_saved_as_assisted_and_audited(
    api: Api, fay: Browser, scene: Scene
) -> None:
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    first, second = scene.proposals[2:]
    saved = await fay.submit(
        paper, paper, {"voterName": " dot ", f"p-{first}": "3", f"p-{second}": "2"}
    )
    location = _follow(saved)
    assert location == f"{paper}?saved={scene.voters['Dot']}"
    again = await fay.page(location)
    assert "Saved ballot for Dot (assisted)" in again.text
    assert 'id="voterName"' in again.text
    assert "autofocus" in again.text
    assert 'value="Dot"' in again.text  # in the list of participants, not the field
    ballot, points = await _ballot(api, scene.open_round, scene.voters["Dot"])
    assert ballot is not None
    assert ballot.assisted_by_id == scene.facilitator
    assert points == [3, 2]
    events = await _audited(api, "ballot.recorded_for")
    assert [e.data["voter_id"] for e in events] == [scene.voters["Dot"]]
    assert events[0].actor_id == scene.facilitator


async def test_a_new_person_is_added_with_their_paper_ballot(
    api: Api, fay: Browser, scene: Scene
) -> None:
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    missing_kind = await fay.submit(
        paper, paper, {"voterName": "Bernie", "newPerson": "yes", f"p-{scene.proposals[2]}": "1"}
    )
    assert missing_kind.status_code == 400
    assert _error_links(missing_kind.text) == ["kind"]
    saved = await fay.submit(
        paper,
        paper,
        {
            "voterName": "Bernie",
            "newPerson": "yes",
            "kind": "professional",
            f"p-{scene.proposals[2]}": "1",
        },
    )
    assert "Saved ballot for Bernie (assisted)" in (await fay.page(_follow(saved))).text

    async def bernie(session: AsyncSession) -> tuple[Person, list[Role]]:
        person = await session.scalar(select(Person).where(Person.display_name == "Bernie"))
        assert person is not None
        roles = await session.scalars(select(AreaRole.role).where(AreaRole.person_id == person.id))
        return person, list(roles)

    person, roles = await api.run(bernie)
    assert person.kind is PersonKind.PROFESSIONAL
    assert person.email is None
    assert roles == [Role.PARTICIPANT]
    ballot, points = await _ballot(api, scene.open_round, person.id)
    assert ballot is not None
    assert ballot.assisted_by_id == scene.facilitator
    assert points == [1]


async def test_the_same_paper_sent_twice_adds_one_person_with_one_ballot(
    api: Api, fay: Browser, scene: Scene
) -> None:
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    fields = {
        "voterName": "Winnie",
        "newPerson": "yes",
        "kind": "resident",
        "idempotencyKey": "paper-17",
        f"p-{scene.proposals[2]}": "1",
    }
    first = await fay.submit(paper, paper, fields)
    again = await fay.submit(paper, paper, fields)
    assert first.status_code == again.status_code == 303
    assert _follow(first) == _follow(again)

    async def winnies(session: AsyncSession) -> list[int]:
        return list(await session.scalars(select(Person.id).where(Person.display_name == "Winnie")))

    (winnie,) = await api.run(winnies)
    ballot, points = await _ballot(api, scene.open_round, winnie)
    assert ballot is not None
    assert points == [1]


async def test_a_refused_ballot_adds_nobody_and_changes_nothing(
    api: Api, fay: Browser, scene: Scene
) -> None:
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    first, second = scene.proposals[2:]
    before = await _state(api)
    cases = [
        ({"voterName": "", f"p-{first}": "1"}, ["voterName"]),
        ({"voterName": "Nobody Known", f"p-{first}": "1"}, ["voterName"]),
        ({"voterName": "Dot", f"p-{first}": "three"}, ["choices"]),
        ({"voterName": "Dot", f"p-{first}": "3", f"p-{second}": "3"}, ["choices"]),
        ({"voterName": "Dot", f"p-{second}": "4"}, [f"p-{second}"]),
        ({"voterName": "Dot"}, ["choices"]),
        (
            {"voterName": "Zed", "newPerson": "yes", "kind": "resident", f"p-{first}": "9"},
            ["choices"],
        ),
    ]
    for fields, links in cases:
        answer = await fay.submit(paper, paper, fields)
        assert answer.status_code == 400, fields
        assert _error_links(answer.text) == links, (fields, answer.text)
    assert await _state(api) == before


async def test_two_people_with_one_name_are_told_apart(
    api: Api, fay: Browser, scene: Scene
) -> None:
    await api.someone("Dot", roles=[(Role.PARTICIPANT, "willenhall")], email="dot2@example.org")
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    fields = {"voterName": "Dot", f"p-{scene.proposals[2]}": "2"}
    answer = await fay.submit(paper, paper, fields)
    assert answer.status_code == 400
    assert _error_links(answer.text) == ["voterId"]
    chosen = await fay.submit(
        paper,
        paper,
        {**fields, "voterId": str(scene.voters["Dot"]), "voterIdName": "Dot"},
    )
    assert _follow(chosen).endswith(f"saved={scene.voters['Dot']}")


async def test_replacing_someones_own_ballot_needs_the_override_ticked(
    api: Api, fay: Browser, rita: Browser, scene: Scene
) -> None:
    first, second = scene.proposals[2:]
    own = await rita.graphql(
        "mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }",
        {
            "input": {
                "roundId": _round_gid(scene.open_round),
                "entries": [{"proposalId": _proposal_gid(first), "points": 1}],
            }
        },
    )
    assert own.json()["data"]["castBallot"]["errors"] == []
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    before = await _state(api)
    refused = await fay.submit(paper, paper, {"voterName": "Rita", f"p-{second}": "3"})
    assert refused.status_code == 400
    assert _error_links(refused.text) == ["override"]
    assert "This person cast their own ballot" in refused.text
    assert 'name="override"' in refused.text
    assert await _state(api) == before
    replaced = await fay.submit(
        paper,
        paper,
        {
            "voterName": "Rita",
            "voterId": str(scene.participant),
            "voterIdName": "Rita",
            f"p-{second}": "3",
            "override": str(scene.participant),
        },
    )
    _follow(replaced)
    ballot, points = await _ballot(api, scene.open_round, scene.participant)
    assert ballot is not None
    assert ballot.assisted_by_id == scene.facilitator
    assert points == [3]
    overridden = await _audited(api, "ballot.overridden")
    assert [e.data["voter_id"] for e in overridden] == [scene.participant]


async def test_a_paper_ballot_resent_after_the_person_voted_online_changes_nothing(
    api: Api, fay: Browser, rita: Browser, scene: Scene
) -> None:
    first, second = scene.proposals[2:]
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    fields = {
        "voterName": "Rita",
        "voterId": str(scene.participant),
        "voterIdName": "Rita",
        "idempotencyKey": "paper-K1",
        f"p-{second}": "3",
    }
    _follow(await fay.submit(paper, paper, fields))
    own = await rita.graphql(
        "mutation($input: CastBallotInput!) { castBallot(input: $input) { errors { code } } }",
        {
            "input": {
                "roundId": _round_gid(scene.open_round),
                "entries": [{"proposalId": _proposal_gid(first), "points": 1}],
            }
        },
    )
    assert own.json()["data"]["castBallot"]["errors"] == []
    before = await _state(api)

    resent = await fay.submit(paper, paper, fields)

    assert resent.status_code == 400
    assert "changed by someone else" in resent.text
    ballot, points = await _ballot(api, scene.open_round, scene.participant)
    assert ballot is not None
    assert ballot.assisted_by_id is None
    assert points == [1]
    refused = await _audited(api, "ballot.replay_refused")
    assert [(e.actor_id, e.data["voter_id"]) for e in refused] == [
        (scene.facilitator, scene.participant)
    ]
    after = await _state(api)
    # The refused replay is audited; nothing else changed.
    assert before.pop("audit_events") != after.pop("audit_events")
    assert after == before


async def test_paper_ballots_for_a_closed_round_are_refused(
    api: Api, fay: Browser, scene: Scene
) -> None:
    page = await fay.page(f"/facilitate/rounds/{scene.closed_round}/paper")
    assert "This round is not open for voting" in page.text
    before = await _state(api)
    answer = await fay.submit(
        f"/facilitate/rounds/{scene.open_round}/paper",
        f"/facilitate/rounds/{scene.closed_round}/paper",
        {"voterName": "Kev", f"p-{scene.proposals[0]}": "yes"},
    )
    assert answer.status_code == 400
    assert "This round has closed." in answer.text
    assert await _state(api) == before


def _round_gid(round_id: int) -> str:
    from server.ids import to_global_id

    return to_global_id("VotingRound", round_id)


def _proposal_gid(proposal_id: int) -> str:
    from server.ids import to_global_id

    return to_global_id("Proposal", proposal_id)


# Adopting priorities and posting updates.


async def test_adopting_a_priority_makes_an_action(api: Api, fay: Browser, scene: Scene) -> None:
    page = f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}"
    form = await fay.page(page)
    assert "group that meets every week" in form.text
    assert "Wellbeing team" in form.text
    assert "Tom" in form.text
    bad = await fay.submit(
        page,
        page,
        {"title": "Men's group", "teamId": "", "leadId": str(scene.team_member)},
    )
    assert bad.status_code == 400
    assert _error_links(bad.text) == ["leadId"]
    adopted = await fay.submit(
        page,
        page,
        {
            "title": "Men's group on Tuesdays",
            "teamId": str(scene.team),
            "leadId": str(scene.team_member),
            "targetDate": "2099-06-30",
        },
    )
    shown = await fay.page(_follow(adopted))
    assert "Priority adopted" in shown.text
    assert "30 June 2099" in shown.text

    async def action(session: AsyncSession) -> Action:
        found = await session.scalar(
            select(Action).where(Action.proposal_id == scene.waiting_priority)
        )
        assert found is not None
        return found

    made = await api.run(action)
    assert (made.title, made.team_id, made.lead_id) == (
        "Men's group on Tuesdays",
        scene.team,
        scene.team_member,
    )
    # Adopted once: the form now leads to the action.
    assert (await fay.page(page)).headers["location"] == f"/facilitate/actions/{made.id}"


async def test_posting_an_update_moves_the_action(api: Api, fay: Browser, scene: Scene) -> None:
    page = f"/facilitate/actions/{scene.action}/update"
    before = await _state(api)
    refused = await fay.submit(
        page,
        page,
        {"kind": "progress", "body": "All done.", "status": "done", "percentComplete": "50"},
    )
    assert refused.status_code == 400
    assert _error_links(refused.text) == ["percentComplete"]
    assert "A done action is 100% complete." in refused.text
    empty = await fay.submit(page, page, {"kind": "", "body": ""})
    assert _error_links(empty.text) == ["kind", "body"]
    assert await _state(api) == before
    posted = await fay.submit(
        page,
        page,
        {
            "kind": "blocker",
            "body": "No room free on Tuesdays.",
            "status": "blocked",
            "rag": "amber",
            "percentComplete": "10",
        },
    )
    shown = await fay.page(_follow(posted))
    assert "Update posted." in shown.text
    assert "No room free on Tuesdays." in shown.text

    async def state(session: AsyncSession) -> tuple[Action, list[Update]]:
        action = await session.get(Action, scene.action)
        assert action is not None
        updates = await session.scalars(select(Update).where(Update.action_id == scene.action))
        return action, list(updates)

    action, updates = await api.run(state)
    assert (action.status, action.rag.value, action.percent_complete) == (
        ActionStatus.BLOCKED,
        "amber",
        10,
    )
    assert [u.kind.value for u in updates] == ["blocker"]


async def test_a_core_team_member_may_post_updates_but_not_adopt(
    api: Api, browsers: Browsers, scene: Scene
) -> None:
    await api.run(_set_password("tom@willenhall.example"))
    tom = await _signed_in(browsers, "tom@willenhall.example")
    assert (await tom.page(f"/facilitate/actions/{scene.action}/update")).status_code == 200
    adopt = f"/facilitate/rounds/{scene.closed_round}/adopt/{scene.waiting_priority}"
    assert (await tom.page(adopt)).status_code == 403


async def test_pages_speak_polish_when_asked(fay: Browser, scene: Scene) -> None:
    page = await fay.client.get(
        f"/facilitate/rounds/{scene.open_round}/paper", headers={"Accept-Language": "pl"}
    )
    assert '<html lang="pl">' in page.text
    assert "Zapisz tę kartę" in page.text


async def test_a_signed_out_post_changes_nothing(api: Api, browser: Browser, scene: Scene) -> None:
    before = await _state(api)
    answer = await browser.submit(
        "/auth/sign-in",
        "/facilitate/areas/willenhall/conversations",
        {"title": "Anonymous", "prompt": "What keeps you well?"},
    )
    assert answer.status_code == 401
    assert "Sign in first" in answer.text
    assert await _state(api) == before


async def test_ranked_paper_ballots_use_rank_choices(api: Api, fay: Browser, scene: Scene) -> None:
    round_page = f"/facilitate/rounds/{scene.draft_round}"
    _follow(await fay.submit(round_page, f"{round_page}/open", {}))
    paper = f"{round_page}/paper"
    form = await fay.page(paper)
    assert '<select class="nhsuk-select lg-paper__rank' in form.text
    first, second = scene.proposals[2:]
    gap = await fay.submit(paper, paper, {"voterName": "Kev", f"p-{first}": "2"})
    assert gap.status_code == 400
    assert "no gaps" in gap.text
    saved = await fay.submit(
        paper, paper, {"voterName": "Kev", f"p-{first}": "2", f"p-{second}": "1"}
    )
    _follow(saved)

    async def ranks(session: AsyncSession) -> list[tuple[int, int | None]]:
        rows = await session.execute(
            select(BallotEntry.proposal_id, BallotEntry.rank)
            .join(Ballot, Ballot.id == BallotEntry.ballot_id)
            .where(Ballot.round_id == scene.draft_round, Ballot.person_id == scene.voters["Kev"])
            .order_by(BallotEntry.rank)
        )
        return [(p, r) for p, r in rows.all()]

    assert await api.run(ranks) == [(second, 1), (first, 2)]


async def test_approval_paper_ballots_use_checkboxes(api: Api, fay: Browser, scene: Scene) -> None:
    created = await fay.submit(
        "/facilitate/areas/willenhall/rounds/new",
        "/facilitate/areas/willenhall/rounds",
        {
            "title": "Tick them",
            "method": "approval",
            "resultVisibility": "after_close",
            "proposalIds": str(scene.proposals[3]),
        },
    )
    round_page = _follow(created).split("?")[0]
    _follow(await fay.submit(round_page, f"{round_page}/open", {}))
    paper = f"{round_page}/paper"
    form = await fay.page(paper)
    assert 'type="checkbox" value="yes"' in form.text
    saved = await fay.submit(paper, paper, {"voterName": "Amina", f"p-{scene.proposals[3]}": "yes"})
    assert "Saved ballot for Amina (assisted)" in (await fay.page(_follow(saved))).text
