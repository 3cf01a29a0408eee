from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.access import Actor
from server.areas import service as areas
from server.audit import service as audit
from server.conversations import repository
from server.conversations.models import ConsentScope, Conversation, ConversationStatus, Story
from server.errors import InvalidInput, InvalidState, NotFound
from server.people import repository as people_repo
from server.people.models import Role

# No 0/O, 1/I/L: codes are read aloud and copied from a screen across a room.
JOIN_CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
JOIN_CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(JOIN_CODE_ALPHABET) for _ in range(JOIN_CODE_LENGTH))


def normalise_join_code(code: str) -> str:
    return "".join(code.split()).upper()


async def get(session: AsyncSession, conversation_id: int, field: list[str]) -> Conversation:
    conversation = await repository.by_id(session, conversation_id)
    if conversation is None:
        raise NotFound("Conversation", field)
    return conversation


async def start_conversation(
    session: AsyncSession,
    actor: Actor,
    *,
    area_slug: str,
    title: str,
    prompt: str,
    starts_at: datetime | None,
    location: str | None,
) -> Conversation:
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.FACILITATOR)
    title = validation.text(title, ["title"], max_length=200, label="Title")
    prompt = validation.text(prompt, ["prompt"], max_length=500, label="Prompt", multiline=True)
    location = validation.optional_text(location, ["location"], max_length=200, label="Location")
    if starts_at is not None and starts_at.tzinfo is None:
        raise InvalidInput("Give the start time with a time zone.", ["startsAt"])
    status = (
        ConversationStatus.PLANNED
        if starts_at is not None and starts_at > clock.now()
        else ConversationStatus.OPEN
    )
    code = new_join_code()
    while await repository.join_code_in_use(session, code):
        code = new_join_code()
    conversation = Conversation(
        area_id=area.id,
        title=title,
        prompt=prompt,
        starts_at=starts_at,
        location=location,
        status=status,
        join_code=code,
        created_by_id=actor.person_id,
    )
    await repository.add(session, conversation)
    await repository.set_facilitators(session, conversation.id, [actor.person_id])
    await audit.record(
        session,
        actor.person_id,
        "conversation.started",
        ("Conversation", conversation.id),
        area_id=area.id,
    )
    return conversation


async def set_status(
    session: AsyncSession, actor: Actor, conversation_id: int, status: ConversationStatus
) -> Conversation:
    """PLANNED -> OPEN -> CLOSED. Closing retires the join code."""
    conversation = await get(session, conversation_id, ["conversationId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    allowed = {
        ConversationStatus.PLANNED: {ConversationStatus.OPEN, ConversationStatus.CLOSED},
        ConversationStatus.OPEN: {ConversationStatus.CLOSED},
        ConversationStatus.CLOSED: set(),
    }
    if status not in allowed[conversation.status]:
        raise InvalidState(
            f"A {conversation.status.value} conversation cannot become {status.value}."
        )
    conversation.status = status
    if status is ConversationStatus.CLOSED:
        conversation.closed_at = clock.now()
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        f"conversation.{status.value}",
        ("Conversation", conversation.id),
        area_id=conversation.area_id,
    )
    return conversation


async def add_story(
    session: AsyncSession,
    actor: Actor,
    *,
    conversation_id: int,
    teller_pseudonym: str,
    body: str,
    consent_scope: ConsentScope,
    teller_id: int | None = None,
) -> Story:
    conversation = await get(session, conversation_id, ["conversationId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    if teller_id is not None and await people_repo.by_id(session, teller_id) is None:
        raise NotFound("Person", ["tellerId"])
    story = Story(
        conversation_id=conversation.id,
        teller_pseudonym=validation.text(
            teller_pseudonym, ["tellerPseudonym"], max_length=80, label="Pseudonym"
        ),
        body=validation.text(body, ["body"], max_length=20_000, label="Story", multiline=True),
        consent_scope=consent_scope,
        consent_given_at=clock.now(),
        recorded_by_id=actor.person_id,
        teller_id=teller_id,
    )
    await repository.add(session, story)
    await audit.record(
        session,
        actor.person_id,
        "story.recorded",
        ("Story", story.id),
        area_id=conversation.area_id,
        consent_scope=consent_scope.value,
    )
    return story


async def withdraw_story(session: AsyncSession, actor: Actor, story_id: int) -> Story:
    """The teller withdrew consent: erase the words everywhere, keep the links."""
    story = await repository.story_by_id(session, story_id)
    if story is None:
        raise NotFound("Story", ["storyId"])
    conversation = await get(session, story.conversation_id, ["storyId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    if story.withdrawn_at is None:
        story.withdrawn_at = clock.now()
        story.body = None
        await session.flush()
        await audit.record(
            session,
            actor.person_id,
            "story.withdrawn",
            ("Story", story.id),
            area_id=conversation.area_id,
        )
    return story


async def can_read_story_body(
    session: AsyncSession, actor: Actor, story: Story, area_id: int
) -> bool:
    if story.withdrawn_at is not None or story.body is None:
        return False
    if story.consent_scope is ConsentScope.PUBLIC:
        return True
    needed = (
        Role.PARTICIPANT if story.consent_scope is ConsentScope.PARTICIPANTS else Role.FACILITATOR
    )
    return await actor.has_role(session, area_id, needed)


async def can_see_join_code(
    session: AsyncSession, actor: Actor, conversation: Conversation
) -> bool:
    return await actor.has_role(session, conversation.area_id, Role.FACILITATOR)


MAX_HEADCOUNT = 100_000


async def update_conversation(
    session: AsyncSession,
    actor: Actor,
    conversation_id: int,
    *,
    headcount: int | None = None,
    closing_summary: str | None = None,
    facilitator_ids: Sequence[int | None] | None = None,
) -> Conversation:
    """Facilitators keep the record: how many were in the room, the closing summary
    (an empty one clears it) and who ran it (facilitators of the area, by name only).
    What is not given stays as it was."""
    conversation = await repository.for_update(session, conversation_id)
    if conversation is None:
        raise NotFound("Conversation", ["conversationId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    changed: list[str] = []
    if headcount is not None:
        if not 0 <= headcount <= MAX_HEADCOUNT:
            raise InvalidInput(
                f"The headcount must be a whole number from 0 to {MAX_HEADCOUNT:,}.",
                ["headcount"],
            )
        conversation.headcount = headcount
        changed.append("headcount")
    if closing_summary is not None:
        conversation.closing_summary = (
            validation.text(
                closing_summary,
                ["closingSummary"],
                max_length=5000,
                label="Closing summary",
                multiline=True,
                required=False,
            )
            or None
        )
        changed.append("closingSummary")
    if facilitator_ids is not None:
        tree = await actor.tree(session)
        able = {
            p.id
            for p in await repository.facilitators_in(
                session, list(tree.ancestors(conversation.area_id))
            )
        }
        chosen: list[int] = []
        for index, person_id in enumerate(facilitator_ids):
            if person_id is None or person_id not in able:
                raise InvalidInput(
                    "Choose people who facilitate in this area.", ["facilitatorIds", index]
                )
            if person_id not in chosen:
                chosen.append(person_id)
        await repository.set_facilitators(session, conversation.id, chosen)
        changed.append("facilitators")
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "conversation.updated",
        ("Conversation", conversation.id),
        area_id=conversation.area_id,
        changed=changed,
    )
    return conversation
