from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Select,
    String,
    case,
    cast,
    column,
    exists,
    func,
    literal,
    null,
    or_,
    select,
    tuple_,
    union_all,
    update,
    values,
)
from sqlalchemy.dialects.postgresql import distinct_on
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.expression import Values

from server.actions.filters import ActivityCursor, ActivityFilter, ActivityKind, PlanFilter
from server.actions.models import (
    Action,
    ActionOwnership,
    ActionStatus,
    Milestone,
    Update,
    UpdateKind,
)
from server.areas.models import Area
from server.pagination import page_per_parent
from server.people.models import Person
from server.proposals.models import Proposal
from server.teams.models import CoreTeam, TeamMembership
from server.voting.models import BallotItem, RoundState, VotingRound

# (root area asked about, area within its scope): lets one statement answer for many
# areas, each with or without the areas beneath it.
ScopePairs = Sequence[tuple[int, int]]


@dataclass(frozen=True, slots=True)
class ActionFacts:
    """An action with the counts its health depends on (see server.actions.health)."""

    action: Action
    open_blockers: int
    open_asks: int
    overdue_milestones: int
    # None without a lead or without a team; else whether the lead is a current member.
    lead_on_team: bool | None


@dataclass(frozen=True, slots=True)
class ExportRow:
    facts: ActionFacts
    area_slug: str
    team_name: str | None
    lead_name: str | None
    proposal_title: str | None
    themes: list[str]


@dataclass(frozen=True, slots=True)
class ActivityRow:
    root_id: int
    kind: ActivityKind
    occurred_at: datetime
    id: int
    area_id: int
    action_id: int | None
    update_id: int | None
    round_id: int | None


async def by_id(session: AsyncSession, action_id: int) -> Action | None:
    return await session.get(Action, action_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Action]:
    return list(await session.scalars(select(Action).where(Action.id.in_(ids))))


