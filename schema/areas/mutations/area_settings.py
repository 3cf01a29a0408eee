from __future__ import annotations

import strawberry
from sqlalchemy.ext.asyncio import AsyncSession

from schema.areas.types import AreaType
from schema.base import Info
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.access import Actor
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.areas.models import Area
from server.voting.models import ResultVisibility, VotingMethod


@strawberry.input(name="UpdateAreaSettingsInput")
class UpdateAreaSettingsInput:
    area_slug: str
    prompts: list[str] | None = None
    round_method: VotingMethod | None = None
    dots_per_person: int | None = None
    max_dots_per_item: int | None = None
    round_result_visibility: ResultVisibility | None = None


@strawberry.type(name="AreaPayload")
class AreaPayload:
    area: AreaType | None
    errors: list[UserError]


async def update_area_settings(info: Info, input: UpdateAreaSettingsInput) -> AreaPayload:
    """Change the questions an area's conversations start from and its rounds'
    defaults (facilitators); what is not given stays as it was."""

    async def work(session: AsyncSession, actor: Actor) -> Area | None:
        await areas.update_settings(
            session,
            actor,
            area_slug=input.area_slug,
            prompts=input.prompts,
            round_method=input.round_method,
            dots_per_person=input.dots_per_person,
            max_dots_per_item=input.max_dots_per_item,
            results_shown=input.round_result_visibility,
        )
        return await areas_repo.by_slug(session, input.area_slug)

    result = await mutate(info, work)
    if isinstance(result, Failed):
        return AreaPayload(area=None, errors=result.errors)
    assert result is not None
    return AreaPayload(area=AreaType.of(result), errors=[])
