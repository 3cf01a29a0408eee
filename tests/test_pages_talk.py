"""Resident pages for what the room said, reporting, notices, the data download,
erasure and the city's stages: as a browser without JavaScript sees them."""

from __future__ import annotations

from tests.http_browser import Browser
from tests.plan_support import pk
from tests.resident_support import account
from tests.support import Api, World


async def _conversation(api: Api, world: World) -> str:
    payload = await api.ok(
        "startConversation",
        {"areaSlug": "willenhall", "title": "At the library", "prompt": "What keeps you well?"},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    conversation_id: str = payload["conversation"]["id"]
    return conversation_id


async def test_a_resident_answers_on_the_conversations_page(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    page = f"/conversations/{pk(conversation)}"
    empty = await browser.submit(page, f"{page}/answers", {"answer": " "})
    assert empty.status_code == 400
    assert "Answer cannot be empty." in empty.text
    saved = await browser.submit(page, f"{page}/answers", {"answer": "My dog", "mayQuote": "yes"})
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{page}?answered=1#answers"
    shown = await browser.page(f"{page}?answered=1")
    assert "Your answer is saved" in shown.text
    assert "My dog" in shown.text
    facilitator_view = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Conversation { answers { edges { node { body mayQuote } } } } } }",
        {"id": conversation},
        as_=world.facilitator,
    )
    assert facilitator_view["node"]["answers"]["edges"] == [
        {"node": {"body": "My dog", "mayQuote": True}}
    ]


async def test_the_conversation_page_shows_its_record_and_themes(
    api: Api, browser: Browser
) -> None:
    world = await World(api).build()
    conversation = await _conversation(api, world)
    answer = await api.ok(
        "addAnswer",
        {"conversationId": conversation, "body": "Walks by the brook", "mayQuote": True},
        as_=world.resident,
        returning="answer { id }",
    )
    themes = await api.data('{ area(slug: "willenhall") { themes { id name } } }', as_=world.board)
    places = next(t["id"] for t in themes["area"]["themes"] if t["name"] == "places to go")
    await api.ok(
        "tagAnswer",
        {"answerId": answer["answer"]["id"], "themeIds": [places]},
        as_=world.facilitator,
        returning="answer { id }",
    )
    await api.ok(
        "updateConversation",
        {"conversationId": conversation, "headcount": 21, "closingSummary": "We will walk."},
        as_=world.facilitator,
        returning="conversation { id }",
    )
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    page = await browser.page(f"/conversations/{pk(conversation)}")
    assert page.status_code == 200
    for text in (
        "21 people",
        "We will walk.",
        "Fay Facilitator",
        "places to go",
        "Walks by the brook",
    ):
        assert text in page.text, text
    assert '<svg role="img"' in page.text
    download = await browser.page(f"/conversations/{pk(conversation)}/themes.csv")
    assert download.status_code == 200
    assert "places to go,1,Walks by the brook" in download.text


async def test_reporting_a_comment_from_its_page(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    comment = await api.ok(
        "addComment",
        {"subjectId": proposal, "body": "Rude words"},
        as_=world.gp,
        returning="comment { id }",
    )
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    proposal_page = await browser.page(f"/proposals/{pk(proposal)}")
    path = f"/report/comment/{pk(comment['comment']['id'])}"
    assert path in proposal_page.text
    missing = await browser.submit(path, path, {"reason": ""})
    assert missing.status_code == 400
    assert "Say what is wrong with it." in missing.text
    sent = await browser.submit(path, path, {"reason": "It is unkind"})
    assert sent.status_code == 200
    assert "Thank you for your report" in sent.text
    queue = await api.data(
        '{ area(slug: "willenhall") { reports { reason } } }', as_=world.facilitator
    )
    assert queue["area"]["reports"] == [{"reason": "It is unkind"}]
    assert (await browser.page("/report/comment/999999")).status_code == 404


async def test_notices_tell_the_author_what_happened_and_why(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    person_id = await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    page = "/conversations/" + str(pk(await _conversation(api, world)))
    await browser.submit(page, page + "/propose", {"title": "A new road", "description": "Wide."})
    ideas = await api.data(
        '{ area(slug: "willenhall") { proposals { edges { node { id } } } } }', as_=world.board
    )
    await api.ok(
        "declineProposal",
        {
            "proposalId": ideas["area"]["proposals"]["edges"][0]["node"]["id"],
            "reason": "Roads are the council's",
        },
        as_=world.facilitator,
        returning="proposal { id }",
    )
    notices = await browser.page("/notifications")
    assert "Roads are the council&#39;s" in notices.text
    profile = await browser.page("/auth/profile")
    for link in ("/notifications", "/me/export.zip", "/me/erase"):
        assert link in profile.text
    assert person_id


async def test_a_resident_downloads_their_data_and_deletes_their_account(
    api: Api, browser: Browser
) -> None:
    await World(api).build()
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    download = await browser.page("/me/export.zip")
    assert download.status_code == 200
    assert download.headers["content-type"] == "application/zip"
    wrong = await browser.submit("/me/erase", "/me/erase", {"confirm": "yes"})
    assert wrong.status_code == 400
    assert "Type ERASE in capital letters to confirm." in wrong.text
    erased = await browser.submit("/me/erase", "/me/erase", {"confirm": "ERASE"})
    assert erased.status_code == 303
    assert erased.headers["location"] == "/me/erased"
    assert "Your account is deleted" in (await browser.page("/me/erased")).text
    assert (await browser.page("/notifications")).status_code == 303
    again = await browser.sign_in("rosa@example.org")
    assert again.status_code != 303


async def test_the_city_page_shows_each_areas_stage(api: Api, browser: Browser) -> None:
    world = await World(api).build()
    await _conversation(api, world)
    await account(api, "rosa@example.org", "Rosa Resident")
    await browser.sign_in("rosa@example.org")
    assert "/areas/coventry/stages" in (await browser.page("/areas/coventry")).text
    page = await browser.page("/areas/coventry/stages")
    assert page.status_code == 200
    assert "Listening: conversations held" in page.text
    assert "Not started yet" in page.text
