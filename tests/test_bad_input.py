"""Bad input from outside is a clear refusal (a typed GraphQL error, a 400 or a 404 page),
never a 500 or "Unexpected error.": ids out of range, NUL characters, lone surrogates,
times without a zone and dates out of range, whichever route or resolver reads them."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.facilitator_support import FACILITATOR_EMAIL, Scene, build
from tests.http_browser import Browser, csrf_token
from tests.support import Api, Json, World

Browsers = Callable[..., Browser]
HUGE = "99999999999999999999"


@pytest.fixture
async def scene(api: Api) -> Scene:
    return await api.run(build)


@pytest.fixture
async def fay(browsers: Browsers, scene: Scene) -> Browser:
    browser = browsers()
    assert (await browser.sign_in(FACILITATOR_EMAIL)).status_code == 303
    return browser


def _refused_as_page(response: httpx.Response, *statuses: int) -> None:
    assert response.status_code in statuses, (response.status_code, response.text[:300])


@pytest.mark.parametrize("path", ["/auth/sign-in", "/auth/register"])
async def test_a_nul_in_a_signed_out_form_is_a_400_page(browser: Browser, path: str) -> None:
    response = await browser.submit(
        path,
        path,
        {
            "email": "sam\x00@example.org",
            "password": "correct horse battery",
            "confirmPassword": "correct horse battery",
            "displayName": "Sam",
            "kind": "resident",
        },
    )
    _refused_as_page(response, 400)


@pytest.mark.parametrize("path", ["/areas/%00", "/areas/%00/export/actions.csv", "/areas/a%00b"])
async def test_a_nul_in_the_path_is_a_404(api: Api, client: httpx.AsyncClient, path: str) -> None:
    world = await World(api).build()
    response = await client.get(path, headers={"Authorization": f"Bearer {world.board.token}"})
    assert response.status_code == 404, response.text[:300]


async def test_a_nul_in_the_query_string_is_a_400(api: Api, client: httpx.AsyncClient) -> None:
    world = await World(api).build()
    response = await client.get(
        "/areas/coventry/export/actions.csv?theme=%00",
        headers={"Authorization": f"Bearer {world.board.token}"},
    )
    assert response.status_code == 400, response.text[:300]


@pytest.mark.parametrize(
    "path",
    [
        f"/facilitate/rounds/{HUGE}",
        f"/facilitate/rounds/{HUGE}/paper",
        f"/facilitate/conversations/{HUGE}",
        f"/facilitate/stories/{HUGE}/withdraw",
        f"/facilitate/actions/{HUGE}",
        f"/facilitate/actions/{HUGE}/update",
    ],
)
async def test_a_20_digit_id_in_a_facilitator_path_is_a_404_page(fay: Browser, path: str) -> None:
    _refused_as_page(await fay.page(path), 404)


async def test_a_20_digit_saved_voter_on_the_paper_form_is_ignored(
    fay: Browser, scene: Scene
) -> None:
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    for saved in (HUGE, "²"):
        response = await fay.page(f"{paper}?saved={saved}")
        assert response.status_code == 200, response.text[:300]


@pytest.mark.parametrize(
    "fields",
    [
        {"voterName": "Dot\x00"},
        # A malformed chosen id counts as none: the name alone, here nobody's, decides.
        {"voterName": "Zed", "voterId": HUGE, "voterIdName": "Zed"},
        {"voterName": "Zed", "voterId": "²", "voterIdName": "Zed"},
    ],
    ids=["nul-name", "20-digit-voter", "superscript-voter"],
)
async def test_the_paper_ballot_form_refuses_bad_voters_without_a_500(
    api: Api, fay: Browser, scene: Scene, fields: dict[str, str]
) -> None:
    from tests.facilitator_support import fingerprint

    before = await api.run(fingerprint)
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    token = csrf_token((await fay.page(paper)).text)
    response = await fay.client.post(
        paper,
        data={"csrf_token": token, f"p-{scene.proposals[2]}": "1", **fields},
        headers={"Origin": fay.origin},
    )
    _refused_as_page(response, 400, 404)
    assert await api.run(fingerprint) == before


async def _error(api: Api, query: str, variables: Json, as_: Any) -> Json:
    # Encoded as ASCII JSON, so a lone surrogate travels as the escape a client would send.
    response = await api.client.post(
        "/graphql",
        content=json.dumps({"query": query, "variables": variables}),
        headers={"Authorization": f"Bearer {as_.token}", "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body.get("errors"), body
    error: Json = body["errors"][0]
    assert error["message"] != "Unexpected error.", error
    return error


async def test_a_round_closing_time_without_a_zone_is_refused(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    error = await _error(
        api,
        "mutation($input: CreateVotingRoundInput!) { createVotingRound(input: $input) "
        "{ errors { code } } }",
        {
            "input": {
                "areaSlug": "willenhall",
                "title": "Which first?",
                "method": "APPROVAL",
                "proposalIds": [proposal],
                "closesAt": "2030-01-01T18:00:00",
            }
        },
        world.facilitator,
    )
    assert "time zone" in error["message"]


OWNER_AT = "query($id: ID!, $at: DateTime!) { node(id: $id) { ... on Action { ownerAt(at: $at) { since } } } }"
SUMMARY = 'query($since: DateTime) { area(slug: "coventry") { actionPlanSummary(since: $since) { adopted } } }'
MEMBERS = "query($id: ID!, $at: DateTime) { node(id: $id) { ... on CoreTeam { members(at: $at) { id } } } }"


async def test_owner_at_without_a_zone_is_refused(api: Api) -> None:
    world = await World(api).build()
    error = await _error(
        api, OWNER_AT, {"id": "QWN0aW9uOjE", "at": "2030-01-01T18:00:00"}, world.board
    )
    assert "time zone" in error["message"]


@pytest.mark.parametrize(
    "moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00Z"]
)
async def test_out_of_range_dates_are_refused(api: Api, moment: str) -> None:
    world = await World(api).build()
    await _error(api, SUMMARY, {"since": moment}, world.board)
    team = await api.ok(
        "createCoreTeam",
        {"areaSlug": "willenhall", "name": "Walkers"},
        as_=world.facilitator,
        returning="team { id }",
    )
    await _error(api, MEMBERS, {"id": team["team"]["id"], "at": moment}, world.board)


@pytest.mark.parametrize("text", ["\ud800", "a\udfffb", "nul\x00"])
async def test_unstorable_text_in_a_variable_is_refused(api: Api, text: str) -> None:
    world = await World(api).build()
    error = await _error(
        api,
        "mutation($input: ProposeItemInput!) { proposeItem(input: $input) { errors { code } } }",
        {"input": {"areaSlug": "willenhall", "title": text, "description": "A description."}},
        world.resident,
    )
    assert error["extensions"]["code"] == "INVALID_INPUT"
    proposals = await api.data(
        '{ area(slug: "willenhall") { proposals { edges { node { id } } } } }', as_=world.board
    )
    assert proposals["area"]["proposals"]["edges"] == []


async def test_a_cursor_with_a_huge_or_unicode_number_is_refused(api: Api) -> None:
    import base64

    world = await World(api).build()
    for pk in (HUGE, "²"):
        cursor = base64.urlsafe_b64encode(f"cursor:{pk}".encode()).decode().rstrip("=")
        await _error(
            api,
            'query($after: String) { area(slug: "willenhall") { proposals(after: $after) { edges { cursor } } } }',
            {"after": cursor},
            world.board,
        )
