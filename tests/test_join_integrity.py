"""Join codes make voters from a name alone, so joining is held in: one new person per
browser, a join limit from the room's headcount, a personal code to come back as the
same person, the facilitator's list of joiners with remove and merge (ballots put
right), and rounds that need a verified sign-in for online ballots."""

from __future__ import annotations

import re
from collections.abc import Callable

import httpx
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from server.audit.models import AuditEvent
from server.conversations.models import Conversation
from server.people.models import Person
from server.voting.models import Ballot
from tests.facilitator_support import FACILITATOR_EMAIL, Scene, build
from tests.http_browser import Browser
from tests.support import Api

CODE = re.compile(r'id="personal-code"[^>]*>([A-Z0-9-]+)<')


async def _scene(api: Api) -> tuple[Scene, str]:
    scene = await api.run(build)

    async def code(session: AsyncSession) -> str:
        conversation = await session.get(Conversation, scene.conversation)
        assert conversation is not None
        return conversation.join_code

    return scene, await api.run(code)


async def _count(api: Api, model: type[object], *where: object) -> int:
    async def work(session: AsyncSession) -> int:
        statement = select(func.count()).select_from(model)
        for clause in where:
            statement = statement.where(clause)  # type: ignore[arg-type]
        return int(await session.scalar(statement) or 0)

    return await api.run(work)


async def join(
    browser: Browser, code: str, name: str = "Kay", kind: str = "resident", **extra: str
) -> httpx.Response:
    return await browser.submit(
        "/auth/join",
        "/auth/join",
        {"code": code, "displayName": name, "kind": kind, **extra},
    )


async def _joined_code(browser: Browser, response: httpx.Response) -> str:
    assert response.status_code == 303, response.text
    assert response.headers["location"].startswith("/auth/joined")
    welcome = await browser.page(response.headers["location"])
    found = CODE.search(welcome.text)
    assert found, welcome.text
    return found.group(1)


async def _facilitator(browsers: Callable[..., Browser]) -> Browser:
    browser = browsers()
    assert (await browser.sign_in(FACILITATOR_EMAIL)).status_code == 303
    return browser


async def test_an_empty_join_asks_for_every_missing_answer_at_once(
    api: Api, browser: Browser
) -> None:
    await _scene(api)
    response = await browser.submit("/auth/join", "/auth/join", {})
    assert response.status_code == 400
    for field in ("code", "displayName", "kind"):
        assert f'href="#{field}"' in response.text
    assert "Enter the conversation code." in response.text
    assert "does not match an open conversation" not in response.text


async def test_an_empty_join_in_polish_is_polish(api: Api, browser: Browser) -> None:
    await _scene(api)
    await browser.page("/auth/join?lang=pl")
    response = await browser.submit("/auth/join", "/auth/join", {})
    assert '<html lang="pl">' in response.text
    assert "Wpisz kod rozmowy." in response.text
    assert "Enter the conversation code." not in response.text


async def test_joining_lands_on_the_open_vote_after_the_personal_code(
    api: Api, browser: Browser
) -> None:
    scene, code = await _scene(api)
    response = await join(browser, code)
    assert response.headers["location"] == f"/auth/joined?next=%2Frounds%2F{scene.open_round}"
    welcome = await browser.page(response.headers["location"])
    assert CODE.search(welcome.text)
    assert f'href="/rounds/{scene.open_round}"' in welcome.text
    # Shown once: looking again shows no code.
    again = await browser.page(response.headers["location"])
    assert not CODE.search(again.text)


async def test_the_sign_in_pages_join_link_keeps_where_you_were_going(
    browser: Browser,
) -> None:
    page = await browser.page("/auth/sign-in?next=/rounds/7")
    assert 'href="/auth/join?next=%2Frounds%2F7"' in page.text
    join_page = await browser.page("/auth/join?next=/rounds/7")
    assert 'name="next" value="/rounds/7"' in join_page.text


async def test_rejoining_after_signing_out_is_the_same_voter(api: Api, browser: Browser) -> None:
    code = (await _scene(api))[1]
    personal = await _joined_code(browser, await join(browser, code))
    people_before = await _count(api, Person)
    await browser.submit("/auth/profile", "/auth/sign-out", {})
    assert browser.session_cookie is None
    # Joining again with the same name from the same browser makes nobody new.
    again = await join(browser, code)
    assert again.status_code == 409
    assert "personal code" in again.text
    assert await _count(api, Person) == people_before
    # The personal code signs back in as the same person.
    back = await browser.submit("/auth/join", "/auth/rejoin", {"personalCode": personal.lower()})
    assert back.status_code == 303
    viewer = (await browser.graphql("{ viewer { displayName } }")).json()["data"]["viewer"]
    assert viewer == {"displayName": "Kay"}
    assert await _count(api, Person) == people_before


async def test_a_wrong_personal_code_is_refused_and_counted(api: Api, browser: Browser) -> None:
    response = await browser.submit(
        "/auth/join", "/auth/rejoin", {"personalCode": "ABCD-EFGH-JKMN"}
    )
    assert response.status_code == 400
    assert 'href="#personalCode"' in response.text
    assert browser.session_cookie is None


