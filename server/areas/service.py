from __future__ import annotations

import re

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor, Scope
from server.areas import repository
from server.areas.models import SLUG_PATTERN, Area
from server.audit import service as audit
from server.errors import DomainError, ErrorCode, Forbidden, InvalidInput, NotFound
from server.people.models import Role

_SLUG = re.compile(SLUG_PATTERN)


def check_slug(slug: str, field: list[str]) -> str:
    if not (1 <= len(slug) <= 64) or not _SLUG.match(slug):
        raise InvalidInput(
            "Use 1-64 lower-case letters, digits and single hyphens, e.g. 'willenhall'.", field
        )
    return slug


async def get_by_slug(session: AsyncSession, slug: str, field: list[str]) -> Area:
    area = await repository.by_slug(session, slug)
    if area is None:
        raise NotFound(f"Area '{slug}'", field)
    return area


async def create_area(
    session: AsyncSession, actor: Actor, *, name: str, slug: str, parent_slug: str | None
) -> Area:
    """Admins of the parent area create areas beneath it; a new top-level area needs an
    admin of an existing top-level area (the first one comes from the CLI)."""
    name = validation.text(name, ["name"], max_length=120, label="Name")
    check_slug(slug, ["slug"])
    parent = None
    if parent_slug is not None:
        parent = await get_by_slug(session, parent_slug, ["parentSlug"])
        await actor.require(session, parent.id, Role.ADMIN)
    else:
        actor.require_scope(Scope.WRITE)
        tree = await actor.tree(session)
        if not any(Role.ADMIN in actor.grants.get(root, set()) for root in tree.roots()):
            raise Forbidden("Only an admin of a top-level area can add another top-level area.")
    area = await add_area(session, name=name, slug=slug, parent=parent, actor_id=actor.person_id)
    actor.forget_tree()
    return area


async def add_area(
    session: AsyncSession, *, name: str, slug: str, parent: Area | None, actor_id: int | None
) -> Area:
    if await repository.by_slug(session, slug) is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"An area '{slug}' already exists.", ["slug"])
    area = await repository.add(
        session, Area(name=name, slug=slug, parent_id=parent.id if parent else None)
    )
    await audit.record(
        session, actor_id, "area.created", ("Area", area.id), area_id=area.id, slug=slug
    )
    return area
