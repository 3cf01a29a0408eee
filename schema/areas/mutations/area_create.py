from __future__ import annotations

import strawberry

from schema.areas.types import AreaType
from schema.base import Info
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.areas import service as areas


@strawberry.input(name="CreateAreaInput")
class CreateAreaInput:
    name: str
    slug: str
    parent_slug: str | None = None
    template_slug: str | None = strawberry.field(
        default=None,
        description="Copy this area's themes, prompts and round settings (not people or content).",
    )


@strawberry.type(name="CreateAreaPayload")
class CreateAreaPayload:
    area: AreaType | None
    errors: list[UserError]


async def create_area(info: Info, input: CreateAreaInput) -> CreateAreaPayload:
    """Add an area (admins of the parent area)."""
    result = await mutate(
        info,
        lambda session, actor: areas.create_area(
            session,
            actor,
            name=input.name,
            slug=input.slug,
            parent_slug=input.parent_slug,
            template_slug=input.template_slug,
        ),
    )
    if isinstance(result, Failed):
        return CreateAreaPayload(area=None, errors=result.errors)
    return CreateAreaPayload(area=AreaType.of(result), errors=[])
