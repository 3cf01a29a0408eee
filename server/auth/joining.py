"""Joining a Big Conversation with its join code: a display name and a choice of
resident or professional is all it takes. Failed codes count per IP address, so the
codes cannot be guessed; a closed conversation's code no longer works.

A name alone makes a voter, so joining is held in: a browser makes one person per area
(a random device cookie, kept with the join); a conversation's code makes at most as
many people as its join limit (the room's headcount, set by a facilitator); every join
is listed for the facilitators, who remove or merge duplicates (server.auth.joiners).
Someone who joined has no password, so they get a personal code, shown once, that signs
them back in as the same person after they sign out.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server.areas import repository as areas_repo
from server.audit import service as audit
from server.auth import accounts, repository
from server.auth.accounts import Refused
from server.auth.models import ConversationJoin
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
from server.voting import repository as voting_repo
from server.voting.models import RoundState, VotingRound

UNKNOWN_CODE = "That code does not match an open conversation. Check it with the facilitator."
TOO_MANY = "Too many attempts to join from this network. Try again later."
FULL = (
    "Everyone the facilitator expected has already joined this conversation. "
    "Ask the facilitator to let more people join."
)
JOINED_ON_THIS_DEVICE = (
    "Someone has already joined on this device. If that was you, sign back in with your "
    "personal code. If not, use your own phone, or ask the facilitator to add you."
)
UNKNOWN_PERSONAL_CODE = "That personal code is not right. Check it and try again."

# Personal codes: 12 characters without look-alikes (no 0/O, 1/I/L), about 59 bits.
PERSONAL_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
PERSONAL_CODE_LENGTH = 12


@dataclass(frozen=True)
class Joined:
    person: Person
    conversation: Conversation
    created: bool


def _failures(config: RateLimits) -> Limit:
    return Limit("join-failures-ip", config.join_failures_per_ip, config.join_window_seconds)


def _joins(config: RateLimits) -> Limit:
    return Limit("joins-ip", config.joins_per_ip, config.join_window_seconds)


def device_hash(device: str | None) -> str | None:
    return hashlib.sha256(device.encode()).hexdigest() if device else None


async def join(
    session: AsyncSession,
    config: RateLimits,
    *,
    code: str,
    display_name: str | None,
    kind: PersonKind | None,
    ip: str,
    device: str | None,
    person_id: int | None = None,
) -> Joined | Refused:
    """Join the conversation whose code this is, as a new person or (signed in) as
    oneself. A wrong code counts against the IP address; the caller commits."""
    failures = _failures(config)
    if await limits.exhausted(session, failures, ip) or not await limits.hit(
        session, _joins(config), ip
    ):
        return Refused(TOO_MANY)
    normalised = normalise_join_code(code)
    found = None
    if len(normalised) == JOIN_CODE_LENGTH:
        found = await conversations_repo.live_by_join_code(session, normalised)
    if found is None:
        await limits.hit(session, failures, ip)
        return Refused(UNKNOWN_CODE)
    conversation = await repository.lock_conversation(session, found.id)
    assert conversation is not None
    area = (await areas_repo.by_ids(session, [conversation.area_id]))[0]
    person = await people_repo.by_id(session, person_id) if person_id is not None else None
    created = person is None
    if person is None:
        if kind is None:
            raise InvalidInput("Choose resident or professional.", ["kind"])
        name = accounts.clean_display_name(display_name or "", ["displayName"])
        hashed = device_hash(device)
        if hashed is not None and await repository.device_made_someone_in(
            session, hashed, conversation.area_id
        ):
            return Refused(JOINED_ON_THIS_DEVICE)
        if conversation.join_limit is not None and (
            await repository.new_people_joined(session, conversation.id) >= conversation.join_limit
        ):
            return Refused(FULL)
        person = await people_repo.add(session, Person(display_name=name, kind=kind))
        await repository.add_join(
            session,
            ConversationJoin(
                conversation_id=conversation.id,
                person_id=person.id,
                device_hash=hashed,
                created_person=True,
            ),
        )
    elif await repository.join_of(session, conversation.id, person.id) is None:
        await repository.add_join(
            session,
            ConversationJoin(
                conversation_id=conversation.id, person_id=person.id, created_person=False
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


async def open_votes(session: AsyncSession, conversation: Conversation) -> list[VotingRound]:
    """The votes open in the conversation's area: where someone who just joined goes."""
    return await voting_repo.for_areas(session, [conversation.area_id], RoundState.OPEN)


# Personal codes.


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def normalise_personal_code(code: str) -> str:
    return "".join(c for c in code.upper() if c.isalnum())


def show_personal_code(code: str) -> str:
    """In groups of four, as people copy it down: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def is_join_code_person(person: Person) -> bool:
    """Someone with no other way to sign in than a personal code."""
    return person.email is None and person.password_hash is None


async def new_personal_code(session: AsyncSession, person: Person) -> str:
    """A fresh personal code for a join-code person (any earlier one stops working);
    the plaintext is returned once and never stored."""
    if not is_join_code_person(person):
        raise InvalidInput("You sign in with your email address, so you need no personal code.")
    code = "".join(secrets.choice(PERSONAL_CODE_ALPHABET) for _ in range(PERSONAL_CODE_LENGTH))
    await repository.set_personal_code(session, person.id, _code_hash(code))
    await audit.record(session, person.id, "person.personal_code_made", ("Person", person.id))
    return show_personal_code(code)


async def has_personal_code(session: AsyncSession, person_id: int) -> bool:
    return await repository.has_personal_code(session, person_id)


async def rejoin(
    session: AsyncSession, config: RateLimits, *, code: str, ip: str
) -> Person | Refused:
    """The person whose personal code this is. Wrong codes count with wrong join codes
    against the IP address (the caller commits either way)."""
    failures = _failures(config)
    if await limits.exhausted(session, failures, ip):
        return Refused(TOO_MANY)
    normalised = normalise_personal_code(code)
    person_id = None
    if len(normalised) == PERSONAL_CODE_LENGTH:
        person_id = await repository.person_with_code(session, _code_hash(normalised))
    person = await people_repo.by_id(session, person_id) if person_id is not None else None
    if person is None:
        await limits.hit(session, failures, ip)
        return Refused(UNKNOWN_PERSONAL_CODE)
    return person
