from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.areas.models import Area
from server.audit import service as audit
from server.errors import InvalidInput, InvalidState, NotFound
from server.people import repository
from server.people.models import Person, PersonKind, Role


def check_email(email: str) -> str:
    email = email.strip()
    validation.refuse_hidden_characters(email, ["email"], "Email address")
    local, _, domain = email.partition("@")
    if not local or "." not in domain or " " in email or len(email) > 254:
        raise InvalidInput(f"'{email}' does not look like an email address.", ["email"])
    return email


async def ensure_person(
    session: AsyncSession, *, email: str, display_name: str | None, kind: PersonKind | None
) -> tuple[Person, bool]:
    """The person with this email, created if new. Returns (person, created)."""
    email = check_email(email)
    person = await repository.by_email(session, email)
    if person is not None:
        if display_name:
            person.display_name = validation.text(
                display_name, ["name"], max_length=80, label="Display name"
            )
        if kind is not None:
            person.kind = kind
        await session.flush()
        return person, False
    name = display_name or email.split("@", 1)[0]
    person = await repository.add(
        session,
        Person(
            email=email,
            display_name=validation.text(name, ["name"], max_length=80, label="Display name"),
            kind=kind or PersonKind.RESIDENT,
        ),
    )
    await audit.record(session, None, "person.created", ("Person", person.id))
    return person, True


async def grant(
    session: AsyncSession, person: Person, area: Area, role: Role, granted_by_id: int | None
) -> bool:
    added = await repository.add_grant(session, person.id, area.id, role, granted_by_id)
    if added:
        await audit.record(
            session,
            granted_by_id,
            "role.granted",
            ("Person", person.id),
            area_id=area.id,
            role=role.value,
        )
    return added


async def add_participant(
    session: AsyncSession,
    actor: Actor,
    *,
    area_id: int,
    display_name: str,
    kind: PersonKind,
    note: str | None = None,
) -> Person:
    """A facilitator adds someone in the room (say, for their paper ballot) as the join
    flow would: a display name and resident or professional, a participant here."""
    await actor.require(session, area_id, Role.FACILITATOR)
    area = (await areas_repo.by_ids(session, [area_id]))[0]
    person = await repository.add(
        session,
        Person(
            display_name=validation.text(
                display_name, ["displayName"], max_length=80, label="Display name"
            ),
            kind=kind,
            facilitator_note=validation.optional_text(note, ["note"], max_length=120, label="Note"),
        ),
    )
    await audit.record(
        session, actor.person_id, "person.added_by_facilitator", ("Person", person.id)
    )
    await grant(session, person, area, Role.PARTICIPANT, actor.person_id)
    return person


async def can_see_kind(session: AsyncSession, actor: Actor, person_id: int) -> bool:
    """Kind and roles are private: the person themself, and admins whose reach holds
    every role the person has (see :meth:`Actor.oversees`)."""
    if actor.person_id == person_id:
        return True
    if not await actor.is_admin_anywhere():
        return False
    grants = await repository.grants(session, person_id)
    return await actor.oversees(session, {area_id for area_id, _ in grants})


async def grant_role(
    session: AsyncSession, actor: Actor, *, person_id: int, area_slug: str, role: Role
) -> Person:
    """Admins of an area grant roles in it (and so beneath it). Granting a role someone
    already holds there changes nothing."""
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.ADMIN)
    person = await repository.by_id(session, person_id)
    if person is None:
        raise NotFound("Person", ["personId"])
    await grant(session, person, area, role, actor.person_id)
    return person


async def revoke_role(
    session: AsyncSession, actor: Actor, *, person_id: int, area_slug: str, role: Role
) -> Person:
    """Admins of an area revoke roles granted in it. A role held higher up the tree is
    revoked there, by an admin there."""
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.ADMIN)
    person = await repository.by_id(session, person_id)
    if person is None:
        raise NotFound("Person", ["personId"])
    if person.id == actor.person_id and role is Role.ADMIN:
        raise InvalidState(
            "You cannot remove your own admin role; ask another admin.", ["personId"]
        )
    await revoke(session, person, area, role, actor.person_id)
    return person


async def revoke(
    session: AsyncSession, person: Person, area: Area, role: Role, revoked_by_id: int | None
) -> None:
    if not await repository.remove_grant(session, person.id, area.id, role):
        raise NotFound(f"{role.value.capitalize()} role in {area.name}", ["role"])
    await audit.record(
        session,
        revoked_by_id,
        "role.revoked",
        ("Person", person.id),
        area_id=area.id,
        role=role.value,
    )
