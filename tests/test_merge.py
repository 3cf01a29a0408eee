"""Merging duplicate proposals: the merged one points at its target, comments move, a
ballot in an open round naming both keeps one entry with the larger mark (ranks close
up), and closed rounds and their frozen snapshots never change."""

from __future__ import annotations

from typing import Any

from tests.notification_support import inbox
from tests.support import Api, Someone, World

Json = dict[str, Any]

BALLOT = (
    "query($id: ID!) { node(id: $id) { ... on VotingRound { myBallot { entries "
    "{ points rank proposal { id } } } proposals { id } } } }"
)
RESULTS = (
    "query($id: ID!) { node(id: $id) { ... on VotingRound { results { snapshotHash "
    "rows { rank score supporters proposal { id } } } } } }"
)


async def _ballot(
    api: Api, round_id: str, voter: Someone
) -> list[tuple[str, int | None, int | None]]:
    data = await api.data(BALLOT, {"id": round_id}, as_=voter)
    ballot = data["node"]["myBallot"]
    return [(e["proposal"]["id"], e["points"], e["rank"]) for e in ballot["entries"]]


async def _merge(api: Api, world: World, source: str, target: str) -> Json:
    return await api.ok(
        "mergeProposal",
        {"proposalId": source, "intoId": target},
        as_=world.facilitator,
        returning="proposal { status mergedInto { id } }",
    )


async def test_merging_points_at_the_target_and_moves_comments(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("Walking group"), await world.proposal("A walking group")
    await api.ok(
        "addComment",
        {"subjectId": a, "body": "Count me in"},
        as_=world.gp,
        returning="comment { id }",
    )
    merged = await _merge(api, world, a, b)
    assert merged["proposal"] == {"status": "MERGED", "mergedInto": {"id": b}}
    comments = await api.data(
        "query($id: ID!) { node(id: $id) { ... on Proposal { commentCount comments { edges { node { body } } } } } }",
        {"id": b},
        as_=world.board,
    )
    assert comments["node"]["commentCount"] == 1
    (told,) = await inbox(api, world.resident)
    assert (told["kind"], told["subject"]["id"]) == ("PROPOSAL_MERGED", b)
    assert "A walking group" in told["message"]
    again = await api.error("mergeProposal", {"proposalId": a, "intoId": b}, as_=world.facilitator)
    assert again["code"] == "INVALID_STATE"


async def test_an_approval_ballot_naming_both_keeps_one_entry(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    open_round = await world.round([a, b])
    both, only_a, only_b = await world.voters(3)
    await world.cast(open_round, both, {"proposalId": a}, {"proposalId": b})
    await world.cast(open_round, only_a, {"proposalId": a})
    await world.cast(open_round, only_b, {"proposalId": b})
    await _merge(api, world, a, b)
    for voter in (both, only_a, only_b):
        assert await _ballot(api, open_round, voter) == [(b, 1, None)]
    data = await api.data(BALLOT, {"id": open_round}, as_=both)
    assert data["node"]["proposals"] == [{"id": b}]
    await world.close(open_round)
    rows = (await api.data(RESULTS, {"id": open_round}, as_=world.board))["node"]["results"]["rows"]
    assert [(r["proposal"]["id"], r["supporters"]) for r in rows] == [(b, 3)]


async def test_a_dots_ballot_keeps_the_larger_mark(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    open_round = await world.round([a, b], method="DOTS", dotsPerPerson=5)
    (voter,) = await world.voters(1)
    await world.cast(
        open_round, voter, {"proposalId": a, "points": 3}, {"proposalId": b, "points": 1}
    )
    await _merge(api, world, a, b)
    assert await _ballot(api, open_round, voter) == [(b, 3, None)]


async def test_a_ranked_ballot_keeps_the_better_rank_and_closes_the_gap(api: Api) -> None:
    world = await World(api).build()
    a, b, c = await world.proposal("A"), await world.proposal("B"), await world.proposal("C")
    open_round = await world.round([a, b, c], method="RANKED")
    first, second = await world.voters(2)
    await world.cast(
        open_round,
        first,
        {"proposalId": c, "rank": 1},
        {"proposalId": a, "rank": 2},
        {"proposalId": b, "rank": 3},
    )
    await world.cast(open_round, second, {"proposalId": a, "rank": 1}, {"proposalId": c, "rank": 2})
    await _merge(api, world, a, b)
    assert await _ballot(api, open_round, first) == [(c, None, 1), (b, None, 2)]
    assert await _ballot(api, open_round, second) == [(b, None, 1), (c, None, 2)]


async def test_closed_rounds_and_their_snapshots_never_change(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    closed = await world.round([a, b])
    voters = await world.voters(2)
    await world.cast(closed, voters[0], {"proposalId": a}, {"proposalId": b})
    await world.cast(closed, voters[1], {"proposalId": a})
    await world.close(closed)
    before = await api.data(RESULTS, {"id": closed}, as_=world.board)
    mine_before = await _ballot(api, closed, voters[0])
    await _merge(api, world, a, b)
    assert await api.data(RESULTS, {"id": closed}, as_=world.board) == before
    assert await _ballot(api, closed, voters[0]) == mine_before
