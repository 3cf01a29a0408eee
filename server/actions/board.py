"""The board's view of the action plan: summaries, pages and the activity feed, for many
areas at once (each with or without the areas beneath it) in one statement each."""

from __future__ import annotations

import base64
import binascii
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor
from server.actions import repository
from server.actions.filters import ActivityCursor, ActivityFilter, ActivityKind, PlanFilter
from server.actions.health import Health, assess
from server.actions.models import Action, ActionStatus, Rag
from server.actions.service import facts_of
from server.errors import InvalidInput
from server.inputs import parse_id, parse_moment

# (area, include the areas beneath it)
Request = tuple[int, bool]


@dataclass
class PlanSummary:
    """A board paper's worth of facts about an area's action plan."""

    as_of: datetime
    adopted: int = 0
    by_status: dict[ActionStatus, int] = field(
        default_factory=lambda: dict.fromkeys(ActionStatus, 0)
    )
    by_rag: dict[Rag, int] = field(default_factory=lambda: dict.fromkeys(Rag, 0))
    percent_sum: int = 0
    stale: list[Action] = field(default_factory=list)
    blocked: list[Action] = field(default_factory=list)
    overdue: list[Action] = field(default_factory=list)
    needs_lead: list[Action] = field(default_factory=list)
    open_asks: list[Action] = field(default_factory=list)
    health: dict[int, Health] = field(default_factory=dict)

    @property
    def done(self) -> int:
        return self.by_status[ActionStatus.DONE]

    @property
    def percent_done(self) -> float | None:
        """Share of adopted priorities that are DONE (dropped ones count as not done)."""
        if not self.adopted:
            return None
        return round(100 * self.done / self.adopted, 1)

    @property
    def average_percent_complete(self) -> float | None:
        """Mean percent complete of the actions not dropped."""
        counted = self.adopted - self.by_status[ActionStatus.DROPPED]
        if not counted:
            return None
        return round(self.percent_sum / counted, 1)

    def add(self, action: Action, health: Health) -> None:
        self.adopted += 1
        self.by_status[action.status] += 1
        self.by_rag[health.rag] += 1
        if action.status is not ActionStatus.DROPPED:
            self.percent_sum += action.percent_complete
        self.health[action.id] = health
        for flagged, into in (
            (health.stale, self.stale),
            (health.blocked, self.blocked),
            (health.overdue, self.overdue),
            (health.needs_lead, self.needs_lead),
            (health.open_asks > 0, self.open_asks),
        ):
            if flagged:
                into.append(action)


async def _pairs(
    session: AsyncSession, actor: Actor, requests: Sequence[Request]
) -> list[tuple[int, int]]:
    tree = await actor.tree(session)
    pairs: set[tuple[int, int]] = set()
    for area_id, deep in requests:
        for scoped in tree.descendants(area_id) if deep else [area_id]:
            pairs.add((area_id, scoped))
    return sorted(pairs)


async def summaries(
    session: AsyncSession, actor: Actor, requests: Sequence[Request], filters: PlanFilter
) -> list[PlanSummary]:
    """One summary per (area, include_children), from one statement."""
    now = clock.now()
    by_root: dict[int, list[repository.ActionFacts]] = defaultdict(list)
    for root_id, found in await repository.plan_for(
        session, await _pairs(session, actor, requests), filters, now
    ):
        by_root[root_id].append(found)
    answers = []
    for area_id, deep in requests:
        summary = PlanSummary(as_of=now)
        for found in by_root.get(area_id, []):
            if deep or found.action.area_id == area_id:
                summary.add(found.action, assess(facts_of(found), now))
        answers.append(summary)
    return answers


async def plan_pages(
    session: AsyncSession,
    actor: Actor,
    area_ids: Sequence[int],
    include_children: bool,
    filters: PlanFilter,
    *,
    after_id: int | None,
    limit: int,
) -> dict[int, list[tuple[Action, Health]]]:
    """A page of each area's plan, each action with its health (so nothing more is read
    to show its RAG and flags)."""
    now = clock.now()
    requests = [(area_id, include_children) for area_id in area_ids]
    pages: dict[int, list[tuple[Action, Health]]] = defaultdict(list)
    for root_id, found in await repository.plan_page(
        session,
        await _pairs(session, actor, requests),
        filters,
        now,
        after_id=after_id,
        limit=limit,
    ):
        pages[root_id].append((found.action, assess(facts_of(found), now)))
    return pages


async def plan_counts(
    session: AsyncSession,
    actor: Actor,
    area_ids: Sequence[int],
    include_children: bool,
    filters: PlanFilter,
) -> dict[int, int]:
    requests = [(area_id, include_children) for area_id in area_ids]
    return await repository.plan_counts(session, await _pairs(session, actor, requests), filters)


async def activity_pages(
    session: AsyncSession,
    actor: Actor,
    area_ids: Sequence[int],
    include_children: bool,
    filters: ActivityFilter,
    *,
    after: ActivityCursor | None,
    limit: int,
) -> dict[int, list[repository.ActivityRow]]:
    requests = [(area_id, include_children) for area_id in area_ids]
    pages: dict[int, list[repository.ActivityRow]] = defaultdict(list)
    for row in await repository.activity(
        session, await _pairs(session, actor, requests), filters, after=after, limit=limit
    ):
        pages[row.root_id].append(row)
    return pages


def encode_activity_cursor(row: repository.ActivityRow) -> str:
    raw = f"activity|{row.occurred_at.isoformat()}|{row.kind.value}|{row.id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_activity_cursor(value: str) -> ActivityCursor:
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)).decode()
        prefix, occurred_at, kind, raw_pk = raw.split("|")
        pk = parse_id(raw_pk)
        if prefix != "activity" or pk is None:
            raise ValueError(raw)
        return ActivityCursor(parse_moment(occurred_at), ActivityKind(kind), pk)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidInput("'after' is not a cursor from this feed.", ["after"]) from error
