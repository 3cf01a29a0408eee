"""Results by kind: the same ballots, equal weight, suppressed for small groups."""

from __future__ import annotations

from server.people.models import PersonKind
from tests.support import Api, World

BY_KIND = """query($id: ID!) { node(id: $id) { ... on VotingRound { results {
    rows { proposal { id } score }
    byKind { kind voters rows { proposal { id } score } } } } } }"""


async def test_groups_of_five_are_shown_and_weigh_the_same(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b], resultVisibility="LIVE")
    for voter in await world.voters(5):
        await world.cast(round_id, voter, {"proposalId": a})
    for voter in await world.voters(6, PersonKind.PROFESSIONAL):
        await world.cast(round_id, voter, {"proposalId": b})
    # The split is published once the round is closed (never live: see test_live_tallies).
    await world.close(round_id)
    results = (await api.data(BY_KIND, {"id": round_id}, as_=world.board))["node"]["results"]
    # Six professionals beat five residents: one person, one vote, nothing more.
    assert [(r["proposal"]["id"], r["score"]) for r in results["rows"]] == [(b, 6.0), (a, 5.0)]
    split = {k["kind"]: k for k in results["byKind"]}
    assert split["RESIDENT"]["voters"] == 5
    assert split["RESIDENT"]["rows"][0] == {"proposal": {"id": a}, "score": 5.0}
    assert split["PROFESSIONAL"]["voters"] == 6
    assert split["PROFESSIONAL"]["rows"][0] == {"proposal": {"id": b}, "score": 6.0}


async def test_a_group_under_five_withholds_every_group(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a], resultVisibility="LIVE")
    for voter in await world.voters(7):
        await world.cast(round_id, voter, {"proposalId": a})
    for voter in await world.voters(4, PersonKind.PROFESSIONAL):
        await world.cast(round_id, voter, {"proposalId": a})
    await world.close(round_id)
    results = (await api.data(BY_KIND, {"id": round_id}, as_=world.board))["node"]["results"]
    assert results["byKind"] == [
        {"kind": "RESIDENT", "voters": None, "rows": None},
        {"kind": "PROFESSIONAL", "voters": None, "rows": None},
    ]
    assert results["rows"][0]["score"] == 11.0
