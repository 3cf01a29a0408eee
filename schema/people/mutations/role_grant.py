from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.people.types import PersonType
from server.access import Actor
from server.people import service as people
from server.people.models import Person, Role


@strawberry.input(name="RoleInput")
class RoleInput:
    person_id: strawberry.ID
    area_slug: str
    role: Role


@strawberry.type(name="RolePayload")
class RolePayload:
    person: PersonType | None
    errors: list[UserError]

    @classmethod
    def of(cls, result: Person | Failed) -> RolePayload:
        if isinstance(result, Failed):
            return cls(person=None, errors=result.errors)
        return cls(person=PersonType.of(result), errors=[])


async def grant_role(info: Info, input: RoleInput) -> RolePayload:
    """Give someone a role in an area and every area beneath it (admins of the area)."""

    async def work(session: AsyncSession, actor: Actor) -> Person:
        return await people.grant_role(
            session,
            actor,
            person_id=require_id(input.person_id, "Person", ["personId"]),
            area_slug=input.area_slug,
            role=input.role,
        )

    return RolePayload.of(await mutate(info, work))


async def revoke_role(info: Info, input: RoleInput) -> RolePayload:
    """Take back a role granted in an area (admins of the area)."""

    async def work(session: AsyncSession, actor: Actor) -> Person:
        return await people.revoke_role(
            session,
            actor,
            person_id=require_id(input.person_id, "Person", ["personId"]),
            area_slug=input.area_slug,
            role=input.role,
        )

    return RolePayload.of(await mutate(info, work))
