"""Exports of an area's priorities and action plan, as CSV or JSON, produced in batches
so a city's plan streams out without being held in memory. The HTTP endpoints and
``levelground export`` both use this module.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor, Scope
from server.actions import repository
from server.actions.filters import PlanFilter
from server.actions.health import assess
from server.actions.service import facts_of
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.ids import to_global_id
from server.proposals import repository as proposals_repo
from server.voting import repository as voting_repo
from server.voting import service as voting

BATCH = 500
ALL = PlanFilter()
Row = dict[str, Any]


class ExportKind(StrEnum):
    PRIORITIES = "priorities"
    ACTIONS = "actions"


class ExportFormat(StrEnum):
    CSV = "csv"
    JSON = "json"


# The command line reads as the operator, who holds the database itself; reading needs
# nothing but a signed-in actor, and exports write nothing.
OPERATOR = Actor(person_id=0, scopes=frozenset({Scope.READ}))

ACTION_COLUMNS = (
    "area",
    "id",
    "title",
    "status",
    "rag",
    "declared_rag",
    "percent_complete",
    "target_date",
    "team",
    "lead",
    "stale",
    "overdue",
    "blocked",
    "needs_lead",
    "open_blockers",
    "open_asks",
    "overdue_milestones",
    "last_update_at",
    "adopted_at",
    "priority_rank",
    "proposal",
    "themes",
    "closing_statement",
)

PRIORITY_COLUMNS = (
    "area",
    "round",
    "round_closed_at",
    "rank",
    "proposal_id",
    "proposal",
    "themes",
    "score",
    "supporters",
    "action_id",
    "action_status",
    "closing_statement",
)


@dataclass
class Export:
    kind: ExportKind
    area: Area
    columns: tuple[str, ...]
    total: int
    generated_at: datetime
    batches: AsyncIterator[list[Row]]

    def filename(self, fmt: ExportFormat) -> str:
        day = self.generated_at.date().isoformat()
        return f"levelground-{self.area.slug}-{self.kind.value}-{day}.{fmt.value}"


async def _areas_in(session: AsyncSession, actor: Actor, area: Area, deep: bool) -> list[int]:
    tree = await actor.tree(session)
    return tree.descendants(area.id) if deep else [area.id]


async def open_export(
    session: AsyncSession,
    actor: Actor,
    area: Area,
    kind: ExportKind,
    *,
    include_children: bool = True,
    filters: PlanFilter = ALL,
) -> Export:
    """Count what will be exported and prepare its batches (read them in ``session``)."""
    area_ids = await _areas_in(session, actor, area, include_children)
    now = clock.now()
    if kind is ExportKind.ACTIONS:
        total = await repository.count_in_areas(session, area_ids, filters)
        batches = _action_batches(session, area_ids, filters, now)
        return Export(kind, area, ACTION_COLUMNS, total, now, batches)
    rows = await _priority_rows(session, actor, area, include_children, filters)
    return Export(kind, area, PRIORITY_COLUMNS, len(rows), now, _in_batches(rows))


async def _action_batches(
    session: AsyncSession, area_ids: Sequence[int], filters: PlanFilter, now: datetime
) -> AsyncIterator[list[Row]]:
    after_id: int | None = None
    while True:
        found = await repository.export_batch(
            session, area_ids, filters, now, after_id=after_id, limit=BATCH
        )
        if not found:
            return
        yield [_action_row(row, now) for row in found]
        after_id = found[-1].facts.action.id


def _action_row(row: repository.ExportRow, now: datetime) -> Row:
    action = row.facts.action
    health = assess(facts_of(row.facts), now)
    return {
        "area": row.area_slug,
        "id": to_global_id("Action", action.id),
        "title": action.title,
        "status": action.status.name,
        "rag": health.rag.name,
        "declared_rag": action.rag.name,
        "percent_complete": action.percent_complete,
        "target_date": action.target_date,
        "team": row.team_name,
        "lead": row.lead_name,
        "stale": health.stale,
        "overdue": health.overdue,
        "blocked": health.blocked,
        "needs_lead": health.needs_lead,
        "open_blockers": health.open_blockers,
        "open_asks": health.open_asks,
        "overdue_milestones": health.overdue_milestones,
        "last_update_at": action.last_update_at,
        "adopted_at": action.created_at,
        "priority_rank": action.priority_rank,
        "proposal": row.proposal_title,
        "themes": row.themes,
        "closing_statement": action.closing_statement,
    }


async def _priority_rows(
    session: AsyncSession, actor: Actor, area: Area, deep: bool, filters: PlanFilter
) -> list[Row]:
    """The priorities GraphQL's ``Area.priorities`` gives (sealing included), with what
    became of each."""
    (priorities,) = await voting.area_priorities(session, actor, [(area.id, deep)])
    if not priorities:
        return []
    rounds = {r.id: r for r in await voting_repo.by_ids(session, [p.round_id for p in priorities])}
    proposals = {
        p.id: p for p in await proposals_repo.by_ids(session, [p.proposal_id for p in priorities])
    }
    slugs = {
        a.id: a.slug for a in await areas_repo.by_ids(session, [r.area_id for r in rounds.values()])
    }
    actions = {
        (a.round_id, a.proposal_id): a
        for a in await repository.for_priorities(
            session, [(p.round_id, p.proposal_id) for p in priorities]
        )
    }
    rows = []
    for priority in priorities:
        voting_round = rounds[priority.round_id]
        proposal = proposals[priority.proposal_id]
        if filters.theme is not None and filters.theme not in proposal.themes:
            continue
        action = actions.get((priority.round_id, priority.proposal_id))
        rows.append(
            {
                "area": slugs[voting_round.area_id],
                "round": voting_round.title,
                "round_closed_at": voting_round.closed_at,
                "rank": priority.rank,
                "proposal_id": to_global_id("Proposal", proposal.id),
                "proposal": proposal.title,
                "themes": list(proposal.themes),
                "score": priority.score,
                "supporters": priority.supporters,
                "action_id": to_global_id("Action", action.id) if action else None,
                "action_status": action.status.name if action else None,
                "closing_statement": action.closing_statement if action else None,
            }
        )
    return rows


async def _in_batches(rows: list[Row]) -> AsyncIterator[list[Row]]:
    for start in range(0, len(rows), BATCH):
        yield rows[start : start + BATCH]


# Encoding

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _stamp(value: datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def csv_cell(value: Any) -> str | int | float:
    """A value as a CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    if isinstance(value, datetime):
        return _stamp(value)
    if isinstance(value, list):
        value = "; ".join(str(v) for v in value)
    text = str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    return text


def _json_value(value: Any) -> Any:
    return _stamp(value) if isinstance(value, datetime) else value


async def encode(
    export: Export, fmt: ExportFormat, on_rows: Callable[[int], None] | None = None
) -> AsyncIterator[str]:
    """The export as text chunks; ``on_rows(n)`` after each batch of n rows."""
    if fmt is ExportFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(export.columns)
        yield buffer.getvalue()
        async for batch in export.batches:
            buffer.seek(0)
            buffer.truncate()
            writer.writerows([csv_cell(row[c]) for c in export.columns] for row in batch)
            yield buffer.getvalue()
            if on_rows:
                on_rows(len(batch))
        return
    head = {
        "area": export.area.slug,
        "kind": export.kind.value,
        "generatedAt": _stamp(export.generated_at),
        "total": export.total,
    }
    yield json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
    first = True
    async for batch in export.batches:
        parts = [
            json.dumps({c: _json_value(row[c]) for c in export.columns}, ensure_ascii=False)
            for row in batch
        ]
        yield ("" if first else ",") + "\n" + ",\n".join(parts)
        first = False
        if on_rows:
            on_rows(len(batch))
    yield "\n]}\n"
