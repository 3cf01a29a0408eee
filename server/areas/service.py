from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor, Scope
from server.answers import repository as answers_repo
from server.answers.models import DEFAULT_THEMES
from server.areas import repository
from server.areas.models import SLUG_PATTERN, Area, AreaSettings
from server.audit import service as audit
from server.errors import DomainError, ErrorCode, Forbidden, InvalidInput, NotFound
from server.people.models import Role
from server.voting.models import MAX_DOTS_PER_PERSON, ResultVisibility, VotingMethod

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
    session: AsyncSession,
    actor: Actor,
    *,
    name: str,
    slug: str,
    parent_slug: str | None,
    template_slug: str | None = None,
) -> Area:
    """Admins of the parent area create areas beneath it; a new top-level area needs an
    admin of an existing top-level area (the first one comes from the CLI)."""
    name = validation.text(name, ["name"], max_length=120, label="Name")
    check_slug(slug, ["slug"])
    template = (
        await get_by_slug(session, template_slug, ["templateSlug"])
        if template_slug is not None
        else None
    )
    parent = None
    if parent_slug is not None:
        parent = await get_by_slug(session, parent_slug, ["parentSlug"])
        await actor.require(session, parent.id, Role.ADMIN)
    else:
        actor.require_scope(Scope.WRITE)
        tree = await actor.tree(session)
        if not any(Role.ADMIN in actor.grants.get(root, set()) for root in tree.roots()):
            raise Forbidden("Only an admin of a top-level area can add another top-level area.")
    area = await add_area(
        session,
        name=name,
        slug=slug,
        parent=parent,
        actor_id=actor.person_id,
        template=template,
    )
    actor.forget_tree()
    return area


async def add_area(
    session: AsyncSession,
    *,
    name: str,
    slug: str,
    parent: Area | None,
    actor_id: int | None,
    template: Area | None = None,
) -> Area:
    """A new area starts with the default themes and settings, or, from a template
    area, with a copy of that area's themes, prompts and round settings (never its
    people, conversations or anything said in them)."""
    if await repository.by_slug(session, slug) is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"An area '{slug}' already exists.", ["slug"])
    area = await repository.add(
        session, Area(name=name, slug=slug, parent_id=parent.id if parent else None)
    )
    if template is None:
        await answers_repo.add_themes(session, area.id, list(DEFAULT_THEMES))
        await repository.add_settings(session, default_settings(area.id))
    else:
        themes = await answers_repo.themes_for_areas(session, [template.id])
        await answers_repo.add_themes(session, area.id, [t.name for t in themes])
        await repository.add_settings(
            session, copy_settings(await settings_of(session, template.id), area.id)
        )
    await audit.record(
        session,
        actor_id,
        "area.created",
        ("Area", area.id),
        area_id=area.id,
        slug=slug,
        template=template.slug if template else None,
    )
    return area


DEFAULT_PROMPT = "What keeps you well?"


def default_settings(area_id: int) -> AreaSettings:
    return AreaSettings(
        area_id=area_id,
        prompts=[DEFAULT_PROMPT],
        round_method=VotingMethod.APPROVAL,
        dots_per_person=10,
        max_dots_per_item=3,
        round_result_visibility=ResultVisibility.AFTER_CLOSE,
    )


def copy_settings(source: AreaSettings, area_id: int) -> AreaSettings:
    return AreaSettings(
        area_id=area_id,
        prompts=list(source.prompts),
        round_method=source.round_method,
        dots_per_person=source.dots_per_person,
        max_dots_per_item=source.max_dots_per_item,
        round_result_visibility=source.round_result_visibility,
    )


async def settings_of(session: AsyncSession, area_id: int) -> AreaSettings:
    found = await repository.settings_for(session, [area_id])
    return found[0] if found else default_settings(area_id)


async def update_settings(
    session: AsyncSession,
    actor: Actor,
    *,
    area_slug: str,
    prompts: Sequence[str] | None,
    round_method: VotingMethod | None,
    dots_per_person: int | None,
    max_dots_per_item: int | None,
    results_shown: ResultVisibility | None,
) -> AreaSettings:
    """Facilitators keep the questions their conversations start from and their
    rounds' defaults; new areas made from this one copy them."""
    area = await get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.FACILITATOR)
    settings = await repository.settings_for_update(session, area.id)
    if settings is None:
        settings = await repository.add_settings(session, default_settings(area.id))
    if prompts is not None:
        cleaned = [
            validation.text(p, ["prompts", i], max_length=500, label="Question")
            for i, p in enumerate(prompts)
        ]
        if not 1 <= len(cleaned) <= 10:
            raise InvalidInput("Keep between 1 and 10 questions.", ["prompts"])
        settings.prompts = cleaned
    if round_method is not None:
        settings.round_method = round_method
    if dots_per_person is not None:
        if not 1 <= dots_per_person <= MAX_DOTS_PER_PERSON:
            raise InvalidInput(
                f"Dots per person must be 1 to {MAX_DOTS_PER_PERSON}.", ["dotsPerPerson"]
            )
        settings.dots_per_person = dots_per_person
    if max_dots_per_item is not None:
        if not 1 <= max_dots_per_item <= settings.dots_per_person:
            raise InvalidInput(
                "The most dots on one idea must be 1 to the dots per person.",
                ["maxDotsPerItem"],
            )
        settings.max_dots_per_item = max_dots_per_item
    elif settings.max_dots_per_item is not None:
        settings.max_dots_per_item = min(settings.max_dots_per_item, settings.dots_per_person)
    if results_shown is not None:
        settings.round_result_visibility = results_shown
    await session.flush()
    await audit.record(
        session, actor.person_id, "area.settings_changed", ("Area", area.id), area_id=area.id
    )
    return settings
