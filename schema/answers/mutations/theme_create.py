from __future__ import annotations

import strawberry

from schema.answers.types import ThemeType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.answers import service as answers


@strawberry.input(name="CreateThemeInput")
class CreateThemeInput:
    area_slug: str
    name: str


@strawberry.input(name="RenameThemeInput")
class RenameThemeInput:
    theme_id: strawberry.ID
    name: str


@strawberry.type(name="ThemePayload")
class ThemePayload:
    theme: ThemeType | None
    errors: list[UserError]


async def create_theme(info: Info, input: CreateThemeInput) -> ThemePayload:
    """Add a theme to an area's list (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: answers.create_theme(
            session, actor, area_slug=input.area_slug, name=input.name
        ),
    )
    if isinstance(result, Failed):
        return ThemePayload(theme=None, errors=result.errors)
    return ThemePayload(theme=ThemeType.of(result), errors=[])


async def rename_theme(info: Info, input: RenameThemeInput) -> ThemePayload:
    """Rename one of an area's themes; its answers keep their tags (facilitators)."""
    result = await mutate(
        info,
        lambda session, actor: answers.rename_theme(
            session, actor, require_id(input.theme_id, "Theme", ["themeId"]), input.name
        ),
    )
    if isinstance(result, Failed):
        return ThemePayload(theme=None, errors=result.errors)
    return ThemePayload(theme=ThemeType.of(result), errors=[])
