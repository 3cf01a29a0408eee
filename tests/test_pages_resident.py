"""Resident pages over HTTP, as a browser without JavaScript sees them."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.ids import to_global_id
from server.people.models import PersonKind, Role
from server.voting import repository as voting_repo
from tests.http_browser import Browser, csrf_token
from tests.plan_support import Plan, pk
from tests.resident_support import account
from tests.support import Api, World


async def _resident(api: Api, browser: Browser, email: str = "rosa@example.org") -> int:
    person_id = await account(api, email, "Rosa Resident")
    assert (await browser.sign_in(email)).status_code == 303
    return person_id


async def test_pages_ask_to_sign_in_and_come_back(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    page = await browser.page(f"/conversations/{pk(plan.conversation)}")
    assert page.status_code == 303
    assert page.headers["location"] == (
        f"/auth/sign-in?next=%2Fconversations%2F{pk(plan.conversation)}"
    )
    await account(api, "rosa@example.org", "Rosa Resident")
    sign_in_page = await browser.page(page.headers["location"])
    assert f'name="next" value="/conversations/{pk(plan.conversation)}"' in sign_in_page.text
    signed_in = await browser.client.post(
        "/auth/sign-in",
        data={
            "csrf_token": csrf_token(sign_in_page.text),
            "email": "rosa@example.org",
            "password": "correct horse battery",
            "next": f"/conversations/{pk(plan.conversation)}",
        },
        headers={"Origin": browser.origin},
    )
    assert signed_in.headers["location"] == f"/conversations/{pk(plan.conversation)}"


async def test_sign_in_never_sends_people_to_another_site(api: Api, browser: Browser) -> None:
    await account(api, "rosa@example.org", "Rosa Resident", role=None)
    for elsewhere in ("https://evil.example/", "//evil.example/x", "/\\evil.example"):
        page = await browser.page("/auth/sign-in?next=" + elsewhere)
        assert "evil.example" not in page.text
        answer = await browser.client.post(
            "/auth/sign-in",
            data={
                "csrf_token": csrf_token(page.text),
                "email": "rosa@example.org",
                "password": "correct horse battery",
                "next": elsewhere,
            },
            headers={"Origin": browser.origin},
        )
        assert answer.headers["location"] == "/"


async def test_home_lists_areas_once_signed_in(api: Api, browser: Browser) -> None:
    await Plan.build(api)
    assert "/areas/willenhall" not in (await browser.page("/")).text
    await _resident(api, browser)
    home = (await browser.page("/")).text
    assert 'href="/areas/coventry"' in home
    assert 'href="/areas/willenhall"' in home
    assert 'href="/facilitate"' not in home


async def test_home_shows_facilitators_the_way_to_their_pages(api: Api, browser: Browser) -> None:
    await Plan.build(api)
    await account(api, "fran@example.org", "Fran", role=Role.FACILITATOR, area="coventry")
    assert (await browser.sign_in("fran@example.org")).status_code == 303
    home = (await browser.page("/")).text
    assert 'href="/facilitate"' in home
    assert (await browser.page("/facilitate")).status_code == 200


async def test_area_home_shows_votes_priorities_plan_and_conversations(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await plan.adopt(0)
    open_round = await plan.world.round([plan.proposals[1]])
    await _resident(api, browser)
    page = await browser.page("/areas/willenhall")
    assert page.status_code == 200
    assert f'href="/rounds/{pk(open_round)}"' in page.text
    assert f'href="/rounds/{pk(plan.round)}/results"' in page.text
    assert "Walking group" in page.text
    assert "There is 1 action in the plan." in page.text
    assert 'href="/areas/willenhall/plan"' in page.text
    assert f'href="/conversations/{pk(plan.conversation)}"' in page.text


async def test_missing_things_answer_a_404_page(api: Api, browser: Browser) -> None:
    await _world_with_resident(api, browser)
    for path in (
        "/areas/nowhere",
        "/areas/nowhere/plan",
        "/conversations/999999",
        "/conversations/abc",
        "/conversations/999999/propose",
        "/proposals/999999",
        "/rounds/999999",
        "/rounds/999999/results",
        "/actions/999999",
    ):
        page = await browser.page(path)
        assert page.status_code == 404, path
        assert "Page not found" in page.text
        assert 'href="/"' in page.text


async def _world_with_resident(api: Api, browser: Browser) -> None:
    await World(api).build()
    await _resident(api, browser)


async def _story(plan: Plan, scope: str, body: str) -> str:
    payload = await plan.api.ok(
        "addStory",
        {
            "conversationId": plan.conversation,
            "tellerPseudonym": f"Teller {scope.lower()}",
            "body": body,
            "consentScope": scope,
        },
        as_=plan.world.facilitator,
        returning="story { id }",
    )
    story_id: str = payload["story"]["id"]
    return story_id


async def test_conversation_shows_prompt_ideas_and_stories_within_consent(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _story(plan, "PARTICIPANTS", "Shared with participants only.")
    await _story(plan, "FACILITATORS", "Kept for the facilitators.")
    withdrawn = await _story(plan, "PUBLIC", "Taken back later.")
    await api.ok(
        "withdrawStory",
        {"storyId": withdrawn},
        as_=plan.world.facilitator,
        returning="story { id }",
    )
    await _resident(api, browser)
    page = (await browser.page(f"/conversations/{pk(plan.conversation)}")).text
    assert "What keeps you well?" in page
    assert "People kept me well." in page
    assert "Shared with participants only." in page
    assert "Kept for the facilitators." not in page
    assert "Taken back later." not in page
    assert "asked us to take it down" in page
    assert f'href="/proposals/{pk(plan.proposals[0])}"' in page
    assert f'href="/conversations/{pk(plan.conversation)}/propose"' in page


async def test_participant_scoped_stories_stay_hidden_from_other_areas(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _story(plan, "PARTICIPANTS", "Shared with participants only.")
    await account(api, "olga@example.org", "Olga", area="tile-hill")
    await browser.sign_in("olga@example.org")
    page = (await browser.page(f"/conversations/{pk(plan.conversation)}")).text
    assert "People kept me well." in page
    assert "Shared with participants only." not in page
    assert "join one of its conversations" in page


async def test_proposing_without_a_title_shows_an_error_summary_and_saves_nothing(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    path = f"/conversations/{pk(plan.conversation)}/propose"
    answer = await browser.submit(path, path, {"title": "  ", "description": "Benches."})
    assert answer.status_code == 400
    assert "There is a problem" in answer.text
    assert '<a href="#title">Give your idea a short name.</a>' in answer.text
    assert 'aria-describedby="title-hint title-error"' in answer.text
    assert "Benches." in answer.text
    assert answer.text.count("<title>Error:") == 1
    data = await api.data(
        '{ area(slug: "willenhall") { proposals { totalCount } } }', as_=plan.world.resident
    )
    assert data["area"]["proposals"]["totalCount"] == len(plan.proposals)


async def test_proposing_an_idea_confirms_and_links_it_to_the_conversation(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    path = f"/conversations/{pk(plan.conversation)}/propose"
    answer = await browser.submit(
        path, path, {"title": "Benches by the park", "description": "Somewhere to rest."}
    )
    assert answer.status_code == 303
    location = answer.headers["location"]
    assert re.fullmatch(r"/proposals/\d+\?shared=1", location)
    page = (await browser.page(location)).text
    assert "Your idea is shared" in page
    assert "Shared by Rosa Resident" in page
    assert f'href="/conversations/{pk(plan.conversation)}"' in page


async def test_people_outside_the_area_are_asked_to_join_before_proposing(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await account(api, "olga@example.org", "Olga", area="tile-hill")
    await browser.sign_in("olga@example.org")
    path = f"/conversations/{pk(plan.conversation)}/propose"
    assert 'name="title"' not in (await browser.page(path)).text
    # A form kept from before, or made up: the service still refuses it.
    answer = await browser.submit("/auth/join", path, {"title": "Mine", "description": "Mine."})
    assert answer.status_code == 400
    assert "first join a conversation in this area" in answer.text


async def test_posts_without_the_csrf_token_or_from_elsewhere_change_nothing(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    proposal = f"/proposals/{pk(plan.proposals[0])}"
    no_token = await browser.client.post(
        proposal, data={"body": "Sneaky"}, headers={"Origin": browser.origin}
    )
    assert no_token.status_code == 403
    elsewhere = await browser.submit(
        proposal, proposal, {"body": "Sneaky"}, origin="https://evil.example"
    )
    assert elsewhere.status_code == 403
    path = f"/conversations/{pk(plan.conversation)}/propose"
    no_token = await browser.client.post(
        path, data={"title": "Sneaky", "description": "x"}, headers={"Origin": browser.origin}
    )
    assert no_token.status_code == 403
    assert "Sneaky" not in (await browser.page(proposal)).text


async def test_comments_and_replies_show_display_names_only(
    api: Api, browser: Browser, browsers: Callable[..., Browser]
) -> None:
    """Lanyards off: nobody's kind, role, job or organisation beside what they wrote."""
    plan = await Plan.build(api)
    await _resident(api, browser)
    gp = browsers()
    await account(
        api,
        "gita@example.org",
        "Gita",
        kind=PersonKind.PROFESSIONAL,
        role=Role.FACILITATOR,
        affiliation="Willenhall Medical Centre",
    )
    await gp.sign_in("gita@example.org")
    proposal = f"/proposals/{pk(plan.proposals[0])}"
    posted = await gp.submit(proposal, proposal, {"body": "We could host it at the surgery."})
    assert posted.status_code == 303
    comment_id = re.fullmatch(r"/proposals/\d+#comment-(\d+)", posted.headers["location"])
    assert comment_id
    reply = await browser.submit(
        proposal, proposal, {"body": "Yes please!", "parent": comment_id.group(1)}
    )
    assert reply.status_code == 303
    page = (await browser.page(proposal)).text
    assert "We could host it at the surgery." in page
    assert "Yes please!" in page
    assert "<strong>Gita</strong>" in page
    assert "<strong>Rosa Resident</strong>" in page
    lowered = page.lower()
    for private in ("professional", "facilitator", "medical centre"):
        assert private not in lowered, private


