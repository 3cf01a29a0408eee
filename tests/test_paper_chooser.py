"""“Which Kay?”: the paper-ballot chooser shows what tells namesakes apart (how they
joined, the end of an email address, a facilitator's note), and a person's own ballot is
replaced only with the override ticked for that very person."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from server.conversations.models import Conversation
from server.people.models import Person, Role
from server.voting.models import Ballot
from tests.facilitator_support import FACILITATOR_EMAIL, PARTICIPANT_EMAIL, Scene, build
from tests.http_browser import Browser
from tests.support import Api


async def _signed_in(browsers: Callable[..., Browser], email: str) -> Browser:
    browser = browsers()
    assert (await browser.sign_in(email)).status_code == 303
    return browser


async def test_namesakes_are_told_apart_by_how_they_joined_and_a_note(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene: Scene = await api.run(build)

    async def code(session: AsyncSession) -> str:
        conversation = await session.get(Conversation, scene.conversation)
        assert conversation is not None
        return conversation.join_code

    kay = browsers()
    await kay.submit(
        "/auth/join",
        "/auth/join",
        {"code": await api.run(code), "displayName": "Kay", "kind": "resident"},
    )
    await api.someone("Kay", roles=[(Role.PARTICIPANT, "willenhall")], email="kay@brown.example")

    async def joined_kay(session: AsyncSession) -> int:
        found = await session.scalar(
            select(Person.id).where(Person.display_name == "Kay", Person.email.is_(None))
        )
        assert found is not None
        return found

    fay = await _signed_in(browsers, FACILITATOR_EMAIL)
    joiners = f"/facilitate/conversations/{scene.conversation}/joiners"
    noted = await fay.submit(
        joiners, f"{joiners}/note", {"personId": str(await api.run(joined_kay)), "note": "red hat"}
    )
    assert noted.status_code == 303
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    answer = await fay.submit(paper, paper, {"voterName": "Kay", f"p-{scene.proposals[2]}": "1"})
    assert answer.status_code == 400
    assert "Joined with the code at Big Conversation at the community centre" in answer.text
    assert "Note: red hat" in answer.text
    assert "ending …ay@brown.example" in answer.text
    assert "taking part since" not in answer.text


async def test_an_override_ticked_for_one_person_does_not_replace_anothers_ballot(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene: Scene = await api.run(build)
    first, second = scene.proposals[2:]
    rita = await _signed_in(browsers, PARTICIPANT_EMAIL)
    await rita.submit(
        f"/rounds/{scene.open_round}", f"/rounds/{scene.open_round}", {f"dots-{first}": "1"}
    )

    async def ritas_ballot(session: AsyncSession) -> Ballot | None:
        return await session.scalar(
            select(Ballot).where(
                Ballot.round_id == scene.open_round, Ballot.person_id == scene.participant
            )
        )

    before = await api.run(ritas_ballot)
    assert before is not None
    assert before.assisted_by_id is None
    fay = await _signed_in(browsers, FACILITATOR_EMAIL)
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    # The box was ticked for someone else (or left over from an earlier paper).
    for leftover in ("yes", str(scene.voters["Dot"])):
        answer = await fay.submit(
            paper, paper, {"voterName": "Rita", f"p-{second}": "3", "override": leftover}
        )
        assert answer.status_code == 400
        assert 'href="#override"' in answer.text
        assert f'name="override" type="checkbox" value="{scene.participant}"' in answer.text
    after = await api.run(ritas_ballot)
    assert after is not None
    assert after.assisted_by_id is None
