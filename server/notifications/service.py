"""A person's own notifications and email choices. Nobody else reads or changes them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.access import Actor, Scope
from server.audit import service as audit
from server.errors import InvalidInput, NotFound
from server.notifications import repository, tokens
from server.notifications.models import (
    EmailDelivery,
    Notification,
    NotificationKind,
)
from server.people import repository as people_repo

LANGUAGES = frozenset({"en", "pl"})


async def page(
    session: AsyncSession,
    person_id: int,
    *,
    after_id: int | None,
    limit: int,
    unread_only: bool = False,
) -> list[Notification]:
    return await repository.page_for(
        session, person_id, after_id=after_id, limit=limit, unread_only=unread_only
    )


async def unread_count(session: AsyncSession, person_id: int) -> int:
    return await repository.unread_count(session, person_id)


async def own(session: AsyncSession, person_id: int, notification_id: int) -> Notification | None:
    found = await repository.of_person(session, person_id, [notification_id])
    return found[0] if found else None


async def mark_read(
    session: AsyncSession,
    actor: Actor,
    ids: Sequence[int | None] | None,
    *,
    everything: bool = False,
) -> int:
    """Mark some (``ids``) or all of the viewer's notifications read; the unread count
    after. An id that is not one of the viewer's notifications changes nothing."""
    actor.require_scope(Scope.WRITE)
    if everything:
        if ids:
            raise InvalidInput("Give the notifications to mark, or all, not both.", ["ids"])
        await repository.mark_read(session, actor.person_id, None, clock.now())
    else:
        if not ids:
            raise InvalidInput("Choose the notifications to mark read.", ["ids"])
        wanted = [i for i in ids if i is not None]
        found = {n.id for n in await repository.of_person(session, actor.person_id, wanted)}
        for index, notification_id in enumerate(ids):
            if notification_id not in found:
                raise NotFound("Notification", ["ids", index])
        await repository.mark_read(session, actor.person_id, wanted, clock.now())
    return await repository.unread_count(session, actor.person_id)


async def preferences(
    session: AsyncSession, person_id: int
) -> dict[NotificationKind, EmailDelivery]:
    return await repository.preferences(session, person_id)


async def set_preferences(
    session: AsyncSession,
    actor: Actor,
    choices: dict[NotificationKind, EmailDelivery],
    *,
    language: str | None = None,
) -> dict[NotificationKind, EmailDelivery]:
    """Change how (and in which language) the viewer hears about things by email."""
    actor.require_scope(Scope.WRITE)
    if language is not None:
        if language not in LANGUAGES:
            raise InvalidInput("Choose English or Polish.", ["language"])
        await repository.set_language(session, actor.person_id, language)
    await repository.set_preferences(session, actor.person_id, choices)
    await audit.record(
        session,
        actor.person_id,
        "notifications.preferences_changed",
        ("Person", actor.person_id),
        choices={kind.name: email.name for kind, email in choices.items()},
        language=language,
    )
    return await repository.preferences(session, actor.person_id)


async def remember_language(session: AsyncSession, person_id: int, language: str) -> None:
    """The language someone first signs in with is the one to write to them in, until
    they choose one on their email choices page."""
    if language in LANGUAGES:
        await repository.set_language(session, person_id, language, unless_chosen=True)


@dataclass(frozen=True)
class Unsubscribed:
    display_name: str
    kinds: list[NotificationKind]


async def unsubscribe(session: AsyncSession, secret_key: str, token: str) -> Unsubscribed:
    """One click from an email, no sign-in: the signed token names the person and the
    emails to stop (one kind, or a whole digest). Doing it twice changes nothing more."""
    asked = tokens.read(secret_key, token)
    person = await people_repo.by_id(session, asked.person_id) if asked else None
    if asked is None or person is None:
        raise NotFound("Unsubscribe link")
    current = await repository.preferences(session, person.id)
    if asked.kind is not None:
        kinds = [asked.kind]
    else:
        kinds = [kind for kind, email in current.items() if email is asked.digest]
    await repository.set_preferences(session, person.id, dict.fromkeys(kinds, EmailDelivery.OFF))
    await audit.record(
        session,
        person.id,
        "notifications.unsubscribed",
        ("Person", person.id),
        kinds=[kind.name for kind in kinds],
    )
    return Unsubscribed(person.display_name, kinds)