async def test_an_empty_comment_shows_an_error_linked_to_its_box(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    proposal = f"/proposals/{pk(plan.proposals[0])}"
    answer = await browser.submit(proposal, proposal, {"body": "   "})
    assert answer.status_code == 400
    assert '<a href="#body">Write your comment.</a>' in answer.text
    assert 'id="body-error"' in answer.text
    assert "Nobody has commented yet." in answer.text


async def test_htmx_comment_answers_the_comment_list_only(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    proposal = f"/proposals/{pk(plan.proposals[0])}"
    token = csrf_token((await browser.page(proposal)).text)
    answer = await browser.client.post(
        proposal,
        data={"csrf_token": token, "body": "Count me in."},
        headers={"Origin": browser.origin, "HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="comments"')
    assert "Count me in." in answer.text
    assert "data-focus" in answer.text
    empty = await browser.client.post(
        proposal,
        data={"csrf_token": token, "body": ""},
        headers={"Origin": browser.origin, "HX-Request": "true"},
    )
    assert empty.status_code == 400
    assert "There is a problem" in empty.text
    assert "<html" not in empty.text


async def _open_round(plan: Plan, method: str, **extra: Any) -> tuple[int, list[int]]:
    round_id = await plan.world.round(plan.proposals, method=method, **extra)
    return pk(round_id), [pk(p) for p in plan.proposals]


async def _my_entries(
    api: Api, round_id: int, person_id: int
) -> list[tuple[int, int | None, int | None]]:
    async def work(session: AsyncSession) -> list[tuple[int, int | None, int | None]]:
        ballot = await voting_repo.ballot_of(session, round_id, person_id)
        if ballot is None:
            return []
        entries = await voting_repo.entries_of(session, [ballot.id])
        return sorted((e.proposal_id, e.points, e.rank) for e in entries)

    return await api.run(work)


async def test_approval_vote_is_saved_confirmed_and_can_be_changed(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    me = await _resident(api, browser)
    round_id, (a, b, c) = await _open_round(plan, "APPROVAL")
    path = f"/rounds/{round_id}"
    page = (await browser.page(path)).text
    assert 'type="checkbox"' in page
    assert "Send my vote" in page
    token = csrf_token(page)
    cast = await browser.client.post(
        path,
        data={"csrf_token": token, "approve": [str(a), str(c)]},
        headers={"Origin": browser.origin},
    )
    assert cast.status_code == 303
    assert cast.headers["location"] == f"{path}/voted"
    confirmation = (await browser.page(f"{path}/voted")).text
    assert "Your vote is saved" in confirmation
    assert await _my_entries(api, round_id, me) == [(a, 1, None), (c, 1, None)]
    again = (await browser.page(path)).text
    assert "Change my vote" in again
    assert re.search(rf'value="{a}" checked', again)
    assert not re.search(rf'value="{b}" checked', again)
    changed = await browser.client.post(
        path,
        data={"csrf_token": token, "approve": [str(b)]},
        headers={"Origin": browser.origin},
    )
    assert changed.status_code == 303
    assert await _my_entries(api, round_id, me) == [(b, 1, None)]


async def test_an_empty_approval_ballot_is_refused_with_an_error_summary(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    me = await _resident(api, browser)
    round_id, _ = await _open_round(plan, "APPROVAL")
    path = f"/rounds/{round_id}"
    answer = await browser.submit(path, path, {})
    assert answer.status_code == 400
    assert '<a href="#ballot">Choose at least one idea.</a>' in answer.text
    assert await _my_entries(api, round_id, me) == []


async def test_dots_over_budget_are_refused_and_nothing_is_saved(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    me = await _resident(api, browser)
    round_id, (a, b, c) = await _open_round(plan, "DOTS", dotsPerPerson=5, maxDotsPerItem=4)
    path = f"/rounds/{round_id}"
    page = (await browser.page(path)).text
    assert "You have 5 dots to share out." in page
    answer = await browser.submit(path, path, {f"dots-{a}": "4", f"dots-{b}": "3"})
    assert answer.status_code == 400
    assert "You gave 7 dots but you have only 5. Take some dots away." in answer.text
    assert 'value="4"' in answer.text
    assert await _my_entries(api, round_id, me) == []
    too_many_on_one = await browser.submit(path, path, {f"dots-{c}": "5"})
    assert too_many_on_one.status_code == 400
    assert f'<a href="#dots-{c}">You can put up to 4 dots on one idea.</a>' in (
        too_many_on_one.text
    )
    not_a_number = await browser.submit(path, path, {f"dots-{c}": "two"})
    assert not_a_number.status_code == 400
    assert f'<a href="#dots-{c}">Enter the dots for' in not_a_number.text
    saved = await browser.submit(path, path, {f"dots-{a}": "3", f"dots-{b}": "0", f"dots-{c}": "2"})
    assert saved.status_code == 303
    assert await _my_entries(api, round_id, me) == [(a, 3, None), (c, 2, None)]
    prefilled = (await browser.page(path)).text
    assert re.search(rf'id="dots-{a}"[^>]*value="3"', prefilled)


async def test_ranked_gaps_and_repeats_are_refused_clearly(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    me = await _resident(api, browser)
    round_id, (a, b, c) = await _open_round(plan, "RANKED")
    path = f"/rounds/{round_id}"
    page = (await browser.page(path)).text
    assert f'<select class="nhsuk-select" id="rank-{a}"' in page
    for bad in ({f"rank-{a}": "1", f"rank-{b}": "3"}, {f"rank-{a}": "1", f"rank-{b}": "1"}):
        answer = await browser.submit(path, path, bad)
        assert answer.status_code == 400
        assert "Do not skip a number and do not use a number twice." in answer.text
        assert await _my_entries(api, round_id, me) == []
    saved = await browser.submit(path, path, {f"rank-{c}": "1", f"rank-{a}": "2", f"rank-{b}": ""})
    assert saved.status_code == 303
    assert await _my_entries(api, round_id, me) == [(a, None, 2), (c, None, 1)]
    assert re.search(
        rf'id="rank-{c}".*?<option value="1" selected>', (await browser.page(path)).text, re.S
    )


async def test_sealed_results_stay_out_of_the_page_until_the_round_closes(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    round_id, (a, _, _) = await _open_round(plan, "APPROVAL", resultVisibility="AFTER_CLOSE")
    await plan.world.cast(_gid(round_id), plan.world.gp, {"proposalId": plan.proposals[0]})
    path = f"/rounds/{round_id}/results"
    sealed = (await browser.page(path)).text
    assert "1 person voted." in sealed
    assert "The results will show when voting closes." in sealed
    assert "<svg" not in sealed
    assert "<table" not in sealed
    assert f'href="/proposals/{a}"' not in sealed
    await plan.world.close(_gid(round_id))
    shown = (await browser.page(path)).text
    assert 'class="lg-chart" role="img"' in shown
    assert "<table" in shown
    assert f'href="/proposals/{a}"' in shown
    assert "at least 5 of each voted" in shown


async def test_after_own_ballot_results_show_once_i_have_voted(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    round_id, (a, _, _) = await _open_round(plan, "APPROVAL", resultVisibility="AFTER_OWN_BALLOT")
    path = f"/rounds/{round_id}/results"
    assert "You will see the results once you have voted." in (await browser.page(path)).text
    await browser.submit(f"/rounds/{round_id}", f"/rounds/{round_id}", {"approve": str(a)})
    assert "<table" in (await browser.page(path)).text


async def test_role_split_shows_only_when_the_service_gives_it(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    round_id, _ = await _open_round(plan, "APPROVAL")
    for voter in [
        *await plan.world.voters(5),
        *await plan.world.voters(5, PersonKind.PROFESSIONAL),
    ]:
        await plan.world.cast(_gid(round_id), voter, {"proposalId": plan.proposals[0]})
    await plan.world.close(_gid(round_id))
    page = (await browser.page(f"/rounds/{round_id}/results")).text
    assert "Residents (5 voted)" in page
    assert "Professionals (5 voted)" in page


def _gid(round_id: int) -> str:
    return to_global_id("VotingRound", round_id)


async def test_closed_and_draft_rounds_say_so_instead_of_a_form(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    closed = (await browser.page(f"/rounds/{pk(plan.round)}")).text
    assert "This vote has finished." in closed
    assert 'name="approve"' not in closed
    draft = await plan.world.round(plan.proposals[:1], open=False)
    page = (await browser.page(f"/rounds/{pk(draft)}")).text
    assert "This vote has not started yet." in page
    results = (await browser.page(f"/rounds/{pk(draft)}/results")).text
    assert "has not started yet, so there are no results" in results


async def test_htmx_vote_answers_the_confirmation_in_place(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    round_id, (a, _, _) = await _open_round(plan, "APPROVAL")
    path = f"/rounds/{round_id}"
    token = csrf_token((await browser.page(path)).text)
    answer = await browser.client.post(
        path,
        data={"csrf_token": token, "approve": str(a)},
        headers={"Origin": browser.origin, "HX-Request": "true"},
    )
    assert answer.status_code == 200
    assert answer.text.lstrip().startswith('<section id="ballot-section"')
    assert "Your vote is saved" in answer.text


async def test_action_plan_shows_status_rag_in_words_progress_and_news(
    api: Api, browser: Browser
) -> None:
    plan = await Plan.build(api)
    action = await plan.adopt(0)
    await plan.post(
        action, "PROGRESS", "We met the walkers.", percentComplete=40, status="IN_PROGRESS"
    )
    finished = await plan.adopt(1)
    await plan.post(
        finished,
        "PROGRESS",
        "All done.",
        percentComplete=100,
        status="DONE",
        closingStatement="The drop-in runs every Tuesday.",
    )
    await _resident(api, browser)
    page = (await browser.page("/areas/willenhall/plan")).text
    assert "Being done now" in page
    assert "Going well" in page
    assert re.search(r'<progress id="progress-\d+" class="lg-progress" max="100" value="40">', page)
    assert "40% done" in page
    assert "We met the walkers." in page
    assert "The drop-in runs every Tuesday." in page
    assert f'href="/rounds/{pk(plan.round)}/results"' in page
    detail = (await browser.page(f"/actions/{pk(action)}")).text
    assert "Walking group" in detail
    assert "Willenhall core team" in detail
    assert "News from the team" in detail
    assert f'href="/conversations/{pk(plan.conversation)}"' in detail


def test_every_resident_page_message_has_a_polish_translation() -> None:
    from babel.messages.extract import extract_from_dir

    from web.i18n import translations

    polish = translations("pl")
    found: list[str] = []
    for folder in ("web/resident", "web/templates/resident"):
        for _, _, message, _, _ in extract_from_dir(
            folder,
            [("**.py", "python"), ("**.html", "jinja2")],
            options_map={"**.html": {"extensions": "jinja2.ext.i18n"}},
        ):
            found.append(message if isinstance(message, str) else message[0])
    assert len(found) > 100
    untranslated = [m for m in found if polish.gettext(m) == m]
    assert untranslated == []


async def test_pages_speak_polish_when_asked(api: Api, browser: Browser) -> None:
    plan = await Plan.build(api)
    await _resident(api, browser)
    round_id, _ = await _open_round(plan, "DOTS", dotsPerPerson=5)
    page = (await browser.page(f"/rounds/{round_id}?lang=pl")).text
    assert '<html lang="pl">' in page
    assert "Wyślij mój głos" in page
    assert "Masz 5 kropek do rozdania." in page