async def locked(session: AsyncSession, action_id: int) -> Action | None:
    return await session.scalar(
        select(Action)
        .where(Action.id == action_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


async def for_priority(session: AsyncSession, round_id: int, proposal_id: int) -> Action | None:
    return await session.scalar(
        select(Action).where(Action.round_id == round_id, Action.proposal_id == proposal_id)
    )


async def for_priorities(session: AsyncSession, keys: Sequence[tuple[int, int]]) -> list[Action]:
    round_ids = {round_id for round_id, _ in keys}
    rows = await session.scalars(select(Action).where(Action.round_id.in_(round_ids)))
    wanted = set(keys)
    return [a for a in rows if (a.round_id, a.proposal_id) in wanted]


async def facts_for_priorities(
    session: AsyncSession, keys: Sequence[tuple[int, int]], now: datetime
) -> list[ActionFacts]:
    round_ids = {round_id for round_id, _ in keys}
    rows = await session.execute(
        select(Action, *_fact_columns(now)).where(Action.round_id.in_(round_ids))
    )
    wanted = set(keys)
    found = [_facts(row) for row in rows]
    return [f for f in found if (f.action.round_id, f.action.proposal_id) in wanted]


def _themed(theme: str) -> Select[int]:
    return select(Proposal.id).where(Proposal.themes.contains([theme]))


def _plan_where(filters: PlanFilter) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if filters.status is not None:
        where.append(Action.status == filters.status)
    if filters.theme is not None:
        where.append(Action.proposal_id.in_(_themed(filters.theme)))
    if filters.since is not None:
        where.append(Action.created_at >= filters.since)
    if filters.until is not None:
        where.append(Action.created_at < filters.until)
    return where


async def for_areas(
    session: AsyncSession, area_ids: Sequence[int], status: ActionStatus | None
) -> list[Action]:
    statement = select(Action).where(Action.area_id.in_(area_ids))
    if status is not None:
        statement = statement.where(Action.status == status)
    return list(await session.scalars(statement.order_by(Action.area_id, Action.id)))


def _scope(pairs: ScopePairs) -> Values:
    return values(column("root_id", BigInteger), column("area_id", BigInteger), name="scope").data(
        list(pairs)
    )


def _fact_columns(now: datetime) -> list[Any]:
    def open_count(kind: UpdateKind) -> Any:
        return (
            select(func.count())
            .where(Update.action_id == Action.id, Update.kind == kind, Update.resolved_at.is_(None))
            .correlate(Action)
            .scalar_subquery()
        )

    overdue_milestones = (
        select(func.count())
        .select_from(Milestone)
        .where(
            Milestone.action_id == Action.id, Milestone.done_at.is_(None), Milestone.due_at < now
        )
        .correlate(Action)
        .scalar_subquery()
    )
    lead_is_member = exists().where(
        TeamMembership.team_id == Action.team_id,
        TeamMembership.person_id == Action.lead_id,
        TeamMembership.left_at.is_(None),
    )
    lead_on_team = case(
        (or_(Action.lead_id.is_(None), Action.team_id.is_(None)), null()),
        else_=lead_is_member,
    )
    return [
        open_count(UpdateKind.BLOCKER),
        open_count(UpdateKind.ASK_FOR_HELP),
        overdue_milestones,
        lead_on_team,
    ]


def _facts(row: Any, offset: int = 0) -> ActionFacts:
    action, blockers, asks, milestones, on_team = row[offset : offset + 5]
    return ActionFacts(action, blockers, asks, milestones, on_team)


async def facts_for(
    session: AsyncSession, action_ids: Sequence[int], now: datetime
) -> list[ActionFacts]:
    rows = await session.execute(
        select(Action, *_fact_columns(now)).where(Action.id.in_(action_ids))
    )
    return [_facts(row) for row in rows]


async def plan_for(
    session: AsyncSession, pairs: ScopePairs, filters: PlanFilter, now: datetime
) -> list[tuple[int, ActionFacts]]:
    """Every action in each root's scope with its health facts, by root then id."""
    scope = _scope(pairs)
    rows = await session.execute(
        select(scope.c.root_id, Action, *_fact_columns(now))
        .select_from(Action)
        .join(scope, scope.c.area_id == Action.area_id)
        .where(*_plan_where(filters))
        .order_by(scope.c.root_id, Action.id)
    )
    return [(row[0], _facts(row, 1)) for row in rows]


async def plan_page(
    session: AsyncSession,
    pairs: ScopePairs,
    filters: PlanFilter,
    now: datetime,
    *,
    after_id: int | None,
    limit: int,
) -> list[tuple[int, ActionFacts]]:
    """Up to ``limit`` actions per root, oldest adoption first, after ``after_id``."""
    scope = _scope(pairs)
    position = (
        func.row_number().over(partition_by=scope.c.root_id, order_by=Action.id).label("position")
    )
    inner = (
        select(scope.c.root_id.label("root_id"), Action.id.label("id"), position)
        .select_from(Action)
        .join(scope, scope.c.area_id == Action.area_id)
        .where(*_plan_where(filters))
    )
    if after_id is not None:
        inner = inner.where(Action.id > after_id)
    ranked = inner.subquery()
    rows = await session.execute(
        select(ranked.c.root_id, Action, *_fact_columns(now))
        .join(ranked, ranked.c.id == Action.id)
        .where(ranked.c.position <= limit)
        .order_by(ranked.c.root_id, Action.id)
    )
    return [(row[0], _facts(row, 1)) for row in rows]


async def plan_counts(
    session: AsyncSession, pairs: ScopePairs, filters: PlanFilter
) -> dict[int, int]:
    scope = _scope(pairs)
    rows = await session.execute(
        select(scope.c.root_id, func.count())
        .select_from(Action)
        .join(scope, scope.c.area_id == Action.area_id)
        .where(*_plan_where(filters))
        .group_by(scope.c.root_id)
    )
    return {root_id: int(count) for root_id, count in rows}


async def export_batch(
    session: AsyncSession,
    area_ids: Sequence[int],
    filters: PlanFilter,
    now: datetime,
    *,
    after_id: int | None,
    limit: int,
) -> list[ExportRow]:
    """One batch of an export: actions with their health facts and the names to print."""
    statement = (
        select(
            Action,
            *_fact_columns(now),
            Area.slug,
            CoreTeam.name,
            Person.display_name,
            Proposal.title,
            Proposal.themes,
        )
        .join(Area, Area.id == Action.area_id)
        .outerjoin(CoreTeam, CoreTeam.id == Action.team_id)
        .outerjoin(Person, Person.id == Action.lead_id)
        .outerjoin(Proposal, Proposal.id == Action.proposal_id)
        .where(Action.area_id.in_(area_ids), *_plan_where(filters))
        .order_by(Action.id)
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(Action.id > after_id)
    return [
        ExportRow(_facts(row), row[5], row[6], row[7], row[8], list(row[9] or []))
        for row in await session.execute(statement)
    ]


async def count_in_areas(
    session: AsyncSession, area_ids: Sequence[int], filters: PlanFilter
) -> int:
    found = await session.scalar(
        select(func.count())
        .select_from(Action)
        .where(Action.area_id.in_(area_ids), *_plan_where(filters))
    )
    return int(found or 0)


async def led_by_in_team(session: AsyncSession, team_id: int, person_id: int) -> list[Action]:
    """Open actions of a team that this person leads."""
    return list(
        await session.scalars(
            select(Action)
            .where(
                Action.team_id == team_id,
                Action.lead_id == person_id,
                Action.status.not_in([ActionStatus.DONE, ActionStatus.DROPPED]),
            )
            .order_by(Action.id)
        )
    )


# Updates


async def updates_for(session: AsyncSession, action_ids: Sequence[int]) -> list[Update]:
    """Newest first within each action."""
    return list(
        await session.scalars(
            select(Update)
            .where(Update.action_id.in_(action_ids))
            .order_by(Update.action_id, Update.id.desc())
        )
    )


async def update_pages(
    session: AsyncSession,
    action_ids: Sequence[int],
    *,
    kind: UpdateKind | None,
    open_only: bool,
    after_id: int | None,
    limit: int,
) -> list[Update]:
    where: list[ColumnElement[bool]] = []
    if kind is not None:
        where.append(Update.kind == kind)
    if open_only:
        where += [
            Update.kind.in_([UpdateKind.BLOCKER, UpdateKind.ASK_FOR_HELP]),
            Update.resolved_at.is_(None),
        ]
    return await page_per_parent(
        session,
        Update,
        Update.action_id,
        action_ids,
        after_id=after_id,
        limit=limit,
        where=where,
    )


async def latest_updates(session: AsyncSession, action_ids: Sequence[int]) -> list[Update]:
    return list(
        await session.scalars(
            select(Update)
            .where(Update.action_id.in_(action_ids))
            .ext(distinct_on(Update.action_id))
            .order_by(Update.action_id, Update.id.desc())
        )
    )


async def updates_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Update]:
    return list(await session.scalars(select(Update).where(Update.id.in_(ids))))


async def update_locked(session: AsyncSession, update_id: int) -> Update | None:
    return await session.scalar(
        select(Update)
        .where(Update.id == update_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# Milestones


async def milestones_for(session: AsyncSession, action_ids: Sequence[int]) -> list[Milestone]:
    """Soonest due first (undated last) within each action."""
    return list(
        await session.scalars(
            select(Milestone)
            .where(Milestone.action_id.in_(action_ids))
            .order_by(Milestone.action_id, Milestone.due_at.asc().nulls_last(), Milestone.id)
        )
    )


async def milestones_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Milestone]:
    return list(await session.scalars(select(Milestone).where(Milestone.id.in_(ids))))


async def milestone_locked(session: AsyncSession, milestone_id: int) -> Milestone | None:
    return await session.scalar(
        select(Milestone)
        .where(Milestone.id == milestone_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )


# Ownership history


async def ownerships_for(session: AsyncSession, action_ids: Sequence[int]) -> list[ActionOwnership]:
    """Oldest first within each action."""
    return list(
        await session.scalars(
            select(ActionOwnership)
            .where(ActionOwnership.action_id.in_(action_ids))
            .order_by(ActionOwnership.action_id, ActionOwnership.since, ActionOwnership.id)
        )
    )


# Activity


def _activity_branches(scope: Values, filters: ActivityFilter) -> list[Select[Any]]:
    # Every branch labels its columns: the union takes its names from whichever comes first.
    no_id = cast(null(), BigInteger)
    branches: list[Select[Any]] = []
    if ActivityKind.UPDATE_POSTED in filters.kinds:
        branch = (
            select(
                scope.c.root_id,
                cast(literal(ActivityKind.UPDATE_POSTED.value), String).label("kind"),
                Update.created_at.label("occurred_at"),
                Update.id.label("id"),
                Action.area_id.label("area_id"),
                Action.id.label("action_id"),
                Update.id.label("update_id"),
                no_id.label("round_id"),
            )
            .select_from(Update)
            .join(Action, Action.id == Update.action_id)
            .join(scope, scope.c.area_id == Action.area_id)
        )
        if filters.theme is not None:
            branch = branch.where(Action.proposal_id.in_(_themed(filters.theme)))
        branches.append(branch)
    if ActivityKind.PRIORITY_ADOPTED in filters.kinds:
        branch = (
            select(
                scope.c.root_id,
                cast(literal(ActivityKind.PRIORITY_ADOPTED.value), String).label("kind"),
                Action.created_at.label("occurred_at"),
                Action.id.label("id"),
                Action.area_id.label("area_id"),
                Action.id.label("action_id"),
                no_id.label("update_id"),
                Action.round_id.label("round_id"),
            )
            .select_from(Action)
            .join(scope, scope.c.area_id == Action.area_id)
        )
        if filters.theme is not None:
            branch = branch.where(Action.proposal_id.in_(_themed(filters.theme)))
        branches.append(branch)
    if ActivityKind.ROUND_CLOSED in filters.kinds:
        branch = (
            select(
                scope.c.root_id,
                cast(literal(ActivityKind.ROUND_CLOSED.value), String).label("kind"),
                VotingRound.closed_at.label("occurred_at"),
                VotingRound.id.label("id"),
                VotingRound.area_id.label("area_id"),
                no_id.label("action_id"),
                no_id.label("update_id"),
                VotingRound.id.label("round_id"),
            )
            .select_from(VotingRound)
            .join(scope, scope.c.area_id == VotingRound.area_id)
            .where(VotingRound.state == RoundState.CLOSED)
        )
        if filters.theme is not None:
            branch = branch.where(
                exists()
                .where(
                    BallotItem.round_id == VotingRound.id,
                    BallotItem.proposal_id.in_(_themed(filters.theme)),
                )
                .correlate(VotingRound)
            )
        branches.append(branch)
    return branches


async def activity(
    session: AsyncSession,
    pairs: ScopePairs,
    filters: ActivityFilter,
    *,
    after: ActivityCursor | None,
    limit: int,
) -> list[ActivityRow]:
    """Updates posted, priorities adopted and rounds closed in each root's scope, newest
    first, up to ``limit`` per root after the ``after`` cursor."""
    branches = _activity_branches(_scope(pairs), filters)
    if not branches:
        return []
    feed = union_all(*branches).subquery("feed")
    order = (feed.c.occurred_at.desc(), feed.c.kind.desc(), feed.c.id.desc())
    position = func.row_number().over(partition_by=feed.c.root_id, order_by=order)
    inner = select(*feed.c, position.label("position"))
    if filters.since is not None:
        inner = inner.where(feed.c.occurred_at >= filters.since)
    if filters.until is not None:
        inner = inner.where(feed.c.occurred_at < filters.until)
    if after is not None:
        inner = inner.where(
            tuple_(feed.c.occurred_at, feed.c.kind, feed.c.id)
            < tuple_(
                literal(after.occurred_at, feed.c.occurred_at.type),
                literal(after.kind.value, String),
                literal(after.id, BigInteger),
            )
        )
    ranked = inner.subquery("ranked")
    rows = await session.execute(
        select(*[c for c in ranked.c if c.name != "position"])
        .where(ranked.c.position <= limit)
        .order_by(
            ranked.c.root_id, ranked.c.occurred_at.desc(), ranked.c.kind.desc(), ranked.c.id.desc()
        )
    )
    return [
        ActivityRow(
            root_id=row.root_id,
            kind=ActivityKind(row.kind),
            occurred_at=row.occurred_at,
            id=row.id,
            area_id=row.area_id,
            action_id=row.action_id,
            update_id=row.update_id,
            round_id=row.round_id,
        )
        for row in rows
    ]


# Writes


async def add(session: AsyncSession, item: Action | Update | Milestone | ActionOwnership) -> None:
    session.add(item)
    await session.flush()


async def add_all(
    session: AsyncSession, items: Sequence[Action | Update | Milestone | ActionOwnership]
) -> None:
    """Insert many rows in batched statements (bulk set-up, e.g. imports and seeds)."""
    session.add_all(items)
    await session.flush()


async def backdate(session: AsyncSession, action_id: int, by: timedelta) -> None:
    """Move an action's whole story back in time (demo and test data only)."""
    await session.execute(
        update(Action)
        .where(Action.id == action_id)
        .values(created_at=Action.created_at - by, last_update_at=Action.last_update_at - by)
    )
    await session.execute(
        update(Update)
        .where(Update.action_id == action_id)
        .values(created_at=Update.created_at - by)
    )
    await session.execute(
        update(ActionOwnership)
        .where(ActionOwnership.action_id == action_id)
        .values(since=ActionOwnership.since - by)
    )
