"""Joining a Big Conversation with its join code: a display name and a choice of
resident or professional is all it takes. Failed codes count per IP address, so the
codes cannot be guessed; a closed conversation's code no longer works."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.areas import repository as areas_repo
from server.audit import service as audit
from server.auth import accounts
from server.auth.accounts import Refused
from server.config import RateLimits
from server.conversations import repository as conversations_repo
from server.conversations.models import Conversation
from server.conversations.service import JOIN_CODE_LENGTH, normalise_join_code
from server.errors import InvalidInput
from server.limits import service as limits
from server.limits.service import Limit
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import Person, PersonKind, Role

UNKNOWN_CODE = "That code does not match an open conversation. Check it with the facilitator."


@dataclass(frozen=True)
class Joined:
    person: Person
    conversation: Conversation
    created: bool


def _failures(config: RateLimits) -> Limit:
    return Limit("join-failures-ip", config.join_failures_per_ip, config.join_window_seconds)


def _joins(config: RateLimits) -> Limit:
    return Limit("joins-ip", config.joins_per_ip, config.join_window_seconds)


async def join(
    session: AsyncSession,
    config: RateLimits,
    *,
    code: str,
    display_name: str | None,
    kind: PersonKind | None,
    ip: str,
    person_id: int | None = None,
) -> Joined | Refused:
    """Join the conversation whose code this is, as a new person or (signed in) as
    oneself. A wrong code counts against the IP address; the caller commits."""
    failures = _failures(config)
    if await limits.exhausted(session, failures, ip) or not await limits.hit(
        session, _joins(config), ip
    ):
        return Refused("Too many attempts to join from this network. Try again later.")
    normalised = normalise_join_code(code)
    conversation = None
    if len(normalised) == JOIN_CODE_LENGTH:
        conversation = await conversations_repo.live_by_join_code(session, normalised)
    if conversation is None:
        await limits.hit(session, failures, ip)
        return Refused(UNKNOWN_CODE)
    area = (await areas_repo.by_ids(session, [conversation.area_id]))[0]
    person = await people_repo.by_id(session, person_id) if person_id is not None else None
    created = person is None
    if person is None:
        if kind is None:
            raise InvalidInput("Choose resident or professional.", ["kind"])
        person = await people_repo.add(
            session,
            Person(
                display_name=accounts.clean_display_name(display_name or "", ["displayName"]),
                kind=kind,
            ),
        )
    await people.grant(session, person, area, Role.PARTICIPANT, None)
    await audit.record(
        session,
        person.id,
        "person.joined",
        ("Conversation", conversation.id),
        area_id=conversation.area_id,
        new_person=created,
    )
    return Joined(person, conversation, created)