async def test_the_profile_warns_a_join_code_person_before_signing_out(
    api: Api, browser: Browser
) -> None:
    code = (await _scene(api))[1]
    await _joined_code(browser, await join(browser, code))
    profile = await browser.page("/auth/profile")
    assert "Keep your personal code" in profile.text
    assert "signing out loses" in profile.text or "only way back" in profile.text
    # A new one replaces the old, shown once.
    made = await browser.submit("/auth/profile", "/auth/profile/personal-code", {})
    assert CODE.search(made.text)


async def test_the_join_limit_stops_new_people_at_the_headcount(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene, code = await _scene(api)
    facilitator = await _facilitator(browsers)
    page = f"/facilitate/conversations/{scene.conversation}/joiners"
    saved = await facilitator.submit(page, f"{page}/limit", {"joinLimit": "2"})
    assert saved.status_code == 303
    assert (await join(browsers(), code, "Ann")).status_code == 303
    assert (await join(browsers(), code, "Bo")).status_code == 303
    people = await _count(api, Person)
    full = await join(browsers(), code, "Cy")
    assert full.status_code == 409
    assert "Everyone the facilitator expected" in full.text
    assert await _count(api, Person) == people


async def test_the_database_holds_the_join_limit_too(api: Api) -> None:
    scene, _code = await _scene(api)

    async def overfill(session: AsyncSession) -> str:
        await session.execute(
            text("UPDATE conversations SET join_limit = 1 WHERE id = :id"),
            {"id": scene.conversation},
        )
        for person in (scene.voters["Dot"], scene.voters["Kev"]):
            try:
                async with session.begin_nested():
                    await session.execute(
                        text(
                            "INSERT INTO conversation_joins "
                            "(conversation_id, person_id, created_person) VALUES (:c, :p, true)"
                        ),
                        {"c": scene.conversation, "p": person},
                    )
            except Exception as error:
                return type(error).__name__
        return "accepted"

    assert await api.run(overfill) == "IntegrityError"


async def test_facilitators_see_joiners_and_remove_a_duplicate_with_its_ballot(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene, code = await _scene(api)
    phone, tablet = browsers(), browsers()
    await join(phone, code, "Kay")
    await join(tablet, code, "Kay")
    for browser in (phone, tablet):
        voted = await browser.submit(
            f"/rounds/{scene.open_round}",
            f"/rounds/{scene.open_round}",
            {f"dots-{scene.proposals[2]}": "1"},
        )
        assert voted.status_code in (200, 303), voted.text
    ballots = await _count(api, Ballot, Ballot.round_id == scene.open_round)
    facilitator = await _facilitator(browsers)
    page = f"/facilitate/conversations/{scene.conversation}/joiners"
    listing = await facilitator.page(page)
    assert listing.text.count("Remove as a duplicate") == 2

    async def kays(session: AsyncSession) -> list[int]:
        rows = await session.scalars(
            select(Person.id).where(Person.display_name == "Kay").order_by(Person.id)
        )
        return list(rows)

    _first, second = await api.run(kays)
    removed = await facilitator.submit(page, f"{page}/remove", {"personId": str(second)})
    assert removed.status_code == 303
    assert await _count(api, Ballot, Ballot.round_id == scene.open_round) == ballots - 1
    assert await _count(api, Ballot, Ballot.person_id == second) == 0
    assert (await tablet.graphql("{ viewer { id } }")).json()["data"]["viewer"] is None
    assert await _count(api, AuditEvent, AuditEvent.verb == "person.removed_as_duplicate") == 1


async def test_merging_keeps_one_person_with_the_ballot_cast_last(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene, code = await _scene(api)
    phone, tablet = browsers(), browsers()
    await join(phone, code, "Kay")
    await join(tablet, code, "Kay B")
    round_page = f"/rounds/{scene.open_round}"
    await phone.submit(round_page, round_page, {f"dots-{scene.proposals[2]}": "1"})
    await tablet.submit(round_page, round_page, {f"dots-{scene.proposals[3]}": "2"})

    async def ids(session: AsyncSession) -> tuple[int, int]:
        kay = await session.scalar(select(Person.id).where(Person.display_name == "Kay"))
        kay_b = await session.scalar(select(Person.id).where(Person.display_name == "Kay B"))
        assert kay
        assert kay_b
        return kay, kay_b

    kay, kay_b = await api.run(ids)
    ballots = await _count(api, Ballot, Ballot.round_id == scene.open_round)
    facilitator = await _facilitator(browsers)
    page = f"/facilitate/conversations/{scene.conversation}/joiners"
    merged = await facilitator.submit(
        page, f"{page}/merge", {"duplicateId": str(kay_b), "keepId": str(kay)}
    )
    assert merged.status_code == 303, merged.text
    assert await _count(api, Ballot, Ballot.round_id == scene.open_round) == ballots - 1

    async def kept_ballot(session: AsyncSession) -> list[int | None]:
        rows = await session.execute(
            text(
                "SELECT e.points FROM ballots b JOIN ballot_entries e ON e.ballot_id = b.id "
                "WHERE b.round_id = :r AND b.person_id = :p"
            ),
            {"r": scene.open_round, "p": kay},
        )
        return [points for (points,) in rows]

    assert await api.run(kept_ballot) == [2]  # Kay B's ballot was cast last
    assert await _count(api, AuditEvent, AuditEvent.verb == "person.merged") == 1
