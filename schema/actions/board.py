"""The board's view of an area: the action plan summary, the plan a page at a time, and
the activity feed. Fields of ``Area`` (see schema/areas/types.py)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from schema.actions.types import ActionType, UpdateType
from schema.base import Info, PageInfo, encode_cursor, page, split_page
from schema.errors import bad_argument
from schema.loaders import Keyed
from schema.refs import AreaRef, VotingRoundRef
from server.actions import board
from server.actions.filters import ActivityFilter, ActivityKind, PlanFilter
from server.actions.models import Action, ActionStatus, Rag
from server.actions.repository import ActivityRow
from server.errors import DomainError
from server.pagination import MAX_PAGE

if TYPE_CHECKING:
    from schema.areas.types import AreaType

strawberry.enum(ActivityKind, name="ActivityKind")


def _window(since: datetime | None, until: datetime | None) -> None:
    if since is not None and until is not None and until <= since:
        raise bad_argument("'until' must be after 'since'.")


def _actions(info: Info, rows: list[Action], summary: board.PlanSummary) -> list[ActionType]:
    for action in rows:
        info.context.loaders.plan.health.prime(action.id, summary.health[action.id])
    return [ActionType.of(a) for a in rows]


@strawberry.type(name="StatusCount")
class StatusCount:
    status: ActionStatus
    count: int


@strawberry.type(name="RagCount")
class RagCount:
    rag: Rag
    count: int


@strawberry.type(
    name="ActionPlanSummary",
    description="A board paper's worth of facts about an area's action plan, as of `asOf`.",
)
class ActionPlanSummaryType:
    as_of: datetime
    model: strawberry.Private[board.PlanSummary]

    @strawberry.field(description="Actions adopted from priorities.")
    def adopted(self) -> int:
        return self.model.adopted

    @strawberry.field
    def done(self) -> int:
        return self.model.done

    @strawberry.field(
        description="Percent of adopted priorities DONE (dropped count as not done); null "
        "when none were adopted."
    )
    def percent_done(self) -> float | None:
        return self.model.percent_done

    @strawberry.field(description="Mean percent complete of the actions not dropped.")
    def average_percent_complete(self) -> float | None:
        return self.model.average_percent_complete

    @strawberry.field(description="Every status, with how many actions have it.")
    def by_status(self) -> list[StatusCount]:
        return [StatusCount(status=s, count=n) for s, n in self.model.by_status.items()]

    @strawberry.field(description="Every effective RAG, with how many actions have it.")
    def by_rag(self) -> list[RagCount]:
        return [RagCount(rag=r, count=n) for r, n in self.model.by_rag.items()]

    @strawberry.field(description="Open actions with no update for 30 days.")
    def stale(self, info: Info) -> list[ActionType]:
        return _actions(info, self.model.stale, self.model)

    @strawberry.field(description="BLOCKED, or with an unresolved blocker.")
    def blocked(self, info: Info) -> list[ActionType]:
        return _actions(info, self.model.blocked, self.model)

    @strawberry.field(description="Open and past their target date.")
    def overdue(self, info: Info) -> list[ActionType]:
        return _actions(info, self.model.overdue, self.model)

    @strawberry.field(description="Open with no lead, or a lead who has left the team.")
    def needs_lead(self, info: Info) -> list[ActionType]:
        return _actions(info, self.model.needs_lead, self.model)

    @strawberry.field(description="With an unanswered ask for help.")
    def open_asks(self, info: Info) -> list[ActionType]:
        return _actions(info, self.model.open_asks, self.model)


@strawberry.type(name="ActionEdge")
class ActionEdge:
    cursor: str
    node: ActionType


@strawberry.type(name="ActionConnection")
class ActionConnection:
    edges: list[ActionEdge]
    page_info: PageInfo
    total_count: int


@strawberry.type(
    name="ActivityEvent",
    description="Something that happened to the plan: an update posted, a priority adopted "
    "(`action`), or a round closed (`round`).",
)
class ActivityEventType:
    kind: ActivityKind
    occurred_at: datetime
    model: strawberry.Private[ActivityRow]

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.model.area_id)
        assert area is not None
        return AreaType.of(area)

    @strawberry.field(description="The action updated or adopted.")
    async def action(self, info: Info) -> ActionType | None:
        if self.model.action_id is None:
            return None
        action = await info.context.loaders.action.load(self.model.action_id)
        return ActionType.of(action) if action else None

    @strawberry.field(description="The update posted (UPDATE_POSTED).")
    async def update(self, info: Info) -> UpdateType | None:
        if self.model.update_id is None:
            return None
        found = await info.context.loaders.update.load(self.model.update_id)
        return UpdateType.of(found) if found else None

    @strawberry.field(description="The round closed, or the round a priority came from.")
    async def round(self, info: Info) -> VotingRoundRef | None:
        from schema.voting.types import VotingRoundType

        if self.model.round_id is None:
            return None
        found = await info.context.loaders.round.load(self.model.round_id)
        return VotingRoundType.of(found) if found else None


@strawberry.type(name="ActivityEdge")
class ActivityEdge:
    cursor: str
    node: ActivityEventType


@strawberry.type(name="ActivityConnection")
class ActivityConnection:
    edges: list[ActivityEdge]
    page_info: PageInfo


async def action_plan_summary(
    root: AreaType,
    info: Info,
    include_children: bool = True,
    theme: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ActionPlanSummaryType:
    _window(since, until)
    filters = PlanFilter(theme=theme, since=since, until=until)
    key = Keyed(root.model.id, (include_children, filters))
    summary = await info.context.loaders.plan.summary.load(key)
    return ActionPlanSummaryType(as_of=summary.as_of, model=summary)


async def action_plan(
    root: AreaType,
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    include_children: bool = True,
    status: ActionStatus | None = None,
    theme: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> ActionConnection:
    _window(since, until)
    filters = PlanFilter(theme=theme, since=since, until=until, status=status)
    requested = page(first, after)
    loaders = info.context.loaders.plan
    rows = await loaders.plan_page.load(
        Keyed(root.model.id, (include_children, filters, requested))
    )
    shown, more = split_page(rows, requested)
    total = await loaders.plan_count.load(Keyed(root.model.id, (include_children, filters)))
    return ActionConnection(
        edges=[ActionEdge(cursor=encode_cursor(a.id), node=ActionType.of(a)) for a in shown],
        page_info=PageInfo(
            has_next_page=more, end_cursor=encode_cursor(shown[-1].id) if shown else None
        ),
        total_count=total,
    )


async def activity(
    root: AreaType,
    info: Info,
    first: int | None = 20,
    after: str | None = None,
    include_children: bool = True,
    theme: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    kinds: list[ActivityKind] | None = None,
) -> ActivityConnection:
    _window(since, until)
    if first is not None and first < 0:
        raise bad_argument("'first' cannot be negative.")
    limit = min(20 if first is None else first, MAX_PAGE)
    try:
        cursor = board.decode_activity_cursor(after) if after is not None else None
    except DomainError as error:
        raise bad_argument(error.message) from error
    filters = ActivityFilter(
        theme=theme,
        since=since,
        until=until,
        kinds=frozenset(kinds) if kinds else frozenset(ActivityKind),
    )
    rows = await info.context.loaders.plan.activity.load(
        Keyed(root.model.id, (include_children, filters, cursor, limit + 1))
    )
    shown, more = rows[:limit], len(rows) > limit
    edges = [
        ActivityEdge(
            cursor=board.encode_activity_cursor(row),
            node=ActivityEventType(kind=row.kind, occurred_at=row.occurred_at, model=row),
        )
        for row in shown
    ]
    return ActivityConnection(
        edges=edges,
        page_info=PageInfo(has_next_page=more, end_cursor=edges[-1].cursor if edges else None),
    )


summary_field = strawberry.field(
    resolver=action_plan_summary,
    description="A board paper's worth of facts: counts per status and RAG, the stale, "
    "blocked, overdue and lead-less actions, asks for help, and the share of adopted "
    "priorities done. With includeChildren (the default) every area beneath counts too; "
    "theme keeps actions whose proposal carries it; since/until keep actions adopted then.",
)
plan_field = strawberry.field(
    resolver=action_plan,
    description="The action plan a page at a time, oldest adoption first, with the "
    "filters of actionPlanSummary and a status.",
)
activity_field = strawberry.field(
    resolver=activity,
    description="Newest first: updates posted, priorities adopted and rounds closed here "
    "(and, by default, beneath). theme keeps those about a proposal carrying it; "
    "since/until bound when they happened; kinds keeps some kinds only.",
)
