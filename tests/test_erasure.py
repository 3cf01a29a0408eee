"""Erasure: a person becomes a nameless tombstone. Tallies, priorities and frozen
snapshots do not change; no query, page or export returns their name, email or words."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from typing import Any

import pytest

from server.config import Settings
from server.people.models import Role
from tests.http_browser import Browser
from tests.resident_support import account
from tests.support import Api, Someone, World

Json = dict[str, Any]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # EVERYTHING asks for every place a name or words can appear at once, past the cost a
    # client may ask for (schema/limits.py); the limit is not what it tests.
    return settings.model_copy(update={"max_query_cost": 10_000_000, "max_query_fields": 100_000})


NAME = "Rosalind Quenby"
EMAIL = "rosalind.quenby@example.org"
WORDS = {
    "answer": "My allotment on Quenby Lane",
    "comment": "Quenby says count her in",
    "private idea": "Quenby's own bench plan",
    "story": "Quenby walked every day after her stroke",
}
RESULTS = (
    "query($id: ID!) { node(id: $id) { ... on VotingRound { turnout results { snapshotHash "
    "rows { rank score supporters proposal { id title } } byKind { kind voters } } } } }"
)


NOTIFIED = "{ viewer { notifications(first: 100) { edges { node { message } } } } }"


async def _world_with_rosalind(api: Api) -> tuple[World, Someone, dict[str, str]]:
    world = await World(api).build()
    rosalind = await api.someone(NAME, email=EMAIL, roles=[(Role.PARTICIPANT, "willenhall")])
    conversation = (
        await api.ok(
            "startConversation",
            {"areaSlug": "willenhall", "title": "Talk", "prompt": "What keeps you well?"},
            as_=world.facilitator,
            returning="conversation { id }",
        )
    )["conversation"]["id"]
    answer = await api.ok(
        "addAnswer",
        {"conversationId": conversation, "body": WORDS["answer"], "mayQuote": True},
        as_=rosalind,
        returning="answer { id }",
    )
    await api.ok(
        "reportContent",
        {"subjectId": answer["answer"]["id"], "reason": "Names a lane"},
        as_=world.facilitator,
        returning="report { id }",
    )
    await api.ok(
        "addStory",
        {
            "conversationId": conversation,
            "tellerPseudonym": "Ros",
            "body": WORDS["story"],
            "consentScope": "PUBLIC",
            "tellerId": rosalind.id,
        },
        as_=world.facilitator,
        returning="story { id }",
    )
    on_ballot = await world.proposal("Benches on the green", by=rosalind)
    other = await world.proposal("A walking group")
    await world.proposal(WORDS["private idea"], by=rosalind)
    await api.ok(
        "addComment",
        {"subjectId": other, "body": WORDS["comment"]},
        as_=rosalind,
        returning="comment { id }",
    )
    closed = await world.round([on_ballot, other])
    open_round = await world.round([on_ballot, other], resultVisibility="LIVE")
    for round_id in (closed, open_round):
        await world.cast(round_id, rosalind, {"proposalId": on_ballot}, {"proposalId": other})
        await world.cast(round_id, world.gp, {"proposalId": other})
    await world.close(closed)
    return world, rosalind, {"closed": closed, "open": open_round, "conversation": conversation}


async def _erase_self(api: Api, who: Someone) -> None:
    payload = await api.mutate("erasePerson", {"confirm": "ERASE"}, as_=who, returning="erased")
    assert payload == {"erased": True, "errors": []}


async def test_erasure_leaves_tallies_and_snapshots_unchanged(api: Api) -> None:
    world, rosalind, ids = await _world_with_rosalind(api)
    before = {
        key: await api.data(RESULTS, {"id": ids[key]}, as_=world.board)
        for key in ("closed", "open")
    }
    await _erase_self(api, rosalind)
    for key in ("closed", "open"):
        assert await api.data(RESULTS, {"id": ids[key]}, as_=world.board) == before[key]


async def test_the_confirmation_must_be_exact_and_nothing_changes_without_it(api: Api) -> None:
    _, rosalind, _ = await _world_with_rosalind(api)
    refused = await api.error("erasePerson", {"confirm": "erase"}, as_=rosalind)
    assert (refused["code"], refused["field"]) == ("INVALID_INPUT", ["confirm"])
    viewer = await api.data("{ viewer { displayName } }", as_=rosalind)
    assert viewer == {"viewer": {"displayName": NAME}}


async def test_an_erased_persons_tokens_stop_working(api: Api) -> None:
    _, rosalind, _ = await _world_with_rosalind(api)
    await _erase_self(api, rosalind)
    response = await api.post("{ viewer { displayName } }", token=rosalind.token)
    assert response.status_code == 401


async def test_admins_above_every_role_erase_others_and_nobody_else_does(api: Api) -> None:
    world, rosalind, _ = await _world_with_rosalind(api)
    refused = await api.error(
        "erasePerson", {"personId": rosalind.id, "confirm": "ERASE"}, as_=world.facilitator
    )
    assert refused["code"] == "FORBIDDEN"
    willenhall_admin = await api.someone(roles=[(Role.ADMIN, "willenhall")])
    tile_hill_too = await api.someone(
        roles=[(Role.PARTICIPANT, "willenhall"), (Role.PARTICIPANT, "tile-hill")]
    )
    beyond = await api.error(
        "erasePerson", {"personId": tile_hill_too.id, "confirm": "ERASE"}, as_=willenhall_admin
    )
    assert beyond["code"] == "FORBIDDEN"
    done = await api.mutate(
        "erasePerson",
        {"personId": rosalind.id, "confirm": "ERASE"},
        as_=world.admin,
        returning="erased",
    )
    assert done == {"erased": True, "errors": []}
    twice = await api.error(
        "erasePerson", {"personId": rosalind.id, "confirm": "ERASE"}, as_=world.admin
    )
    assert twice["code"] == "INVALID_STATE"


EVERYTHING = """{ areas { name
  proposals(first: 100) { edges { node { title description moderationReason
    author { displayName } comments { edges { node { body hiddenReason author { displayName }
      replies { body } } } } } } }
  conversations { edges { node { title stories { tellerPseudonym body }
    answers(first: 100) { edges { node { body } } }
    themeSummary { examples } facilitators { displayName } } } }
  reports(open: false) { reason subject { id } }
  votingRounds { results { rows { proposal { title author { displayName } } } } }
} }"""


def _leaks(text: str) -> list[str]:
    return [w for w in (NAME, EMAIL, "Quenby", *WORDS.values()) if w in text]


async def test_no_query_page_or_export_shows_the_erased_person(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    world, rosalind, ids = await _world_with_rosalind(api)
    await api.ok(
        "reportContent",
        {"subjectId": await world.proposal("Rude"), "reason": "Quenby thinks this is rude"},
        as_=rosalind,
        returning="report { id }",
    )
    before = json.dumps(await api.data(EVERYTHING, as_=world.admin))
    assert _leaks(before), "the set-up must show Rosalind before she is erased"
    told = json.dumps(await api.data(NOTIFIED, as_=world.facilitator))
    assert _leaks(told), "the report's words reach the facilitators before she is erased"
    await _erase_self(api, rosalind)
    for someone in (world.admin, world.facilitator, world.resident, world.board):
        assert _leaks(json.dumps(await api.data(EVERYTHING, as_=someone))) == []
        assert _leaks(json.dumps(await api.data(NOTIFIED, as_=someone))) == []
    audit = await api.data(
        "{ auditEvents(first: 100) { edges { node { verb } } } }", as_=world.admin
    )
    assert _leaks(json.dumps(audit)) == []

    await account(api, "fay.pages@example.org", "Fay Pages", role=Role.FACILITATOR)
    browser = browsers()
    await browser.sign_in("fay.pages@example.org")
    proposals = await api.data(
        '{ area(slug: "willenhall") { proposals(first: 100) { edges { node { id } } } } }',
        as_=world.board,
    )
    pages = [
        "/areas/willenhall",
        f"/conversations/{_pk(ids['conversation'])}",
        f"/rounds/{_pk(ids['closed'])}/results",
        *[f"/proposals/{_pk(e['node']['id'])}" for e in proposals["area"]["proposals"]["edges"]],
    ]
    for path in pages:
        page = await browser.page(path)
        assert page.status_code == 200, path
        assert _leaks(page.text) == [], path
    for export in (
        "/areas/coventry/export/priorities.csv",
        "/areas/coventry/export/actions.json",
        "/areas/coventry/themes.json?includeChildren=true",
        f"/conversations/{_pk(ids['conversation'])}/themes.csv",
    ):
        response = await api.client.get(
            export, headers={"Authorization": f"Bearer {world.admin.token}"}
        )
        assert response.status_code == 200, export
        assert _leaks(response.text) == [], export


def _pk(global_id: str) -> int:
    from server.ids import from_global_id

    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


async def test_a_person_downloads_everything_they_contributed(api: Api) -> None:
    _, rosalind, _ = await _world_with_rosalind(api)
    response = await api.client.get(
        "/me/export.zip", headers={"Authorization": f"Bearer {rosalind.token}"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {
        "levelground.json",
        "answers.csv",
        "proposals.csv",
        "comments.csv",
        "ballots.csv",
    } <= names
    everything = json.loads(archive.read("levelground.json"))
    assert everything["profile"]["email"] == EMAIL
    assert [a["answer"] for a in everything["answers"]] == [WORDS["answer"]]
    assert [s["story"] for s in everything["stories"]] == [WORDS["story"]]
    assert WORDS["comment"] in archive.read("comments.csv").decode()
    assert len(everything["ballots"]) == 4
    queried = await api.data("{ myData { downloadPath files { name } } }", as_=rosalind)
    assert queried["myData"]["downloadPath"] == "/me/export.zip"
    assert {f["name"] for f in queried["myData"]["files"]} == names
    anonymous = await api.client.get("/me/export.zip")
    assert anonymous.status_code == 401
