"""Pages count writes against the same per-person limit as GraphQL mutations: a
facilitator typing in paper ballots, or anyone posting forms, is slowed down past it,
and the refused write changes nothing."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import RateLimits, Settings
from server.voting.models import Ballot
from tests.facilitator_support import FACILITATOR_EMAIL, Scene, build
from tests.http_browser import Browser
from tests.support import Api

LIMIT = 2


@pytest.fixture
def settings(settings: Settings) -> Settings:
    return settings.model_copy(update={"rate_limits": RateLimits(writes_per_person=LIMIT)})


async def _ballots(api: Api, round_id: int) -> int:
    async def count(session: AsyncSession) -> int:
        found = await session.scalar(
            select(func.count()).select_from(Ballot).where(Ballot.round_id == round_id)
        )
        return int(found or 0)

    return await api.run(count)


async def test_paper_ballots_past_the_write_limit_wait(
    api: Api, browsers: Callable[..., Browser]
) -> None:
    scene: Scene = await api.run(build)
    fay = browsers()
    assert (await fay.sign_in(FACILITATOR_EMAIL)).status_code == 303
    paper = f"/facilitate/rounds/{scene.open_round}/paper"
    before = await _ballots(api, scene.open_round)
    answers = []
    for name in ("Dot", "Kev", "Amina"):
        answers.append(
            await fay.submit(paper, paper, {"voterName": name, f"p-{scene.proposals[2]}": "1"})
        )
    assert [a.status_code for a in answers] == [303] * LIMIT + [429]
    assert "Wait a minute and try again" in answers[-1].text
    assert await _ballots(api, scene.open_round) == before + LIMIT
