"""Results stay sealed per resultVisibility on every path that could carry them."""

from __future__ import annotations

import pytest

from server.config import Settings
from tests.support import Api, Someone, World


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Some reads here ask for every round's results in the city at once, past the
    # cost a client may ask for (schema/limits.py); the limit is not what they test.
    return settings.model_copy(update={"max_query_cost": 10_000_000})


RESULTS = """query($id: ID!) { node(id: $id) { ... on VotingRound { turnout
    results { turnout rows { score supporters } } } } }"""
PRIORITIES = '{ area(slug: "willenhall") { priorities { score } } }'


async def _results(api: Api, round_id: str, who: Someone) -> dict[str, object]:
    node: dict[str, object] = (await api.data(RESULTS, {"id": round_id}, as_=who))["node"]
    return node


async def test_after_close_results_are_sealed_for_everyone_until_the_round_closes(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal()
    round_id = await world.round([a], resultVisibility="AFTER_CLOSE")
    await world.cast(round_id, world.resident, {"proposalId": a})
    for viewer in (world.resident, world.facilitator, world.admin, world.board):
        assert await _results(api, round_id, viewer) == {"turnout": 1, "results": None}
    assert (await api.data(PRIORITIES, as_=world.board))["area"]["priorities"] == []
    await world.close(round_id)
    opened = await _results(api, round_id, world.board)
    assert opened["results"] == {"turnout": 1, "rows": [{"score": 1.0, "supporters": 1}]}


async def test_after_own_ballot_opens_results_to_voters_only(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal()
    round_id = await world.round([a], resultVisibility="AFTER_OWN_BALLOT")
    await world.cast(round_id, world.resident, {"proposalId": a})
    assert (await _results(api, round_id, world.resident))["results"] is not None
    assert (await _results(api, round_id, world.gp))["results"] is None
    assert (await _results(api, round_id, world.facilitator))["results"] is None


async def test_live_results_are_open_to_every_reader(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal()
    round_id = await world.round([a], resultVisibility="LIVE")
    await world.cast(round_id, world.resident, {"proposalId": a})
    assert (await _results(api, round_id, world.board))["results"] == {
        "turnout": 1,
        "rows": [{"score": 1.0, "supporters": 1}],
    }


async def test_a_draft_round_has_no_results(api: Api) -> None:
    world = await World(api).build()
    round_id = await world.round([await world.proposal()], open=False, resultVisibility="LIVE")
    assert await _results(api, round_id, world.facilitator) == {"turnout": 0, "results": None}


SCORE_PATHS = [
    # Every path through which a score or supporter count could travel.
    "query($id: ID!) { node(id: $id) { ... on VotingRound { results { rows { score } } } } }",
    "query($id: ID!) { node(id: $id) { ... on VotingRound { results { byKind { rows { score } } } } } }",
    """query($id: ID!) { node(id: $id) { ... on VotingRound { proposals { id } area {
        priorities(includeChildren: true) { score supporters } } } } }""",
    '{ area(slug: "coventry") { priorities(includeChildren: true) { score supporters } } }',
    "{ areas { priorities { score } votingRounds { results { rows { supporters } } } } }",
]


@pytest.mark.parametrize("query", SCORE_PATHS)
async def test_no_score_leaks_while_sealed(api: Api, query: str) -> None:
    world = await World(api).build()
    a = await world.proposal()
    round_id = await world.round([a], resultVisibility="AFTER_CLOSE")
    for voter in await world.voters(3):
        await world.cast(round_id, voter, {"proposalId": a})
    body = await api.gql(query, {"id": round_id}, as_=world.admin)
    assert "errors" not in body
    text = str(body["data"])
    assert "'score'" not in text, text
    assert "'supporters'" not in text, text
