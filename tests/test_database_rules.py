"""The database refuses what the rules forbid, whatever code path writes."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from tests.support import Api, World


async def _ballot_round(
    api: Api, method: str = "DOTS", **extra: Any
) -> tuple[World, str, list[str]]:
    world = await World(api).build()
    proposals = [await world.proposal(f"P{i}") for i in range(3)]
    round_id = await world.round(proposals, method=method, **extra)
    return world, round_id, proposals


def _pk(global_id: str) -> int:
    from server.ids import from_global_id

    decoded = from_global_id(global_id)
    assert decoded is not None
    return decoded[1]


async def _sql(api: Api, *statements: str) -> None:
    async def work(session: object) -> None:
        for statement in statements:
            await session.execute(text(statement))  # type: ignore[attr-defined]

    await api.run(work)


async def test_a_second_ballot_for_the_same_person_is_refused(api: Api) -> None:
    world, round_id, proposals = await _ballot_round(api, dotsPerPerson=5)
    await world.cast(round_id, world.resident, {"proposalId": proposals[0], "points": 1})
    with pytest.raises(DBAPIError, match="ballots_round_id_person_id_key"):
        await _sql(
            api,
            f"INSERT INTO ballots (round_id, person_id) VALUES ({_pk(round_id)}, {world.resident.person_id})",
        )


async def test_the_budget_holds_even_for_direct_writes(api: Api) -> None:
    world, round_id, proposals = await _ballot_round(api, dotsPerPerson=5, maxDotsPerItem=3)
    payload = await world.cast(round_id, world.resident, {"proposalId": proposals[0], "points": 1})
    assert payload["errors"] == []
    with pytest.raises(DBAPIError, match=r"exceeds the round's budget"):
        await _sql(api, f"UPDATE ballot_entries SET points = 4 WHERE round_id = {_pk(round_id)}")


async def test_entries_must_be_on_the_ballot(api: Api) -> None:
    world, round_id, proposals = await _ballot_round(api, dotsPerPerson=5)
    await world.cast(round_id, world.resident, {"proposalId": proposals[0], "points": 1})
    outside = await world.proposal("Outside")
    with pytest.raises(DBAPIError, match="ballot_entries_round_id_proposal_id_fkey"):
        await _sql(
            api,
            f"INSERT INTO ballot_entries (ballot_id, round_id, proposal_id, points) "
            f"SELECT id, round_id, {_pk(outside)}, 1 FROM ballots WHERE round_id = {_pk(round_id)}",
        )


async def test_ranks_must_be_one_to_n(api: Api) -> None:
    world, round_id, proposals = await _ballot_round(api, method="RANKED")
    await world.cast(
        round_id,
        world.resident,
        {"proposalId": proposals[0], "rank": 1},
        {"proposalId": proposals[1], "rank": 2},
    )
    with pytest.raises(DBAPIError, match=r"not ranked 1\.\.n"):
        await _sql(
            api, f"UPDATE ballot_entries SET rank = 3 WHERE round_id = {_pk(round_id)} AND rank = 2"
        )


async def test_closed_rounds_and_their_snapshots_are_frozen(api: Api) -> None:
    world, round_id, proposals = await _ballot_round(api, method="APPROVAL")
    await world.cast(round_id, world.resident, {"proposalId": proposals[0]})
    await world.close(round_id)
    with pytest.raises(DBAPIError, match="ballots cannot change"):
        await _sql(api, f"DELETE FROM ballots WHERE round_id = {_pk(round_id)}")
    with pytest.raises(DBAPIError, match="append-only"):
        await _sql(
            api,
            f"UPDATE round_snapshots SET sha256 = repeat('0', 64) WHERE round_id = {_pk(round_id)}",
        )
    with pytest.raises(DBAPIError, match="append-only"):
        await _sql(api, f"DELETE FROM priorities WHERE round_id = {_pk(round_id)}")
    with pytest.raises(DBAPIError, match="cannot go from closed to open"):
        await _sql(
            api,
            f"UPDATE voting_rounds SET state = 'open', closed_at = NULL WHERE id = {_pk(round_id)}",
        )


async def test_the_audit_log_is_append_only(api: Api) -> None:
    await World(api).build()
    with pytest.raises(DBAPIError, match="append-only"):
        await _sql(api, "DELETE FROM audit_events")
