"""Each area's stage, the board's first look at phase two: conversations held, people
taking part, open rounds, adopted actions by their effective RAG, the last activity.
An area's figures include the areas beneath it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import service as actions
from server.actions.models import Rag
from server.areas.tree import AreaTree
from server.city import repository


class Stage(StrEnum):
    """Where an area is in the loop, from its figures."""

    NOT_STARTED = "not_started"  # nothing held yet
    LISTENING = "listening"  # conversations held, nothing voted on yet
    DECIDING = "deciding"  # a vote is open
    ACTING = "acting"  # at least one priority adopted as an action


@dataclass
class AreaFigures:
    conversations_held: int = 0
    people_taking_part: int = 0
    open_rounds: int = 0
    actions_by_rag: dict[Rag, int] = field(default_factory=lambda: dict.fromkeys(Rag, 0))
    last_activity_at: datetime | None = None

    @property
    def adopted_actions(self) -> int:
        return sum(self.actions_by_rag.values())

    @property
    def stage(self) -> Stage:
        if self.adopted_actions:
            return Stage.ACTING
        if self.open_rounds:
            return Stage.DECIDING
        if self.conversations_held:
            return Stage.LISTENING
        return Stage.NOT_STARTED


async def figures(
    session: AsyncSession, area_ids: Sequence[int], tree: AreaTree
) -> dict[int, AreaFigures]:
    beneath = {area_id: tree.descendants(area_id) for area_id in area_ids}
    every = sorted({a for ids in beneath.values() for a in ids})
    held = await repository.conversations_held(session, every)
    people = await repository.people_taking_part(session, every)
    rounds = await repository.open_rounds(session, every)
    area_actions = await repository.actions_in(session, every)
    health = await actions.health_of(session, [action_id for _, action_id in area_actions])
    latest = await repository.last_activity(session, every)
    found: dict[int, AreaFigures] = {}
    for area_id, ids in beneath.items():
        scope = set(ids)
        result = AreaFigures(
            conversations_held=sum(held.get(a, 0) for a in scope),
            people_taking_part=len({p for a, p in people if a in scope}),
            open_rounds=sum(rounds.get(a, 0) for a in scope),
            last_activity_at=max((latest[a] for a in scope if a in latest), default=None),
        )
        for action_area, action_id in area_actions:
            if action_area in scope:
                result.actions_by_rag[health[action_id].rag] += 1
        found[area_id] = result
    return found
