"""The frozen result a board can cite: its hash is the sha256 of the canonical JSON it
serves, and nothing that happens after the close changes either."""

from __future__ import annotations

import hashlib
import json

from tests.support import Api, World
from tests.voting_support import snapshots

FROZEN = """query($id: ID!) { node(id: $id) { ... on VotingRound { state results {
    turnout snapshotHash snapshotJson rows { rank score supporters proposal { id title } } } } } }"""


async def test_the_snapshot_hash_is_the_sha256_of_the_canonical_json_served(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("Café in the park"), await world.proposal("Bus shelter")
    round_id = await world.round([a, b], method="RANKED", resultVisibility="LIVE")
    for voter in await world.voters(3):
        await world.cast(
            round_id, voter, {"proposalId": b, "rank": 1}, {"proposalId": a, "rank": 2}
        )

    live = (await api.data(FROZEN, {"id": round_id}, as_=world.board))["node"]["results"]
    assert (live["snapshotHash"], live["snapshotJson"]) == (None, None)

    await world.close(round_id)
    frozen = (await api.data(FROZEN, {"id": round_id}, as_=world.board))["node"]["results"]
    canonical = frozen["snapshotJson"]
    assert hashlib.sha256(canonical.encode("utf-8")).hexdigest() == frozen["snapshotHash"]
    (stored,) = await snapshots(api, round_id)
    assert (stored.canonical_json, stored.sha256) == (canonical, frozen["snapshotHash"])
    document = json.loads(canonical)
    assert json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False) == (
        canonical
    )
    assert document["turnout"] == frozen["turnout"] == 3
    assert [
        (r["proposal"]["id"], r["proposal"]["title"], r["score"]) for r in document["rows"]
    ] == [
        (b, "Bus shelter", 6.0),
        (a, "Café in the park", 3.0),
    ]
    assert [(r["rank"], r["score"], r["supporters"]) for r in frozen["rows"]] == [
        (r["rank"], r["score"], r["supporters"]) for r in document["rows"]
    ]


async def test_editing_a_proposal_after_the_close_changes_neither_snapshot_nor_hash(
    api: Api,
) -> None:
    world = await World(api).build()
    a = await world.proposal("A walking group")
    round_id = await world.round([a], resultVisibility="AFTER_CLOSE")
    await world.cast(round_id, world.gp, {"proposalId": a})
    await world.close(round_id)
    before = (await api.data(FROZEN, {"id": round_id}, as_=world.board))["node"]["results"]

    await api.ok(
        "editProposal",
        {"proposalId": a, "title": "A running group"},
        as_=world.resident,
        returning="proposal { title }",
    )
    late = await world.cast(round_id, world.resident, {"proposalId": a})
    assert late["errors"][0]["code"] == "ROUND_NOT_OPEN"

    after = (await api.data(FROZEN, {"id": round_id}, as_=world.board))["node"]["results"]
    assert after["rows"][0]["proposal"]["title"] == "A running group"  # the live proposal
    assert (after["snapshotJson"], after["snapshotHash"]) == (
        before["snapshotJson"],
        before["snapshotHash"],
    )
    assert '"title":"A walking group"' in after["snapshotJson"]
    assert hashlib.sha256(after["snapshotJson"].encode()).hexdigest() == after["snapshotHash"]
