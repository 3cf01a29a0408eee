"""Facilitator pages for paper cards, themes, the record, settings and moderation,
as a browser without JavaScript sees them."""

from __future__ import annotations

from server.people.models import Role
from tests.http_browser import Browser
from tests.plan_support import pk
from tests.resident_support import account
from tests.support import Api, World

EMAIL = "fran@example.org"


async def _signed_in_facilitator(api: Api, browser: Browser) -> World:
    world = await World(api).build()
    await account(api, EMAIL, "Fran Facilitator", role=Role.FACILITATOR)
    assert (await browser.sign_in(EMAIL)).status_code == 303
    return world


async def _conversation(api: Api, world: World) -> str:
    payload = await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "At the library", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    conversation_id: str = payload["conversation"]["id"]
    return conversation_id


async def test_typing_a_paper_card_and_sorting_it_into_themes(api: Api, browser: Browser) -> None:
    world = await _signed_in_facilitator(api, browser)
    conversation = await _conversation(api, world)
    page = f"/facilitate/conversations/{pk(conversation)}/answers"
    empty = await browser.submit(page, page, {"body": ""})
    assert empty.status_code == 400
    assert "Type the words on the card." in empty.text
    saved = await browser.submit(page, page, {"body": "Bingo at the club", "mayQuote": "yes"})
    assert saved.status_code == 303
    data = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Conversation { answers { edges { node { id fromPaper } } } } } }",
        {"id": conversation},
        as_=world.facilitator,
    )
    (edge,) = data["node"]["answers"]["edges"]
    assert edge["node"]["fromPaper"] is True
    themes = await api.data('{ area(slug: "willenhall") { themes { id name } } }', as_=world.board)
    clubs = next(t["id"] for t in themes["area"]["themes"] if t["name"] == "groups and clubs")
    tagged = await browser.submit(
        page, f"/facilitate/answers/{pk(edge['node']['id'])}/themes", {"theme": str(pk(clubs))}
    )
    assert tagged.status_code == 303
    listed = await browser.page(page)
    assert f'value="{pk(clubs)}" checked' in listed.text
    summary = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Conversation { themeSummary { answers examples theme { name } } } } }",
        {"id": conversation},
        as_=world.board,
    )
    assert summary["node"]["themeSummary"][0] == {
        "answers": 1,
        "examples": ["Bingo at the club"],
        "theme": {"name": "groups and clubs"},
    }


async def test_keeping_the_conversations_record(api: Api, browser: Browser) -> None:
    world = await _signed_in_facilitator(api, browser)
    conversation = await _conversation(api, world)
    page = f"/facilitate/conversations/{pk(conversation)}/record"
    bad = await browser.submit(page, page, {"headcount": "lots", "closingSummary": ""})
    assert bad.status_code == 400
    assert "Enter the headcount as a whole number, like 24." in bad.text
    saved = await browser.submit(
        page,
        page,
        {
            "headcount": "27",
            "closingSummary": "Walks start in May.",
            "facilitator": str(world.facilitator.person_id),
        },
    )
    assert saved.status_code == 303
    record = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Conversation { headcount closingSummary facilitators { displayName } } } }",
        {"id": conversation},
        as_=world.board,
    )
    assert record["node"] == {
        "headcount": 27,
        "closingSummary": "Walks start in May.",
        "facilitators": [{"displayName": "Fay Facilitator"}],
    }
    shown = await browser.page(saved.headers["location"])
    assert "The record is saved" in shown.text


async def test_keeping_the_theme_list_and_settings(api: Api, browser: Browser) -> None:
    await _signed_in_facilitator(api, browser)
    page = "/facilitate/areas/willenhall/themes"
    added = await browser.submit(page, page, {"name": "Faith"})
    assert added.status_code == 303
    again = await browser.submit(page, page, {"name": "faith"})
    assert again.status_code == 400
    assert "There is a theme with that name already." in again.text
    settings = await browser.submit(
        page,
        "/facilitate/areas/willenhall/settings",
        {
            "prompts": "What keeps you well?\nWhat gets in the way?",
            "roundMethod": "ranked",
            "dotsPerPerson": "8",
            "maxDotsPerItem": "3",
            "resultVisibility": "live",
        },
    )
    assert settings.status_code == 303
    shown = await browser.page(settings.headers["location"])
    assert "Settings saved" in shown.text
    assert "What gets in the way?" in shown.text
    # New rounds start from the area's round settings, new conversations from its question.
    dots = await browser.submit(
        page,
        "/facilitate/areas/willenhall/settings",
        {
            "prompts": "What gets in the way?",
            "roundMethod": "dots",
            "dotsPerPerson": "8",
            "maxDotsPerItem": "3",
            "resultVisibility": "live",
        },
    )
    assert dots.status_code == 303
    new_round = (await browser.page("/facilitate/areas/willenhall/rounds/new")).text
    assert 'name="dotsPerPerson" type="number" value="8"' in new_round
    assert 'value="dots" checked' in new_round
    new_conversation = await browser.page("/facilitate/areas/willenhall/conversations/new")
    assert "What gets in the way?" in new_conversation.text
    bad = await browser.submit(
        page,
        "/facilitate/areas/willenhall/settings",
        {
            "prompts": "Q",
            "roundMethod": "dots",
            "dotsPerPerson": "2",
            "maxDotsPerItem": "5",
            "resultVisibility": "live",
        },
    )
    assert bad.status_code == 400


