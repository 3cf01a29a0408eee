from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, func, insert, select, union
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.models import Action
from server.answers.models import Answer
from server.audit.models import AuditEvent
from server.conversations.models import (
    Conversation,
    ConversationFacilitator,
    ConversationStatus,
    Story,
)
from server.pagination import page_per_parent
from server.people.models import AreaRole, Person, Role
from server.proposals.models import Proposal
from server.voting.models import BallotItem, VotingRound


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Conversation]:
    return list(await session.scalars(select(Conversation).where(Conversation.id.in_(ids))))


async def by_id(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.get(Conversation, conversation_id)


async def live_by_join_code(session: AsyncSession, code: str) -> Conversation | None:
    return await session.scalar(
        select(Conversation).where(
            Conversation.join_code == code, Conversation.status != ConversationStatus.CLOSED
        )
    )


async def join_code_in_use(session: AsyncSession, code: str) -> bool:
    return await live_by_join_code(session, code) is not None


async def page_for_areas(
    session: AsyncSession, area_ids: Sequence[int], *, after_id: int | None, limit: int
) -> list[Conversation]:
    """Newest first, up to ``limit`` per area (one statement for many areas)."""
    return await page_per_parent(
        session, Conversation, Conversation.area_id, area_ids, after_id=after_id, limit=limit
    )


async def stories_for(session: AsyncSession, conversation_ids: Sequence[int]) -> list[Story]:
    return list(
        await session.scalars(
            select(Story)
            .where(Story.conversation_id.in_(conversation_ids))
            .order_by(Story.conversation_id, Story.id)
        )
    )


async def story_by_id(session: AsyncSession, story_id: int) -> Story | None:
    return await session.get(Story, story_id)


async def stories_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Story]:
    return list(await session.scalars(select(Story).where(Story.id.in_(ids))))


async def add(session: AsyncSession, item: Conversation | Story) -> None:
    session.add(item)
    await session.flush()


async def for_update(session: AsyncSession, conversation_id: int) -> Conversation | None:
    return await session.scalar(
        select(Conversation).where(Conversation.id == conversation_id).with_for_update()
    )


async def facilitators_of(
    session: AsyncSession, conversation_ids: Sequence[int]
) -> list[tuple[int, Person]]:
    rows = await session.execute(
        select(ConversationFacilitator.conversation_id, Person)
        .join(Person, Person.id == ConversationFacilitator.person_id)
        .where(ConversationFacilitator.conversation_id.in_(conversation_ids))
        .order_by(ConversationFacilitator.conversation_id, func.lower(Person.display_name))
    )
    return list(rows)


async def set_facilitators(
    session: AsyncSession, conversation_id: int, person_ids: Sequence[int]
) -> None:
    await session.execute(
        delete(ConversationFacilitator).where(
            ConversationFacilitator.conversation_id == conversation_id
        )
    )
    if person_ids:
        await session.execute(
            insert(ConversationFacilitator),
            [{"conversation_id": conversation_id, "person_id": p} for p in person_ids],
        )


async def facilitators_in(session: AsyncSession, area_ids: Sequence[int]) -> list[Person]:
    """People holding the facilitator (or admin) role in one of ``area_ids``."""
    return list(
        await session.scalars(
            select(Person)
            .where(
                Person.id.in_(
                    select(AreaRole.person_id).where(
                        AreaRole.area_id.in_(area_ids),
                        AreaRole.role.in_([Role.FACILITATOR, Role.ADMIN]),
                    )
                )
            )
            .order_by(func.lower(Person.display_name), Person.id)
        )
    )


async def participant_counts(
    session: AsyncSession, conversation_ids: Sequence[int]
) -> dict[int, int]:
    """People who joined with the conversation's code, answered online or shared an
    idea from it, each counted once."""
    joined = select(AuditEvent.subject_id.label("c"), AuditEvent.actor_id.label("p")).where(
        AuditEvent.verb == "person.joined",
        AuditEvent.subject_type == "Conversation",
        AuditEvent.subject_id.in_(conversation_ids),
        AuditEvent.actor_id.is_not(None),
    )
    answered = select(Answer.conversation_id, Answer.author_id).where(
        Answer.conversation_id.in_(conversation_ids), Answer.author_id.is_not(None)
    )
    proposed = select(Proposal.conversation_id, Proposal.author_id).where(
        Proposal.conversation_id.in_(conversation_ids)
    )
    everyone = union(joined, answered, proposed).subquery()
    rows = await session.execute(
        select(everyone.c.c, func.count(everyone.c.p.distinct())).group_by(everyone.c.c)
    )
    return {c: n for c, n in rows if c is not None}


async def rounds_for(
    session: AsyncSession, conversation_ids: Sequence[int]
) -> list[tuple[int, VotingRound]]:
    """Voting rounds with at least one of the conversation's ideas on the ballot."""
    pairs = (
        select(Proposal.conversation_id.label("c"), BallotItem.round_id.label("r"))
        .join(BallotItem, BallotItem.proposal_id == Proposal.id)
        .where(Proposal.conversation_id.in_(conversation_ids))
        .distinct()
        .subquery()
    )
    rows = await session.execute(
        select(pairs.c.c, VotingRound)
        .join(VotingRound, VotingRound.id == pairs.c.r)
        .order_by(pairs.c.c, VotingRound.id)
    )
    return [(c, r) for c, r in rows if c is not None]


async def actions_for(session: AsyncSession, conversation_ids: Sequence[int]) -> list[Action]:
    return list(
        await session.scalars(
            select(Action).where(Action.conversation_id.in_(conversation_ids)).order_by(Action.id)
        )
    )


async def stories_told_by(session: AsyncSession, person_id: int) -> list[Story]:
    return list(
        await session.scalars(select(Story).where(Story.teller_id == person_id).order_by(Story.id))
    )
