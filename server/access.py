"""Who may do what, where: the one place permission rules live.

Roles are granted per area and hold in every area beneath it. Each of participant <
facilitator < admin includes the ones before it; board is read-only and includes nothing
else. Services call :meth:`Actor.require`; GraphQL and web pages only translate.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from server.areas import repository as areas_repo
from server.areas.tree import AreaTree
from server.errors import DomainError, ErrorCode, Forbidden
from server.people.models import Role


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"
    # May read the schema by introspection in production (type generators).
    INTROSPECT = "introspect"
    # May only run documents registered with `levelground queries register`, by hash.
    PERSISTED_ONLY = "persisted-only"


# Which held roles satisfy a required role.
SATISFIES: dict[Role, frozenset[Role]] = {
    Role.PARTICIPANT: frozenset({Role.PARTICIPANT, Role.FACILITATOR, Role.ADMIN}),
    Role.FACILITATOR: frozenset({Role.FACILITATOR, Role.ADMIN}),
    Role.ADMIN: frozenset({Role.ADMIN}),
    Role.BOARD: frozenset({Role.BOARD}),
}


@dataclass
class Actor:
    """The signed-in person (or API client acting for one) behind a request."""

    person_id: int
    scopes: frozenset[Scope]
    grants: dict[int, set[Role]] = field(default_factory=dict)
    _tree: AreaTree | None = field(default=None, repr=False)

    @classmethod
    def build(
        cls, person_id: int, scopes: Iterable[Scope], grants: Iterable[tuple[int, Role]]
    ) -> Actor:
        by_area: dict[int, set[Role]] = {}
        for area_id, role in grants:
            by_area.setdefault(area_id, set()).add(role)
        return cls(person_id=person_id, scopes=frozenset(scopes), grants=by_area)

    async def tree(self, session: AsyncSession) -> AreaTree:
        if self._tree is None:
            self._tree = AreaTree(await areas_repo.parent_map(session))
        return self._tree

    def share_tree(self, other: Actor) -> None:
        """Reuse another actor's already loaded tree (same request, same snapshot)."""
        self._tree = other._tree

    def forget_tree(self) -> None:
        """Call after the area tree changed within this request."""
        self._tree = None

    async def has_role(self, session: AsyncSession, area_id: int, role: Role) -> bool:
        accepted = SATISFIES[role]
        tree = await self.tree(session)
        return any(self.grants.get(a, set()) & accepted for a in tree.ancestors(area_id))

    async def is_admin_anywhere(self) -> bool:
        return any(Role.ADMIN in roles for roles in self.grants.values())

    async def administered(self, session: AsyncSession) -> frozenset[int]:
        """An admin's reach: every area they are an admin of, and everything beneath."""
        tree = await self.tree(session)
        return frozenset(
            descendant
            for area_id, roles in self.grants.items()
            if Role.ADMIN in roles and area_id in tree
            for descendant in tree.descendants(area_id)
        )

    async def administers_everything(self, session: AsyncSession) -> bool:
        tree = await self.tree(session)
        return set(tree.roots()) <= await self.administered(session)

    async def oversees(self, session: AsyncSession, role_areas: Collection[int]) -> bool:
        """Whether a person holding roles in ``role_areas`` is within this admin's reach:
        every one of those areas lies in it (so granting someone a role here does not
        open their roles and kind elsewhere). Someone with no role anywhere belongs to no
        area: only an admin of every area reaches them."""
        if not role_areas:
            return await self.administers_everything(session)
        return set(role_areas) <= await self.administered(session)

    def require_scope(self, scope: Scope) -> None:
        if scope not in self.scopes:
            raise Forbidden(f"This token does not have the '{scope}' scope.")

    def holds_along(self, area_path: Collection[int], role: Role) -> bool:
        """``has_role`` for an area whose path to the top (the area and every area
        above it) is already known: no tree to load."""
        accepted = SATISFIES[role]
        return any(self.grants.get(a, set()) & accepted for a in area_path)

    def require_along(self, area_path: Collection[int], role: Role) -> None:
        """``require`` for an area whose path to the top is already known."""
        self.require_scope(Scope.WRITE)
        if not self.holds_along(area_path, role):
            raise Forbidden(f"You need to be a {role.value} here to do that.")

    async def require(self, session: AsyncSession, area_id: int, role: Role) -> None:
        """A write in ``area_id`` needing ``role``: FORBIDDEN otherwise."""
        self.require_scope(Scope.WRITE)
        if not await self.has_role(session, area_id, role):
            raise Forbidden(f"You need to be a {role.value} here to do that.")


def require_actor(actor: Actor | None) -> Actor:
    if actor is None:
        raise DomainError(ErrorCode.UNAUTHENTICATED, "Sign in first.")
    return actor
