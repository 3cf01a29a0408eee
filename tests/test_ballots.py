"""Casting, re-casting, retrying, withdrawing and assisted ballots."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from tests.support import Api, World

MY_BALLOT = """query($id: ID!) { node(id: $id) { ... on VotingRound { turnout
    myBallot { assisted entries { points rank proposal { id } } } } } }"""


async def _mine(api: Api, world: World, round_id: str, who: object) -> dict[str, object]:
    data = await api.data(MY_BALLOT, {"id": round_id}, as_=who)  # type: ignore[arg-type]
    node: dict[str, object] = data["node"]
    return node


async def test_recast_replaces_the_ballot(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    await world.cast(round_id, world.resident, {"proposalId": a})
    again = await world.cast(round_id, world.resident, {"proposalId": b})
    assert again["ballot"]["entries"] == [{"points": 1, "rank": None, "proposal": {"id": b}}]
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["turnout"] == 1
    assert mine["myBallot"] == {
        "assisted": False,
        "entries": [{"points": 1, "rank": None, "proposal": {"id": b}}],
    }


async def test_retry_with_the_same_idempotency_key_changes_nothing(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    first = await world.cast(round_id, world.resident, {"proposalId": a}, idempotencyKey="k1")
    await world.cast(round_id, world.resident, {"proposalId": b}, idempotencyKey="k2")
    retried = await world.cast(round_id, world.resident, {"proposalId": a}, idempotencyKey="k1")
    assert first["errors"] == retried["errors"] == []
    # The retry of k1 answers with the ballot as it stands (k2's), not k1's entries again.
    assert retried["ballot"]["entries"][0]["proposal"]["id"] == b
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["myBallot"]["entries"][0]["proposal"]["id"] == b  # type: ignore[index]


async def test_a_key_belongs_to_one_person(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    await world.cast(round_id, world.resident, {"proposalId": a}, idempotencyKey="same")
    other = await world.cast(round_id, world.gp, {"proposalId": a}, idempotencyKey="same")
    assert other["errors"] == []
    assert (await _mine(api, world, round_id, world.gp))["turnout"] == 2


async def test_withdrawing_removes_the_ballot_from_turnout(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    await world.cast(round_id, world.resident, {"proposalId": a})
    await api.ok(
        "withdrawBallot", {"roundId": round_id}, as_=world.resident, returning="round { turnout }"
    )
    mine = await _mine(api, world, round_id, world.resident)
    assert mine == {"turnout": 0, "myBallot": None}
    again = await api.error("withdrawBallot", {"roundId": round_id}, as_=world.resident)
    assert again["code"] == "NOT_FOUND"


async def test_facilitator_records_an_assisted_ballot(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    payload = await world.cast(
        round_id, world.facilitator, {"proposalId": a}, onBehalfOf=world.resident.id
    )
    assert payload["errors"] == []
    assert payload["ballot"]["assisted"] is True
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["turnout"] == 1
    assert mine["myBallot"]["assisted"] is True  # type: ignore[index]
    facilitator_own = await _mine(api, world, round_id, world.facilitator)
    assert facilitator_own["myBallot"] is None


async def test_a_persons_own_cast_replaces_their_assisted_ballot(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    await world.cast(round_id, world.facilitator, {"proposalId": a}, onBehalfOf=world.resident.id)
    await world.cast(round_id, world.resident, {"proposalId": b})
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["turnout"] == 1
    assert mine["myBallot"] == {
        "assisted": False,
        "entries": [{"points": 1, "rank": None, "proposal": {"id": b}}],
    }


async def test_facilitator_cannot_overwrite_a_self_cast_ballot_without_override(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    await world.cast(round_id, world.resident, {"proposalId": a})
    refused = await world.cast(
        round_id, world.facilitator, {"proposalId": b}, onBehalfOf=world.resident.id
    )
    assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (
        "INVALID_STATE",
        ["onBehalfOf"],
    )
    forced = await world.cast(
        round_id,
        world.facilitator,
        {"proposalId": b},
        onBehalfOf=world.resident.id,
        overrideOwnBallot=True,
    )
    assert forced["errors"] == []
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["myBallot"]["entries"][0]["proposal"]["id"] == b  # type: ignore[index]


async def test_only_facilitators_cast_on_behalf_of_others(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    refused = await world.cast(round_id, world.gp, {"proposalId": a}, onBehalfOf=world.resident.id)
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert (await _mine(api, world, round_id, world.resident))["turnout"] == 0


async def test_assisted_ballots_are_for_participants_of_the_area(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    refused = await world.cast(
        round_id, world.facilitator, {"proposalId": a}, onBehalfOf=world.outsider.id
    )
    assert (refused["errors"][0]["code"], refused["errors"][0]["field"]) == (
        "INVALID_INPUT",
        ["onBehalfOf"],
    )


async def test_ranked_ballot_with_borda_results(api: Api) -> None:
    world = await World(api).build()
    a, b, c = await world.proposal("A"), await world.proposal("B"), await world.proposal("C")
    round_id = await world.round([a, b, c], method="RANKED", resultVisibility="LIVE")
    await world.cast(
        round_id, world.resident, {"proposalId": b, "rank": 1}, {"proposalId": a, "rank": 2}
    )
    await world.cast(round_id, world.gp, {"proposalId": a, "rank": 1})
    data = await api.data(
        "query($id: ID!) { node(id: $id) { ... on VotingRound { results { rows { rank score supporters proposal { id } } } } } }",
        {"id": round_id},
        as_=world.board,
    )
    rows = data["node"]["results"]["rows"]
    assert [(r["proposal"]["id"], r["score"], r["supporters"]) for r in rows] == [
        (a, 2 + 3, 2),
        (b, 3, 1),
        (c, 0, 0),
    ]


async def _replays_refused(api: Api) -> list[tuple[int | None, dict[str, object]]]:
    async def read(session: AsyncSession) -> list[tuple[int | None, dict[str, object]]]:
        rows = await session.execute(
            select(AuditEvent.actor_id, AuditEvent.data).where(
                AuditEvent.verb == "ballot.replay_refused"
            )
        )
        return [(actor, dict(data)) for actor, data in rows]

    return await api.run(read)


async def test_a_paper_key_repeated_after_the_person_voted_online_reveals_nothing(
    api: Api,
) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    paper = {"onBehalfOf": world.resident.id, "idempotencyKey": "paper-K1"}
    first = await world.cast(round_id, world.facilitator, {"proposalId": a}, **paper)
    assert first["errors"] == []
    await world.cast(round_id, world.resident, {"proposalId": b}, idempotencyKey="mine-1")

    repeated = await world.cast(round_id, world.facilitator, {"proposalId": a}, **paper)

    assert repeated["ballot"] is None
    assert [(e["code"], e["field"]) for e in repeated["errors"]] == [
        ("INVALID_STATE", ["idempotencyKey"])
    ]
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["myBallot"] == {
        "assisted": False,
        "entries": [{"points": 1, "rank": None, "proposal": {"id": b}}],
    }
    assert await _replays_refused(api) == [
        (world.facilitator.person_id, {"voter_id": world.resident.person_id, "assisted": True})
    ]


async def test_a_facilitator_sending_the_persons_own_key_reads_nothing(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    await world.cast(round_id, world.resident, {"proposalId": b}, idempotencyKey="mine-1")

    probe = await world.cast(
        round_id,
        world.facilitator,
        {"proposalId": a},
        onBehalfOf=world.resident.id,
        idempotencyKey="mine-1",
        overrideOwnBallot=True,
    )

    assert probe["ballot"] is None
    assert [(e["code"], e["field"]) for e in probe["errors"]] == [
        ("INVALID_INPUT", ["idempotencyKey"])
    ]
    mine = await _mine(api, world, round_id, world.resident)
    assert mine["myBallot"]["entries"][0]["proposal"]["id"] == b  # type: ignore[index]
    assert await _replays_refused(api) == [
        (world.facilitator.person_id, {"voter_id": world.resident.person_id, "assisted": True})
    ]


async def test_a_persons_own_key_replayed_after_an_assisted_override_reads_nothing(
    api: Api,
) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b])
    await world.cast(round_id, world.resident, {"proposalId": a}, idempotencyKey="mine-1")
    await world.cast(
        round_id,
        world.facilitator,
        {"proposalId": b},
        onBehalfOf=world.resident.id,
        overrideOwnBallot=True,
        idempotencyKey="paper-K2",
    )

    replayed = await world.cast(
        round_id, world.resident, {"proposalId": a}, idempotencyKey="mine-1"
    )

    assert replayed["ballot"] is None
    assert [(e["code"], e["field"]) for e in replayed["errors"]] == [
        ("INVALID_STATE", ["idempotencyKey"])
    ]
    assert await _replays_refused(api) == [
        (world.resident.person_id, {"voter_id": world.resident.person_id, "assisted": False})
    ]


async def test_a_facilitators_own_key_still_replays_their_paper_ballot(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a])
    paper = {"onBehalfOf": world.resident.id, "idempotencyKey": "paper-K1"}
    first = await world.cast(round_id, world.facilitator, {"proposalId": a}, **paper)
    again = await world.cast(round_id, world.facilitator, {"proposalId": a}, **paper)
    assert first == again
    assert again["ballot"]["assisted"] is True
    assert await _replays_refused(api) == []
