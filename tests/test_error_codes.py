"""Every contract error code, each produced by a real mistake, changing nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import decode_id
from server.voting.models import VotingRound
from tests.support import Api, World

COUNT_PROPOSALS = '{ area(slug: "willenhall") { proposals { totalCount } } }'


async def _proposal_count(api: Api, world: World) -> int:
    data = await api.data(COUNT_PROPOSALS, as_=world.board)
    count: int = data["area"]["proposals"]["totalCount"]
    return count


async def test_mutation_without_credentials_is_unauthenticated(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "proposeItem", {"areaSlug": "willenhall", "title": "T", "description": "D"}, as_=None
    )
    assert error["code"] == "UNAUTHENTICATED"
    assert await _proposal_count(api, world) == 0


async def test_write_where_viewer_lacks_the_role_is_forbidden(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "proposeItem",
        {"areaSlug": "willenhall", "title": "T", "description": "D"},
        as_=world.outsider,
    )
    assert error["code"] == "FORBIDDEN"
    assert await _proposal_count(api, world) == 0


async def test_unknown_area_is_not_found_with_its_field(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "proposeItem",
        {"areaSlug": "atlantis", "title": "T", "description": "D"},
        as_=world.resident,
    )
    assert error == {
        "code": "NOT_FOUND",
        "message": "Area 'atlantis' not found.",
        "field": ["areaSlug"],
    }


async def test_malformed_id_is_not_found(api: Api) -> None:
    world = await World(api).build()
    error = await api.error("openVotingRound", {"roundId": "not-an-id"}, as_=world.facilitator)
    assert (error["code"], error["field"]) == ("NOT_FOUND", ["roundId"])


async def test_blank_title_is_invalid_input(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "proposeItem",
        {"areaSlug": "willenhall", "title": "   ", "description": "D"},
        as_=world.resident,
    )
    assert (error["code"], error["field"]) == ("INVALID_INPUT", ["title"])
    assert await _proposal_count(api, world) == 0


async def test_duplicate_area_slug_already_exists(api: Api) -> None:
    world = await World(api).build()
    error = await api.error(
        "createArea",
        {"name": "Willenhall again", "slug": "willenhall", "parentSlug": "coventry"},
        as_=world.admin,
    )
    assert (error["code"], error["field"]) == ("ALREADY_EXISTS", ["slug"])


async def test_closing_a_draft_round_is_invalid_state(api: Api) -> None:
    world = await World(api).build()
    round_id = await world.round([await world.proposal()], open=False)
    error = await api.error("closeVotingRound", {"roundId": round_id}, as_=world.facilitator)
    assert error["code"] == "INVALID_STATE"


async def test_casting_in_a_draft_or_closed_round_is_round_not_open(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    draft = await world.round([proposal], open=False)
    payload = await world.cast(draft, world.resident, {"proposalId": proposal})
    assert payload["errors"][0]["code"] == "ROUND_NOT_OPEN"
    closed = await world.round([proposal])
    await world.close(closed)
    payload = await world.cast(closed, world.resident, {"proposalId": proposal})
    assert payload["errors"][0]["code"] == "ROUND_NOT_OPEN"


async def test_casting_after_the_closing_time_is_round_not_open(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    later = (datetime.now(UTC) + timedelta(hours=1)).isoformat()
    round_id = await world.round([proposal], closesAt=later)

    async def time_passes(session: AsyncSession) -> None:
        # The closing time passes (the closer may or may not have run yet).
        await session.execute(
            update(VotingRound)
            .where(VotingRound.id == decode_id(round_id, "VotingRound"))
            .values(closes_at=datetime.now(UTC) - timedelta(seconds=1))
        )

    await api.run(time_passes)
    payload = await world.cast(round_id, world.resident, {"proposalId": proposal})
    assert payload["errors"][0]["code"] == "ROUND_NOT_OPEN"


async def test_proposal_not_on_the_ballot(api: Api) -> None:
    world = await World(api).build()
    on_ballot, elsewhere = await world.proposal("On"), await world.proposal("Off")
    round_id = await world.round([on_ballot])
    payload = await world.cast(round_id, world.resident, {"proposalId": elsewhere})
    assert payload["errors"] == [
        {
            "code": "NOT_ON_BALLOT",
            "message": "That proposal is not on this round's ballot.",
            "field": ["entries", "0", "proposalId"],
        }
    ]


async def test_same_proposal_twice_is_duplicate_entry(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    round_id = await world.round([proposal])
    payload = await world.cast(
        round_id, world.resident, {"proposalId": proposal}, {"proposalId": proposal}
    )
    assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (
        "DUPLICATE_ENTRY",
        ["entries", "1", "proposalId"],
    )


async def test_spending_more_dots_than_given_is_over_budget(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b], method="DOTS", dotsPerPerson=5)
    payload = await world.cast(
        round_id, world.resident, {"proposalId": a, "points": 3}, {"proposalId": b, "points": 3}
    )
    assert payload["errors"][0]["code"] == "OVER_BUDGET"
    assert payload["ballot"] is None


async def test_too_many_dots_on_one_item_is_over_item_cap(api: Api) -> None:
    world = await World(api).build()
    a = await world.proposal("A")
    round_id = await world.round([a], method="DOTS", dotsPerPerson=10, maxDotsPerItem=3)
    payload = await world.cast(round_id, world.resident, {"proposalId": a, "points": 4})
    assert (payload["errors"][0]["code"], payload["errors"][0]["field"]) == (
        "OVER_ITEM_CAP",
        ["entries", "0", "points"],
    )


async def test_a_failed_cast_leaves_the_earlier_ballot_untouched(api: Api) -> None:
    world = await World(api).build()
    a, b = await world.proposal("A"), await world.proposal("B")
    round_id = await world.round([a, b], method="DOTS", dotsPerPerson=5)
    first = await world.cast(round_id, world.resident, {"proposalId": a, "points": 5})
    assert first["errors"] == []
    failed = await world.cast(round_id, world.resident, {"proposalId": b, "points": 6})
    assert failed["errors"][0]["code"] == "OVER_BUDGET"
    mine = await api.data(
        "query($id: ID!) { node(id: $id) { ... on VotingRound { turnout myBallot { entries { points proposal { id } } } } } }",
        {"id": round_id},
        as_=world.resident,
    )
    assert mine["node"]["turnout"] == 1
    assert mine["node"]["myBallot"]["entries"] == [{"points": 5, "proposal": {"id": a}}]
