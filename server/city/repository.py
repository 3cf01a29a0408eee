"""The figures behind each area's stage, for many areas (and the areas beneath each)
in a fixed number of statements."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.models import Action
from server.audit.models import AuditEvent
from server.conversations.models import Conversation, ConversationStatus
from server.people.models import AreaRole, Person, Role
from server.voting.models import RoundState, VotingRound


async def conversations_held(session: AsyncSession, area_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(Conversation.area_id, func.count())
        .where(
            Conversation.area_id.in_(area_ids),
            Conversation.status != ConversationStatus.PLANNED,
        )
        .group_by(Conversation.area_id)
    )
    return dict(rows.all())


async def people_taking_part(
    session: AsyncSession, area_ids: Sequence[int]
) -> list[tuple[int, int]]:
    """(area id, person id) for everyone granted a part to play there (not erased)."""
    rows = await session.execute(
        select(AreaRole.area_id, AreaRole.person_id)
        .join(Person, Person.id == AreaRole.person_id)
        .where(
            AreaRole.area_id.in_(area_ids),
            AreaRole.role.in_([Role.PARTICIPANT, Role.FACILITATOR]),
            Person.erased_at.is_(None),
        )
        .distinct()
    )
    return list(rows)


async def open_rounds(session: AsyncSession, area_ids: Sequence[int]) -> dict[int, int]:
    rows = await session.execute(
        select(VotingRound.area_id, func.count())
        .where(VotingRound.area_id.in_(area_ids), VotingRound.state == RoundState.OPEN)
        .group_by(VotingRound.area_id)
    )
    return dict(rows.all())


async def actions_in(session: AsyncSession, area_ids: Sequence[int]) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(Action.area_id, Action.id).where(Action.area_id.in_(area_ids))
    )
    return list(rows)


async def last_activity(session: AsyncSession, area_ids: Sequence[int]) -> dict[int, datetime]:
    rows = await session.execute(
        select(AuditEvent.area_id, func.max(AuditEvent.occurred_at))
        .where(AuditEvent.area_id.in_(area_ids))
        .group_by(AuditEvent.area_id)
    )
    return {area_id: at for area_id, at in rows if area_id is not None}
