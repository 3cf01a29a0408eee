from __future__ import annotations

import strawberry

from schema import permissions
from schema.base import Info, Node, gid
from schema.refs import (
    AreaRef,
    NotificationConnectionRef,
    NotificationPreferenceRef,
)
from server.people.models import Person, PersonKind, Role


@strawberry.type(
    name="Person",
    description="Someone taking part. Others see the display name only (lanyards off).",
)
class PersonType(Node):
    id: strawberry.ID
    display_name: str
    model: strawberry.Private[Person]

    @classmethod
    def of(cls, person: Person) -> PersonType:
        return cls(id=gid("Person", person.id), display_name=person.display_name, model=person)

    @classmethod
    def of_found(cls, person: Person | None) -> PersonType:
        """``of`` a person loaded by id (people are never deleted)."""
        assert person is not None, "people are never deleted"
        return cls.of(person)

    @strawberry.field(
        description="Visible to the person themself and to admins only; null for everyone else."
    )
    async def kind(self, info: Info) -> PersonKind | None:
        if await permissions.may_see_private_details(info, self.model.id):
            return self.model.kind
        return None

    @strawberry.field(
        description="Roles held, per area. Visible to the person themself and to admins only."
    )
    async def roles(self, info: Info) -> list[RoleGrantType] | None:
        if not await permissions.may_see_private_details(info, self.model.id):
            return None
        grants = await info.context.loaders.grants.load(self.model.id)
        return [RoleGrantType(role=g.role, area_id=g.area_id) for g in grants]

    @strawberry.field(description="Newest first. The person themself only; null for everyone else.")
    async def notifications(
        self,
        info: Info,
        first: int | None = 20,
        after: str | None = None,
        unread_only: bool | None = False,
    ) -> NotificationConnectionRef | None:
        from schema.notifications.types import notifications_of

        return await notifications_of(info, self.model.id, first, after, unread_only)

    @strawberry.field(
        description="How the person hears about each kind of thing by email. The person "
        "themself only; null for everyone else."
    )
    async def notification_preferences(self, info: Info) -> list[NotificationPreferenceRef] | None:
        from schema.notifications.types import preferences_of

        return await preferences_of(info, self.model.id)


async def person(info: Info, person_id: int) -> PersonType:
    found = await info.context.loaders.person.load(person_id)
    assert found is not None, "people are never deleted"
    return PersonType.of(found)


@strawberry.type(name="RoleGrant", description="A role held in an area (and every area beneath).")
class RoleGrantType:
    role: Role
    area_id: strawberry.Private[int]

    @strawberry.field
    async def area(self, info: Info) -> AreaRef:
        from schema.areas.types import AreaType

        area = await info.context.loaders.area.load(self.area_id)
        assert area is not None
        return AreaType.of(area)
