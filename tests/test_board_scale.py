"""6. The board's query over a city (6 areas, 200 actions, 2,000 updates) costs a bounded
number of SQL statements: the same as over a handful of rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from examples.board_report import BOARD_PAPER
from server import clock
from server.access import Actor, Scope
from server.actions import repository as actions_repo
from server.actions.models import (
    Action,
    ActionOwnership,
    ActionStatus,
    Milestone,
    Rag,
    Update,
    UpdateKind,
)
from server.areas import repository as areas_repo
from server.config import Settings
from server.people import service as people
from server.people.models import PersonKind, Role
from server.proposals import service as proposals
from server.teams import service as teams
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import ResultVisibility, VotingMethod
from server.voting.rules import EntryInput
from tests.support import Api, World
from tests.test_query_counts import counting

NEIGHBOURHOODS = ["willenhall", "tile-hill", "foleshill", "hillfields", "canley", "wood-end"]
STATUSES = list(ActionStatus)
KINDS = [UpdateKind.PROGRESS, UpdateKind.LEARNING, UpdateKind.BLOCKER, UpdateKind.ASK_FOR_HELP]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # Keep the background round closer (which shares the engine) out of the counts.
    return settings.model_copy(update={"round_closer_interval": 3600.0})


async def _seed(
    session: AsyncSession, admin_id: int, per_area: Sequence[int], updates_each: int, batch: str
) -> None:
    """Per neighbourhood: proposals, a closed round, a core team with a lead, and its
    share of actions, each with updates and milestones, inserted in bulk."""
    coventry = await areas_repo.by_slug(session, "coventry")
    assert coventry is not None
    admin = Actor.build(admin_id, {Scope.READ, Scope.WRITE}, [(coventry.id, Role.ADMIN)])
    now = clock.now()
    rows: list[Action] = []
    for slug, count in zip(NEIGHBOURHOODS, per_area, strict=True):
        area = await areas_repo.by_slug(session, slug)
        assert area is not None
        items = [
            await proposals.propose_item(
                session,
                admin,
                area_slug=slug,
                title=f"{slug} idea {batch}{n}",
                description="An idea.",
                conversation_id=None,
                themes=["wellbeing" if n % 2 else "services"],
            )
            for n in range(count)
        ]
        voting_round = await voting.create_round(
            session,
            admin,
            area_slug=slug,
            title=f"{slug} round {batch}",
            method=VotingMethod.APPROVAL,
            proposal_ids=[p.id for p in items],
            dots_per_person=None,
            max_dots_per_item=None,
            result_visibility=ResultVisibility.AFTER_CLOSE,
            closes_at=None,
        )
        await voting.open_round(session, admin, voting_round.id)
        await voting.cast_ballot(
            session, admin, round_id=voting_round.id, entries=[EntryInput(p.id, 1) for p in items]
        )
        await voting.close_round(session, admin, voting_round.id)
        team = await teams.create_core_team(
            session, admin, area_slug=slug, name=f"{slug} team {batch}"
        )
        lead, _ = await people.ensure_person(
            session,
            email=f"lead.{slug}.{batch}@example.org",
            display_name=f"Lead {slug}",
            kind=PersonKind.RESIDENT,
        )
        # A core team is people taking part in its area.
        await people.grant(session, lead, area, Role.PARTICIPANT, None)
        await teams.add_member(session, admin, team_id=team.id, person_id=lead.id)
        for n, priority in enumerate(await voting_repo.priorities_for(session, [voting_round.id])):
            status = STATUSES[n % len(STATUSES)]
            closed = status in (ActionStatus.DONE, ActionStatus.DROPPED)
            rows.append(
                Action(
                    area_id=area.id,
                    title=f"Action {slug} {batch}{n}",
                    description="",
                    status=status,
                    rag=[Rag.GREEN, Rag.AMBER, Rag.RED][n % 3],
                    percent_complete=100 if status is ActionStatus.DONE else (n * 7) % 100,
                    target_date=now + timedelta(days=20 - n),
                    team_id=team.id,
                    lead_id=lead.id if n % 4 else None,
                    round_id=voting_round.id,
                    proposal_id=priority.proposal_id,
                    priority_rank=priority.rank,
                    closing_statement="You said, we did." if closed else None,
                    last_update_at=now - timedelta(days=(n * 9) % 50),
                )
            )
    await actions_repo.add_all(session, rows)
    extras: list[Update | Milestone | ActionOwnership] = []
    for index, action in enumerate(rows):
        # A third of the actions still have their blocker open.
        stuck = index % 3 == 0
        extras.append(
            ActionOwnership(action_id=action.id, team_id=action.team_id, lead_id=action.lead_id)
        )
        extras.append(
            Milestone(action_id=action.id, title="Halfway", due_at=now - timedelta(days=1))
        )
        for n in range(updates_each):
            kind = KINDS[n % len(KINDS)]
            extras.append(
                Update(
                    action_id=action.id,
                    kind=kind,
                    body=f"Update {n}",
                    author_id=admin_id,
                    created_at=now - timedelta(hours=n),
                    resolved_at=None if stuck or kind is not UpdateKind.BLOCKER else now,
                    resolution=None if stuck or kind is not UpdateKind.BLOCKER else "Sorted.",
                )
            )
    await actions_repo.add_all(session, extras)


async def _board_paper(api: Api, world: World) -> dict[str, Any]:
    data = await api.data(BOARD_PAPER, {"area": "coventry", "activity": 20}, as_=world.board)
    area: dict[str, Any] = data["area"]
    return area


async def test_the_board_paper_query_costs_the_same_for_30_or_200_actions(api: Api) -> None:
    world = await World(api).build()
    for slug in NEIGHBOURHOODS[2:]:
        await api.area(slug, parent="coventry")
    # Two rounds per area, so (as at scale) the plan holds actions from older rounds than
    # the latest priorities.
    await api.run(lambda s: _seed(s, world.admin.person_id, [2] * 6, 10, "a"))
    await api.run(lambda s: _seed(s, world.admin.person_id, [3] * 6, 10, "b"))
    await _board_paper(api, world)  # the token's first use is noted once
    with counting(api.app) as small:
        before = await _board_paper(api, world)
    assert before["actionPlanSummary"]["adopted"] == 30

    await api.run(lambda s: _seed(s, world.admin.person_id, [29, 29, 28, 28, 28, 28], 10, "c"))
    with counting(api.app) as large:
        after = await _board_paper(api, world)

    summary = after["actionPlanSummary"]
    assert summary["adopted"] == 200
    assert sum(row["count"] for row in summary["byStatus"]) == 200
    assert after["actionPlan"]["totalCount"] == 200
    assert len(after["actionPlan"]["edges"]) == 100
    assert after["actionPlan"]["pageInfo"]["hasNextPage"] is True
    assert len(after["activity"]["edges"]) == 20
    assert len(after["children"]) == 6
    for flagged in ("stale", "blocked", "overdue", "needsLead", "openAsks"):
        assert summary[flagged], flagged

    async def count(session: AsyncSession, model: type[Any]) -> int:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)

    assert await api.run(lambda s: count(s, Action)) == 200
    assert await api.run(lambda s: count(s, Update)) == 2000
    assert large.count == small.count, (small.statements, large.statements)
    # Token and roles (2), then one statement per loader batch: 23 for the whole paper.
    assert large.count <= 25, large.statements
