"""Who joined a conversation with its code, for its facilitators: the join limit (the
room's headcount), a note that tells namesakes apart, and duplicates removed or merged.

Only people the code made (no email, no password: nothing else vouches for them) can be
removed or merged away. A removed duplicate loses the participant role the code gave,
and their ballots in the area's open rounds go; merged into the person's other account,
one ballot per open round is kept (server.voting.duplicates says which). Closed rounds
are frozen and stay as they were. Ideas and comments stay under the name they were
written with. Every change is in the audit log.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.access import Actor
from server.audit import service as audit
from server.auth import joining, repository
from server.auth.models import ConversationJoin
from server.conversations import repository as conversations_repo
from server.conversations import service as conversations
from server.conversations.models import Conversation
from server.errors import InvalidInput, InvalidState, NotFound
from server.people import repository as people_repo
from server.people.models import Person, Role
from server.voting import duplicates

MAX_JOIN_LIMIT = 10_000


@dataclass(frozen=True)
class Joiner:
    join: ConversationJoin
    person: Person
    # Other people who joined from the same browser (the likeliest duplicates).
    same_device_as: list[Person]

    @property
    def live(self) -> bool:
        return self.join.removed_at is None

    @property
    def removable(self) -> bool:
        return self.live and self.join.created_person and joining.is_join_code_person(self.person)


@dataclass(frozen=True)
class Joiners:
    conversation: Conversation
    joiners: list[Joiner]
    # New people the code made, not removed: what the join limit counts.
    taken: int


async def _facilitated(session: AsyncSession, actor: Actor, conversation_id: int) -> Conversation:
    conversation = await conversations.get(session, conversation_id, ["conversationId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    return conversation


async def joiners(session: AsyncSession, actor: Actor, conversation_id: int) -> Joiners:
    conversation = await _facilitated(session, actor, conversation_id)
    joins = await repository.joins_of(session, conversation.id)
    people = {p.id: p for p in await people_repo.by_ids(session, [j.person_id for j in joins])}
    by_device: dict[str, list[int]] = {}
    for join in joins:
        if join.device_hash is not None and join.removed_at is None:
            by_device.setdefault(join.device_hash, []).append(join.person_id)
    listed = [
        Joiner(
            join,
            people[join.person_id],
            [
                people[other]
                for other in by_device.get(join.device_hash or "", [])
                if other != join.person_id
            ],
        )
        for join in joins
    ]
    return Joiners(conversation, listed, sum(1 for j in listed if j.live and j.join.created_person))


async def set_join_limit(
    session: AsyncSession, actor: Actor, conversation_id: int, join_limit: int | None
) -> Conversation:
    """How many new people the code may make (None: as many as come). Lowering it below
    those already joined only stops further joins."""
    conversation = await _facilitated(session, actor, conversation_id)
    if join_limit is not None and not 1 <= join_limit <= MAX_JOIN_LIMIT:
        raise InvalidInput(
            f"The number of people must be between 1 and {MAX_JOIN_LIMIT:,}.", ["joinLimit"]
        )
    locked = await repository.lock_conversation(session, conversation.id)
    assert locked is not None
    locked.join_limit = join_limit
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "conversation.join_limit_set",
        ("Conversation", locked.id),
        area_id=locked.area_id,
        join_limit=join_limit,
    )
    return locked


async def _live_join(
    session: AsyncSession, conversation: Conversation, person_id: int, field: str
) -> tuple[ConversationJoin, Person]:
    join = await repository.join_of(session, conversation.id, person_id)
    person = await people_repo.by_id(session, person_id)
    if join is None or person is None:
        raise NotFound("Person who joined this conversation", [field])
    if join.removed_at is not None:
        raise InvalidState("That person was already removed from this conversation.", [field])
    return join, person


def _require_removable(join: ConversationJoin, person: Person, field: str) -> None:
    if not (join.created_person and joining.is_join_code_person(person)):
        raise InvalidState(
            "Only people who joined with the code, with no email address, can be removed "
            "or merged here.",
            [field],
        )


async def _retire(
    session: AsyncSession, actor: Actor, join: ConversationJoin, person: Person, area_id: int
) -> None:
    """The duplicate's join ends and the code's role in the area goes; with no role left
    anywhere they are signed out and their personal code stops working."""
    join.removed_at = clock.now()
    join.removed_by_id = actor.person_id
    await session.flush()
    await people_repo.remove_grant(session, person.id, area_id, Role.PARTICIPANT)
    if not await people_repo.grants(session, person.id):
        await repository.revoke_sessions_of(session, person.id, clock.now())
        await repository.delete_personal_code(session, person.id)


async def remove(
    session: AsyncSession, actor: Actor, conversation_id: int, person_id: int
) -> Person:
    conversation = await _facilitated(session, actor, conversation_id)
    join, person = await _live_join(session, conversation, person_id, "personId")
    _require_removable(join, person, "personId")
    tree = await actor.tree(session)
    dropped = await duplicates.drop_open_ballots(
        session, person.id, tree.descendants(conversation.area_id)
    )
    await _retire(session, actor, join, person, conversation.area_id)
    await audit.record(
        session,
        actor.person_id,
        "person.removed_as_duplicate",
        ("Person", person.id),
        area_id=conversation.area_id,
        conversation_id=conversation.id,
        ballots_dropped=dropped,
    )
    return person


async def merge(
    session: AsyncSession, actor: Actor, conversation_id: int, *, keep_id: int, duplicate_id: int
) -> Person:
    """Fold the duplicate into the person kept; returns the person kept."""
    conversation = await _facilitated(session, actor, conversation_id)
    if keep_id == duplicate_id:
        raise InvalidInput("Choose two different people to merge.", ["duplicateId"])
    duplicate_join, duplicate = await _live_join(session, conversation, duplicate_id, "duplicateId")
    _require_removable(duplicate_join, duplicate, "duplicateId")
    _, kept = await _live_join(session, conversation, keep_id, "keepId")
    tree = await actor.tree(session)
    changed = await duplicates.merge_open_ballots(
        session,
        keep_id=kept.id,
        duplicate_id=duplicate.id,
        area_ids=tree.descendants(conversation.area_id),
    )
    duplicate_join.merged_into_id = kept.id
    await _retire(session, actor, duplicate_join, duplicate, conversation.area_id)
    if kept.facilitator_note is None and duplicate.facilitator_note is not None:
        kept.facilitator_note = duplicate.facilitator_note
        await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "person.merged",
        ("Person", duplicate.id),
        area_id=conversation.area_id,
        conversation_id=conversation.id,
        kept_id=kept.id,
        rounds_changed=changed,
    )
    return kept


async def set_note(
    session: AsyncSession, actor: Actor, conversation_id: int, person_id: int, note: str | None
) -> Person:
    """A facilitator's note that tells someone taking part in the conversation's area
    apart from a namesake (the paper-ballot chooser shows it too)."""
    conversation = await _facilitated(session, actor, conversation_id)
    person = await people_repo.by_id(session, person_id)
    tree = await actor.tree(session)
    if person is None or not await _takes_part_in(
        session, person.id, set(tree.ancestors(conversation.area_id))
    ):
        raise NotFound("Person taking part here", ["personId"])
    person.facilitator_note = validation.optional_text(note, ["note"], max_length=120, label="Note")
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "person.note_set",
        ("Person", person.id),
        area_id=conversation.area_id,
    )
    return person


async def _takes_part_in(session: AsyncSession, person_id: int, area_ids: set[int]) -> bool:
    return any(area_id in area_ids for area_id, _ in await people_repo.grants(session, person_id))


@dataclass(frozen=True)
class Distinguishing:
    """What tells a person apart from a namesake, for facilitators only."""

    # "code" (joined with a conversation's code), "email", "provider" (an identity
    # provider's account) or "facilitator" (added in the room).
    how: str
    conversation_title: str | None
    since: datetime
    email_ending: str | None
    note: str | None


def email_ending(email: str) -> str:
    """The end of an address, enough to tell two apart without showing it: the last
    two characters before the @, then the domain."""
    local, _, domain = email.rpartition("@")
    return f"{local[-2:]}@{domain}"


async def tell_apart(session: AsyncSession, people: Sequence[Person]) -> dict[int, Distinguishing]:
    ids = [p.id for p in people]
    joins = {j.person_id: j for j in await repository.joins_by_people(session, ids)}
    titles = {
        c.id: c.title
        for c in await conversations_repo.by_ids(
            session, sorted({j.conversation_id for j in joins.values()})
        )
    }
    with_provider = await repository.people_with_identities(session, ids)
    found = {}
    for person in people:
        join = joins.get(person.id)
        if person.id in with_provider:
            how = "provider"
        elif person.email is not None:
            how = "email"
        elif join is not None:
            how = "code"
        else:
            how = "facilitator"
        found[person.id] = Distinguishing(
            how=how,
            conversation_title=titles.get(join.conversation_id) if join else None,
            since=join.joined_at if join else person.created_at,
            email_ending=email_ending(person.email) if person.email else None,
            note=person.facilitator_note,
        )
    return found
