"""Request-scoped loaders of the action plan: each batch is one SQL statement, however
many actions, teams or areas a query asks about."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from schema.loaders import Keyed
from server.access import Actor
from server.actions import board
from server.actions import repository as actions_repo
from server.actions import service as actions
from server.actions.filters import ActivityCursor, ActivityFilter, PlanFilter
from server.actions.health import Health
from server.actions.models import Action, ActionOwnership, Milestone, Update, UpdateKind
from server.teams import repository as teams_repo
from server.teams.models import TeamMembership

if TYPE_CHECKING:
    from schema.context import Context

T = TypeVar("T")


def _per_args(
    fetch: Callable[[Any, list[int]], Awaitable[dict[int, T]]], default: Callable[[], T]
) -> DataLoader[Keyed[Any], T]:
    """Keys sharing their arguments are answered together by one ``fetch``."""

    async def load(keys: list[Keyed[Any]]) -> list[T]:
        by_args: dict[Hashable, list[int]] = defaultdict(list)
        for key in keys:
            by_args[key.args].append(key.parent_id)
        found: dict[Keyed[Any], T] = {}
        for args, parent_ids in by_args.items():
            answers = await fetch(args, parent_ids)
            for parent_id in parent_ids:
                found[Keyed(parent_id, args)] = answers.get(parent_id, default())
        return [found[key] for key in keys]

    return DataLoader(load_fn=load)


def _grouped(rows: list[T], parent_of: Callable[[T], int]) -> dict[int, list[T]]:
    groups: dict[int, list[T]] = defaultdict(list)
    for row in rows:
        groups[parent_of(row)].append(row)
    return groups


class ActionLoaders:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.health: DataLoader[int, Health | None] = DataLoader(load_fn=self._health)
        self.milestone: DataLoader[int, Milestone | None] = DataLoader(load_fn=self._milestone)
        self.milestones: DataLoader[int, list[Milestone]] = DataLoader(load_fn=self._milestones)
        self.latest_update: DataLoader[int, Update | None] = DataLoader(load_fn=self._latest)
        self.ownerships: DataLoader[int, list[ActionOwnership]] = DataLoader(
            load_fn=self._ownerships
        )
        self.memberships: DataLoader[Keyed[Any], list[TeamMembership]] = _per_args(
            self._memberships, list
        )
        self.update_pages: DataLoader[Keyed[Any], list[Update]] = _per_args(
            self._update_pages, list
        )
        self.summary: DataLoader[Keyed[Any], board.PlanSummary] = DataLoader(
            load_fn=self._summaries
        )
        self.plan_page: DataLoader[Keyed[Any], list[Action]] = _per_args(self._plan_pages, list)
        self.priority_action: DataLoader[tuple[int, int], Action | None] = DataLoader(
            load_fn=self._priority_actions
        )
        self.plan_count: DataLoader[Keyed[Any], int] = _per_args(self._plan_counts, int)
        self.activity: DataLoader[Keyed[Any], list[actions_repo.ActivityRow]] = _per_args(
            self._activity, list
        )

    async def _health(self, action_ids: list[int]) -> list[Health | None]:
        found = await self.ctx.read(actions.health_of, action_ids)
        return [found.get(action_id) for action_id in action_ids]

    async def _milestone(self, ids: list[int]) -> list[Milestone | None]:
        found = {m.id: m for m in await self.ctx.read(actions_repo.milestones_by_ids, ids)}
        return [found.get(i) for i in ids]

    async def _milestones(self, action_ids: list[int]) -> list[list[Milestone]]:
        groups = _grouped(
            await self.ctx.read(actions_repo.milestones_for, action_ids), lambda m: m.action_id
        )
        return [groups.get(i, []) for i in action_ids]

    async def _latest(self, action_ids: list[int]) -> list[Update | None]:
        found = {
            u.action_id: u for u in await self.ctx.read(actions_repo.latest_updates, action_ids)
        }
        return [found.get(i) for i in action_ids]

    async def _ownerships(self, action_ids: list[int]) -> list[list[ActionOwnership]]:
        groups = _grouped(
            await self.ctx.read(actions_repo.ownerships_for, action_ids), lambda o: o.action_id
        )
        return [groups.get(i, []) for i in action_ids]

    async def _memberships(
        self, at: datetime | None, team_ids: list[int]
    ) -> dict[int, list[TeamMembership]]:
        rows = await self.ctx.read(_memberships, team_ids, at)
        return _grouped(rows, lambda m: m.team_id)

    async def _update_pages(self, args: Any, action_ids: list[int]) -> dict[int, list[Update]]:
        kind, open_only, page = args
        rows = await self.ctx.read(
            _update_pages, action_ids, kind, open_only, page.after_id, page.limit
        )
        return _grouped(rows, lambda u: u.action_id)

    async def _summaries(self, keys: list[Keyed[Any]]) -> list[board.PlanSummary]:
        actor = self.ctx.require_actor()
        by_filter: dict[PlanFilter, list[Keyed[Any]]] = defaultdict(list)
        for key in keys:
            by_filter[key.args[1]].append(key)
        found: dict[Keyed[Any], board.PlanSummary] = {}
        for filters, group in by_filter.items():
            requests = [(key.parent_id, key.args[0]) for key in group]
            summaries = await self.ctx.read(board.summaries, actor, requests, filters)
            found.update(zip(group, summaries, strict=True))
        return [found[key] for key in keys]

    async def _plan_pages(self, args: Any, area_ids: list[int]) -> dict[int, list[Action]]:
        deep, filters, page = args
        actor = self.ctx.require_actor()
        pages = await self.ctx.read(
            _plan_pages, actor, area_ids, deep, filters, page.after_id, page.limit
        )
        return {root: self._with_health(rows) for root, rows in pages.items()}

    async def _priority_actions(self, keys: list[tuple[int, int]]) -> list[Action | None]:
        rows = self._with_health(await self.ctx.read(actions.priority_actions, keys))
        found = {(a.round_id, a.proposal_id): a for a in rows}
        return [found.get(key) for key in keys]

    def _with_health(self, rows: list[tuple[Action, Health]]) -> list[Action]:
        """The actions, their health primed so showing their RAG and flags reads nothing."""
        for action, health in rows:
            self.health.prime(action.id, health)
        return [action for action, _ in rows]

    async def _plan_counts(self, args: Any, area_ids: list[int]) -> dict[int, int]:
        deep, filters = args
        actor = self.ctx.require_actor()
        return await self.ctx.read(board.plan_counts, actor, area_ids, deep, filters)

    async def _activity(
        self, args: Any, area_ids: list[int]
    ) -> dict[int, list[actions_repo.ActivityRow]]:
        deep, filters, after, limit = args
        actor = self.ctx.require_actor()
        return await self.ctx.read(_activity, actor, area_ids, deep, filters, after, limit)


async def _memberships(
    session: AsyncSession, team_ids: list[int], at: datetime | None
) -> list[TeamMembership]:
    return await teams_repo.memberships_for(session, team_ids, at=at)


async def _update_pages(
    session: AsyncSession,
    action_ids: list[int],
    kind: UpdateKind | None,
    open_only: bool,
    after_id: int | None,
    limit: int,
) -> list[Update]:
    return await actions_repo.update_pages(
        session, action_ids, kind=kind, open_only=open_only, after_id=after_id, limit=limit
    )


async def _plan_pages(
    session: AsyncSession,
    actor: Actor,
    area_ids: list[int],
    deep: bool,
    filters: PlanFilter,
    after_id: int | None,
    limit: int,
) -> dict[int, list[tuple[Action, Health]]]:
    return await board.plan_pages(
        session, actor, area_ids, deep, filters, after_id=after_id, limit=limit
    )


async def _activity(
    session: AsyncSession,
    actor: Actor,
    area_ids: list[int],
    deep: bool,
    filters: ActivityFilter,
    after: ActivityCursor | None,
    limit: int,
) -> dict[int, list[actions_repo.ActivityRow]]:
    return await board.activity_pages(
        session, actor, area_ids, deep, filters, after=after, limit=limit
    )
