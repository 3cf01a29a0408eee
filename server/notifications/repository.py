from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, and_, any_, case, delete, func, literal, null, select, update
from sqlalchemy.dialects.postgresql import ARRAY, insert
from sqlalchemy.ext.asyncio import AsyncSession

from server.actions.models import Update, UpdateKind
from server.notifications.models import (
    DEFAULT_EMAIL,
    EmailDelivery,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from server.people.models import AreaRole, Person, Role
from server.voting.models import Ballot, BallotEntry

TAKING_PART = (Role.PARTICIPANT, Role.FACILITATOR, Role.ADMIN)
FACILITATING = (Role.FACILITATOR, Role.ADMIN)


async def add(
    session: AsyncSession,
    person_ids: Sequence[int],
    *,
    kind: NotificationKind,
    subject: tuple[str, int],
    actor_id: int | None,
    link: str,
    params: dict[str, Any],
) -> list[tuple[int, EmailDelivery | None]]:
    """One notification per person, each with its email route from the person's
    preference (or the default): none without an address, none when off. One statement
    however many people. (id, route) of each."""
    if not person_ids:
        return []
    chosen = func.coalesce(NotificationPreference.email, literal(DEFAULT_EMAIL[kind].value))
    route = case(
        (Person.email.is_(None), null()),
        (chosen == EmailDelivery.OFF.value, null()),
        else_=chosen,
    )
    source = (
        select(
            Person.id,
            literal(kind.value),
            literal(subject[0]),
            literal(subject[1]),
            literal(actor_id),
            literal(link),
            literal(params, type_=Notification.__table__.c.params.type),
            route,
        )
        .select_from(Person)
        .outerjoin(
            NotificationPreference,
            and_(
                NotificationPreference.person_id == Person.id,
                NotificationPreference.kind == kind,
            ),
        )
        # One array parameter, not one per person: a city-wide round's voters would
        # pass PostgreSQL's 32,767 parameters a statement.
        .where(Person.id == any_(literal(list(person_ids), ARRAY(BigInteger))))
        .order_by(Person.id)
    )
    rows = await session.execute(
        insert(Notification)
        .from_select(
            [
                "person_id",
                "kind",
                "subject_type",
                "subject_id",
                "actor_id",
                "link",
                "params",
                "email_route",
            ],
            source,
        )
        .returning(Notification.id, Notification.email_route)
    )
    return [(notification_id, email_route) for notification_id, email_route in rows]


async def page_for(
    session: AsyncSession,
    person_id: int,
    *,
    after_id: int | None,
    limit: int,
    unread_only: bool = False,
) -> list[Notification]:
    """Newest first."""
    statement = (
        select(Notification)
        .where(Notification.person_id == person_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    if after_id is not None:
        statement = statement.where(Notification.id < after_id)
    if unread_only:
        statement = statement.where(Notification.read_at.is_(None))
    return list(await session.scalars(statement))


async def unread_count(session: AsyncSession, person_id: int) -> int:
    count = await session.scalar(
        select(func.count())
        .select_from(Notification)
        .where(Notification.person_id == person_id, Notification.read_at.is_(None))
    )
    return count or 0


async def of_person(
    session: AsyncSession, person_id: int, ids: Sequence[int]
) -> list[Notification]:
    return list(
        await session.scalars(
            select(Notification).where(
                Notification.person_id == person_id, Notification.id.in_(ids)
            )
        )
    )


async def mark_read(
    session: AsyncSession, person_id: int, ids: Sequence[int] | None, at: datetime
) -> None:
    """Mark ``ids`` (None: every one) of the person's notifications read."""
    statement = update(Notification).where(
        Notification.person_id == person_id, Notification.read_at.is_(None)
    )
    if ids is not None:
        statement = statement.where(Notification.id.in_(ids))
    await session.execute(statement.values(read_at=at))


async def preferences(
    session: AsyncSession, person_id: int
) -> dict[NotificationKind, EmailDelivery]:
    """The person's choices, every kind (defaults where they made none)."""
    rows = await session.execute(
        select(NotificationPreference.kind, NotificationPreference.email).where(
            NotificationPreference.person_id == person_id
        )
    )
    chosen = dict(rows.all())
    return {kind: chosen.get(kind, DEFAULT_EMAIL[kind]) for kind in NotificationKind}


async def set_preferences(
    session: AsyncSession, person_id: int, choices: dict[NotificationKind, EmailDelivery]
) -> None:
    if not choices:
        return
    statement = insert(NotificationPreference).values(
        [{"person_id": person_id, "kind": kind, "email": email} for kind, email in choices.items()]
    )
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=["person_id", "kind"], set_={"email": statement.excluded.email}
        )
    )


async def set_language(
    session: AsyncSession, person_id: int, language: str, *, unless_chosen: bool = False
) -> None:
    """Set the person's language; ``unless_chosen``: only if they have none yet."""
    statement = update(Person).where(
        Person.id == person_id, Person.language.is_distinct_from(language)
    )
    if unless_chosen:
        statement = statement.where(Person.language.is_(None))
    await session.execute(statement.values(language=language))


# Who hears about what.


async def taking_part(session: AsyncSession, area_ids: Sequence[int]) -> list[int]:
    """People who may take part in an area: a participant, facilitator or admin role in
    it or an area above it (``area_ids``)."""
    return await _holding(session, area_ids, TAKING_PART)


async def facilitating(session: AsyncSession, area_ids: Sequence[int]) -> list[int]:
    return await _holding(session, area_ids, FACILITATING)


async def _holding(
    session: AsyncSession, area_ids: Sequence[int], roles: Sequence[Role]
) -> list[int]:
    return list(
        await session.scalars(
            select(AreaRole.person_id)
            .where(AreaRole.area_id.in_(area_ids), AreaRole.role.in_(roles))
            .distinct()
        )
    )


async def voters(session: AsyncSession, round_id: int) -> list[int]:
    return list(await session.scalars(select(Ballot.person_id).where(Ballot.round_id == round_id)))


async def supporters(session: AsyncSession, round_id: int, proposal_id: int) -> list[int]:
    """People whose ballot in the round gave the proposal points or a rank."""
    return list(
        await session.scalars(
            select(Ballot.person_id)
            .join(BallotEntry, BallotEntry.ballot_id == Ballot.id)
            .where(BallotEntry.round_id == round_id, BallotEntry.proposal_id == proposal_id)
        )
    )


async def open_askers(session: AsyncSession, action_id: int) -> list[int]:
    """Who asked for help on the action and has not had an answer yet."""
    return list(
        await session.scalars(
            select(Update.author_id)
            .where(
                Update.action_id == action_id,
                Update.kind == UpdateKind.ASK_FOR_HELP,
                Update.resolved_at.is_(None),
            )
            .distinct()
        )
    )


# Email delivery.


async def for_email(session: AsyncSession, notification_id: int) -> Notification | None:
    """A notification still waiting to be emailed, row-locked (two deliveries of it
    queue here and the second finds it sent)."""
    found: Notification | None = await session.scalar(
        select(Notification)
        .where(
            Notification.id == notification_id,
            Notification.emailed_at.is_(None),
            Notification.email_route.is_not(None),
        )
        .with_for_update()
    )
    return found


async def waiting_for_digest(
    session: AsyncSession, route: EmailDelivery, until: datetime
) -> list[int]:
    """People with notifications made before ``until`` waiting for this digest."""
    return list(
        await session.scalars(
            select(Notification.person_id)
            .where(
                Notification.email_route == route,
                Notification.emailed_at.is_(None),
                Notification.created_at < until,
            )
            .distinct()
        )
    )


async def digest_of(
    session: AsyncSession, person_id: int, route: EmailDelivery, until: datetime
) -> list[Notification]:
    """A person's notifications for one digest, oldest first, row-locked."""
    return list(
        await session.scalars(
            select(Notification)
            .where(
                Notification.person_id == person_id,
                Notification.email_route == route,
                Notification.emailed_at.is_(None),
                Notification.created_at < until,
            )
            .order_by(Notification.id)
            .with_for_update()
        )
    )


async def mark_emailed(session: AsyncSession, ids: Sequence[int], at: datetime) -> None:
    await session.execute(
        update(Notification).where(Notification.id.in_(ids)).values(emailed_at=at)
    )


async def drop_email(session: AsyncSession, ids: Sequence[int]) -> None:
    """These will not be emailed after all (the person turned email off, or has no
    address any more); they stay in the person's list."""
    await session.execute(
        update(Notification).where(Notification.id.in_(ids)).values(email_route=None)
    )


async def display_names(session: AsyncSession, person_ids: Sequence[int]) -> dict[int, str]:
    rows = await session.execute(
        select(Person.id, Person.display_name).where(Person.id.in_(person_ids))
    )
    return dict(rows.all())


async def forget_person(session: AsyncSession, person_id: int, erased_text: str) -> None:
    """Erasure: what the person was told goes, with their choices; a report's words in
    the facilitators' notifications were theirs too."""
    await session.execute(delete(Notification).where(Notification.person_id == person_id))
    await session.execute(
        delete(NotificationPreference).where(NotificationPreference.person_id == person_id)
    )
    await session.execute(
        update(Notification)
        .where(
            Notification.actor_id == person_id,
            Notification.kind == NotificationKind.REPORT_WAITING,
        )
        .values(params=Notification.params.op("||")(func.jsonb_build_object("reason", erased_text)))
    )
