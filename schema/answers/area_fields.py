"""Fields of Area for what the room said, moderation, templates and the city's stages
(kept here so ``schema/areas/types.py`` only lists them)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

import strawberry

from schema import permissions
from schema.actions.board import RagCount
from schema.answers.types import ThemeCountType, ThemeType
from schema.base import Info
from schema.moderation.types import ReportType
from server.actions.models import Rag
from server.answers import service as answers
from server.areas.service import default_settings
from server.city.service import AreaFigures, Stage
from server.voting.models import ResultVisibility, VotingMethod

if TYPE_CHECKING:
    from schema.areas.types import AreaType

strawberry.enum(Stage, name="AreaStageName")


@strawberry.type(
    name="RoundSettings",
    description="The defaults a new voting round in the area starts from.",
)
class RoundSettingsType:
    method: VotingMethod
    dots_per_person: int
    max_dots_per_item: int | None
    result_visibility: ResultVisibility


@strawberry.type(
    name="AreaSettings",
    description="What a new area made from this one as a template copies, with its themes.",
)
class AreaSettingsType:
    prompts: list[str] = strawberry.field(
        description="The questions its conversations start from, the first by default."
    )
    round: RoundSettingsType


@strawberry.type(
    name="AreaStage",
    description="Where an area (with the areas beneath it) is in the loop: the board's "
    "first look at phase two.",
)
class AreaStageType:
    stage: Stage
    conversations_held: int = strawberry.field(description="Opened or closed, not planned.")
    people_taking_part: int
    open_rounds: int
    adopted_actions: int
    actions_by_rag: list[RagCount] = strawberry.field(
        description="Adopted actions by their effective RAG (server/actions/health.py)."
    )
    last_activity_at: datetime | None

    @classmethod
    def of(cls, figures: AreaFigures) -> AreaStageType:
        return cls(
            stage=figures.stage,
            conversations_held=figures.conversations_held,
            people_taking_part=figures.people_taking_part,
            open_rounds=figures.open_rounds,
            adopted_actions=figures.adopted_actions,
            actions_by_rag=[RagCount(rag=rag, count=figures.actions_by_rag[rag]) for rag in Rag],
            last_activity_at=figures.last_activity_at,
        )


async def themes(root: AreaType, info: Info) -> list[ThemeType]:
    return [
        ThemeType.of(t) for t in await info.context.loaders.talk.themes_of_area.load(root.model.id)
    ]


async def theme_summary(
    root: AreaType, info: Info, include_children: bool | None = False
) -> list[ThemeCountType]:
    actor = info.context.require_actor()
    rows = await info.context.read(
        answers.area_summary, actor, root.model.id, include_children=bool(include_children)
    )
    return [ThemeCountType.of(row) for row in rows]


async def reports(root: AreaType, info: Info, open: bool | None = True) -> list[ReportType] | None:
    found = await permissions.reports(info, root.model.id, open_only=open is not False)
    if found is None:
        return None
    for report in found:
        info.context.loaders.talk.report.prime(report.id, report)
    return [ReportType.of(r) for r in found]


async def settings(root: AreaType, info: Info) -> AreaSettingsType:
    found = await info.context.loaders.talk.settings.load(root.model.id)
    current = found or default_settings(root.model.id)
    return AreaSettingsType(
        prompts=list(current.prompts),
        round=RoundSettingsType(
            method=current.round_method,
            dots_per_person=current.dots_per_person,
            max_dots_per_item=current.max_dots_per_item,
            result_visibility=current.round_result_visibility,
        ),
    )


async def stage(root: AreaType, info: Info) -> AreaStageType:
    return AreaStageType.of(await info.context.loaders.talk.figures.load(root.model.id))


themes_field = strawberry.field(resolver=themes, description="The area's themes, by name.")
theme_summary_field = strawberry.field(
    resolver=theme_summary,
    description="Answers per theme across the area's conversations (and, with "
    "includeChildren, the areas beneath, adding up themes of the same name).",
)
reports_field = strawberry.field(
    resolver=reports,
    description="The moderation queue, newest first (with the areas beneath). Facilitators "
    "of the area only; null for everyone else.",
)
settings_field = strawberry.field(resolver=settings)
stage_field = strawberry.field(resolver=stage)
