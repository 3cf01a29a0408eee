"""Facilitator pages write the way GraphQL mutations do: a deadlock or serialization
failure runs the unit of work again (server.db_errors.retrying) instead of a 500."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.exc import DBAPIError

from server.answers import service as answers
from server.conversations import service as conversations
from tests.facilitator_support import FACILITATOR_EMAIL, Scene, build
from tests.http_browser import Browser
from tests.support import Api


class Deadlock(Exception):
    sqlstate = "40P01"


@pytest.fixture
async def scene(api: Api) -> Scene:
    return await api.run(build)


def _deadlocks_once(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Make ``module.name`` fail with a deadlock on its first call; the calls made."""
    original = getattr(module, name)
    calls: list[int] = []

    async def deadlocks_once(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 1:
            raise DBAPIError("INSERT ...", {}, Deadlock())
        return await original(*args, **kwargs)

    monkeypatch.setattr(module, name, deadlocks_once)
    return calls


async def test_a_deadlock_on_a_facilitator_form_is_retried_not_a_500(
    api: Api,
    browsers: Callable[..., Browser],
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fay = browsers()
    assert (await fay.sign_in(FACILITATOR_EMAIL)).status_code == 303
    calls = _deadlocks_once(monkeypatch, conversations, "start_conversation")
    page = "/facilitate/areas/willenhall/conversations/new"
    response = await fay.submit(
        page, "/facilitate/areas/willenhall/conversations", {"title": "Again", "prompt": "Why?"}
    )
    assert response.status_code == 303, response.text[:300]
    assert len(calls) == 2


async def test_every_facilitator_form_retries_a_deadlock_not_only_those_that_ask(
    api: Api,
    browsers: Callable[..., Browser],
    scene: Scene,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The theme list's form writes in a plain page transaction: the retry belongs to
    # every facilitator form, not to the handlers that remembered to ask for it.
    fay = browsers()
    assert (await fay.sign_in(FACILITATOR_EMAIL)).status_code == 303
    calls = _deadlocks_once(monkeypatch, answers, "create_theme")
    page = "/facilitate/areas/willenhall/themes"
    response = await fay.submit(page, page, {"name": "Allotments"})
    assert response.status_code == 303, response.text[:300]
    assert len(calls) == 2
