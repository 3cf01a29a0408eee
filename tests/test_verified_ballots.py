"""A round may need a verified sign-in for ballots cast online, while ballots that
facilitators record in the room stay open to everyone taking part (join-code people
too). A refused online cast answers FORBIDDEN with a clear message and changes nothing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.people.models import Person
from tests.facilitator_support import FACILITATOR_EMAIL, build
from tests.http_browser import Browser
from tests.support import Api, Someone, World
from tests.voting_support import ballot_count


async def _verified(api: Api, someone: Someone) -> None:
    async def work(session: AsyncSession) -> None:
        await session.execute(
            update(Person)
            .where(Person.id == someone.person_id)
            .values(email_verified_at=clock.now())
        )

    await api.run(work)


async def test_online_ballots_can_need_a_verified_sign_in(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    round_id = await world.round([proposal], onlineSignIn="VERIFIED")
    shown = await api.data(
        "query($id: ID!) { node(id: $id) { ... on VotingRound { onlineSignIn } } }",
        {"id": round_id},
        as_=world.resident,
    )
    assert shown["node"] == {"onlineSignIn": "VERIFIED"}
    refused = await world.cast(round_id, world.resident, {"proposalId": proposal})
    assert refused["ballot"] is None
    assert refused["errors"][0]["code"] == "FORBIDDEN"
    assert "verified sign-in" in refused["errors"][0]["message"]
    assert await ballot_count(api, round_id) == 0
    # In the room, the facilitator records it.
    assisted = await world.cast(
        round_id, world.facilitator, {"proposalId": proposal}, onBehalfOf=world.resident.id
    )
    assert assisted["errors"] == []
    # Someone an identity provider vouched for votes online.
    await _verified(api, world.gp)
    assert (await world.cast(round_id, world.gp, {"proposalId": proposal}))["errors"] == []
    assert await ballot_count(api, round_id) == 2


async def test_rounds_need_no_more_than_a_sign_in_unless_asked(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    round_id = await world.round([proposal])
    assert (await world.cast(round_id, world.resident, {"proposalId": proposal}))["errors"] == []


async def test_the_facilitators_round_form_sets_who_can_vote_online(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene = await api.run(build)
    browser = browsers()
    await browser.sign_in(FACILITATOR_EMAIL)
    form = "/facilitate/areas/willenhall/rounds/new"
    assert 'name="onlineSignIn"' in (await browser.page(form)).text
    created = await browser.submit(
        form,
        "/facilitate/areas/willenhall/rounds",
        {
            "title": "Verified only",
            "method": "approval",
            "resultVisibility": "after_close",
            "onlineSignIn": "verified",
            "proposalIds": str(scene.proposals[2]),
        },
    )
    assert created.status_code == 303, created.text
    page = await browser.page(created.headers["location"])
    assert "Only people with a verified sign-in" in page.text
