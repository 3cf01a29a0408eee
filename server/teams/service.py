from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.access import Actor
from server.areas import service as areas
from server.audit import service as audit
from server.errors import DomainError, ErrorCode, NotFound
from server.notifications import events as notify
from server.people import repository as people_repo
from server.people.models import Role
from server.teams import repository
from server.teams.models import CoreTeam, TeamMembership


async def get(session: AsyncSession, team_id: int, field: list[str]) -> CoreTeam:
    team = await repository.by_id(session, team_id)
    if team is None:
        raise NotFound("Core team", field)
    return team


async def create_core_team(
    session: AsyncSession, actor: Actor, *, area_slug: str, name: str
) -> CoreTeam:
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.FACILITATOR)
    name = validation.text(name, ["name"], max_length=120, label="Team name")
    if await repository.by_name(session, area.id, name) is not None:
        raise DomainError(
            ErrorCode.ALREADY_EXISTS, f"There is already a team called '{name}' here.", ["name"]
        )
    team = CoreTeam(area_id=area.id, name=name)
    await repository.add(session, team)
    await audit.record(
        session, actor.person_id, "team.created", ("CoreTeam", team.id), area_id=area.id
    )
    return team


async def add_member(
    session: AsyncSession, actor: Actor, *, team_id: int, person_id: int
) -> CoreTeam:
    team = await get(session, team_id, ["teamId"])
    await actor.require(session, team.area_id, Role.FACILITATOR)
    person = await people_repo.by_id(session, person_id)
    if person is None:
        raise NotFound("Person", ["personId"])
    # A team is people taking part in its area: a role here or above, as for voting.
    member = Actor.build(person.id, (), await people_repo.grants(session, person.id))
    member.share_tree(actor)
    if not await member.has_role(session, team.area_id, Role.PARTICIPANT):
        raise NotFound("Person taking part in this area", ["personId"])
    if await repository.current_membership(session, team.id, person_id) is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, "They are already on this team.", ["personId"])
    await repository.add(
        session, TeamMembership(team_id=team.id, person_id=person_id, added_by_id=actor.person_id)
    )
    await audit.record(
        session,
        actor.person_id,
        "team.member_added",
        ("CoreTeam", team.id),
        area_id=team.area_id,
        person_id=person_id,
    )
    return team


async def remove_member(
    session: AsyncSession,
    actor: Actor,
    *,
    team_id: int,
    person_id: int,
    reason: str | None = None,
) -> CoreTeam:
    """Membership ends with a date (and a reason); the history stays."""
    team = await get(session, team_id, ["teamId"])
    await actor.require(session, team.area_id, Role.FACILITATOR)
    membership = await repository.current_membership(session, team.id, person_id, lock=True)
    if membership is None:
        raise NotFound("Current member", ["personId"])
    membership.left_at = clock.now()
    membership.left_reason = validation.optional_text(
        reason, ["reason"], max_length=500, label="Reason"
    )
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "team.member_removed",
        ("CoreTeam", team.id),
        area_id=team.area_id,
        person_id=person_id,
    )
    await notify.lead_left_team(session, actor.person_id, team.id, person_id)
    return team


async def is_member(session: AsyncSession, team_id: int, person_id: int) -> bool:
    return await repository.current_membership(session, team_id, person_id) is not None


async def can_see_left_reason(
    session: AsyncSession, actor: Actor, membership: TeamMembership, area_id: int
) -> bool:
    """Why someone left is theirs: shown to them and to the area's facilitators."""
    if membership.person_id == actor.person_id:
        return True
    return await actor.has_role(session, area_id, Role.FACILITATOR)
