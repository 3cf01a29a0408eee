"""Lists cost a constant number of SQL statements, however long they are."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import event
from starlette.applications import Starlette

from server.config import Settings
from server.people.models import Role
from tests.support import Api, World

PAGE = """{ area(slug: "willenhall") { proposals(first: 50) { totalCount
    edges { node { title author { displayName } commentCount origin { title } } } } } }"""

BOARD = """{ areas { slug children { slug } proposals(first: 20) { totalCount edges { node {
    title author { displayName } commentCount comments(first: 5) { edges { node { body
    author { displayName } replies { body } } } } } } }
    votingRounds { title turnout proposals { title } }
    priorities(includeChildren: true) { rank proposal { title } action { status team { name } } }
    coreTeams { name members { displayName } }
    actions { title updates { body author { displayName } } } } }"""


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Keep the background round closer (which shares the engine) out of the counts.
    return settings.model_copy(update={"round_closer_interval": 3600.0})


class StatementCounter:
    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.statements.append(" ".join(statement.split())[:70])

    @property
    def count(self) -> int:
        return len(self.statements)


@contextmanager
def counting(app: Starlette) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    engine = app.state.engine.sync_engine
    event.listen(engine, "before_cursor_execute", counter)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", counter)


async def _grow(api: Api, world: World, proposals: int) -> None:
    authors = [await api.someone(roles=[(Role.PARTICIPANT, "willenhall")]) for _ in range(5)]
    for i in range(proposals):
        proposal = await world.proposal(f"Idea {i}", by=authors[i % 5])
        await api.ok(
            "addComment",
            {"subjectId": proposal, "body": "Good"},
            as_=authors[(i + 1) % 5],
            returning="comment { id }",
        )


async def test_a_page_of_proposals_costs_the_same_for_5_or_50(api: Api) -> None:
    world = await World(api).build()
    await _grow(api, world, 5)
    await api.data("{ viewer { id } }", as_=world.board)  # first use of the token is noted
    with counting(api.app) as small:
        await api.data(PAGE, as_=world.board)
    await _grow(api, world, 45)
    with counting(api.app) as large:
        data = await api.data(PAGE, as_=world.board)
    assert len(data["area"]["proposals"]["edges"]) == 50
    assert small.count == large.count, (small.statements, large.statements)
    # The token with its roles (1), the area (1), and the page with its total, authors,
    # comment counts and origins (4).
    assert large.count == 6, large.statements


async def test_a_board_overview_query_is_bounded(api: Api) -> None:
    world = await World(api).build()
    await _grow(api, world, 3)
    await api.data("{ viewer { id } }", as_=world.board)
    with counting(api.app) as small:
        await api.data(BOARD, as_=world.board)
    await _grow(api, world, 20)
    round_id = await world.round([await world.proposal("On the ballot")])
    await world.close(round_id)
    with counting(api.app) as large:
        await api.data(BOARD, as_=world.board)
    assert large.count <= small.count + 4, (small.count, large.count)
    assert large.count <= 25
