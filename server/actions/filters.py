"""Filters a board applies to the action plan and its activity (hashable: loader keys)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from server.actions.models import ActionStatus


class ActivityKind(StrEnum):
    UPDATE_POSTED = "update_posted"
    PRIORITY_ADOPTED = "priority_adopted"
    ROUND_CLOSED = "round_closed"


@dataclass(frozen=True, slots=True)
class PlanFilter:
    """Actions whose proposal carries ``theme``, adopted in [``since``, ``until``)."""

    theme: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    status: ActionStatus | None = None


@dataclass(frozen=True, slots=True)
class ActivityFilter:
    """Events about ``theme`` that happened in [``since``, ``until``), of these kinds."""

    theme: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    kinds: frozenset[ActivityKind] = frozenset(ActivityKind)


@dataclass(frozen=True, slots=True)
class ActivityCursor:
    """Where a page of the activity feed (newest first) stopped."""

    occurred_at: datetime
    kind: ActivityKind
    id: int