async def test_working_through_the_reports(api: Api, browser: Browser) -> None:
    world = await _signed_in_facilitator(api, browser)
    proposal = await world.proposal()
    rude = await api.ok(
        "addComment",
        {"subjectId": proposal, "body": "Rude words"},
        as_=world.gp,
        returning="comment { id }",
    )
    fair = await api.ok(
        "addComment",
        {"subjectId": proposal, "body": "Fair point"},
        as_=world.gp,
        returning="comment { id }",
    )
    for comment in (rude, fair):
        await api.ok(
            "reportContent",
            {"subjectId": comment["comment"]["id"], "reason": "Please look"},
            as_=world.resident,
            returning="report { id }",
        )
    queue = await browser.page("/facilitate/areas/willenhall/reports")
    assert "Rude words" in queue.text
    assert "Fair point" in queue.text
    hide_page = f"/facilitate/hide/comment/{pk(rude['comment']['id'])}"
    no_reason = await browser.submit(hide_page, hide_page, {"reason": ""})
    assert no_reason.status_code == 400
    hidden = await browser.submit(hide_page, hide_page, {"reason": "Personal remarks"})
    assert hidden.status_code == 303
    reports = await api.data(
        '{ area(slug: "willenhall") { reports { id subject { id } } } }', as_=world.facilitator
    )
    (left,) = reports["area"]["reports"]
    assert left["subject"] == {"id": fair["comment"]["id"]}
    dismissed = await browser.submit(
        "/facilitate/areas/willenhall/reports", f"/facilitate/reports/{pk(left['id'])}/dismiss", {}
    )
    assert dismissed.status_code == 303
    assert (
        "There are no reports to look at."
        in (await browser.page(dismissed.headers["location"])).text
    )


async def test_declining_and_merging_ideas(api: Api, browser: Browser) -> None:
    world = await _signed_in_facilitator(api, browser)
    road, walk, walks = (
        await world.proposal("A new road"),
        await world.proposal("Walking group"),
        await world.proposal("Walks"),
    )
    page = f"/facilitate/proposals/{pk(road)}"
    no_reason = await browser.submit(page, f"{page}/decline", {"reason": ""})
    assert no_reason.status_code == 400
    declined = await browser.submit(page, f"{page}/decline", {"reason": "Council roads"})
    assert declined.status_code == 303
    merge_page = f"/facilitate/proposals/{pk(walks)}"
    assert f'value="{pk(walk)}"' in (await browser.page(merge_page)).text
    merged = await browser.submit(merge_page, f"{merge_page}/merge", {"into": str(pk(walk))})
    assert merged.status_code == 303
    statuses = await api.data(
        "query($a: ID!, $b: ID!) { a: node(id: $a) { ... on Proposal { status } } "
        "b: node(id: $b) { ... on Proposal { status mergedInto { id } } } }",
        {"a": road, "b": walks},
        as_=world.board,
    )
    assert statuses == {
        "a": {"status": "DECLINED"},
        "b": {"status": "MERGED", "mergedInto": {"id": walk}},
    }


async def test_residents_cannot_use_the_facilitator_pages(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    for path in (
        f"/facilitate/conversations/{pk(conversation)}/answers",
        f"/facilitate/conversations/{pk(conversation)}/record",
        "/facilitate/areas/willenhall/themes",
        "/facilitate/areas/willenhall/reports",
        f"/facilitate/proposals/{pk(await world.proposal())}",
    ):
        assert (await browser.page(path)).status_code == 403, path
