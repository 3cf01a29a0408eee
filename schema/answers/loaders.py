"""Loaders for what the room said, a conversation's record, moderation and the city's
stages: one SQL statement per batch, as in ``schema.loaders``."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader

from schema.loaders import (
    Keyed,
    Page,
    _by_id,
    _counts,
    _counts_with_args,
    _grouped,
    _grouped_with_args,
)
from server.actions.models import Action
from server.answers import repository as answers_repo
from server.answers.models import Answer, Theme
from server.areas import repository as areas_repo
from server.areas.models import AreaSettings
from server.city import service as city
from server.city.service import AreaFigures
from server.conversations import repository as conversations_repo
from server.moderation import repository as moderation_repo
from server.moderation.models import Report
from server.people.models import Person
from server.voting.models import VotingRound

if TYPE_CHECKING:
    from schema.context import Context


async def _answer_pages(
    session: AsyncSession, conversation_ids: list[int], args: tuple[int | None, Page]
) -> list[Answer]:
    author_id, page = args
    return await answers_repo.page_for_conversations(
        session, conversation_ids, author_id=author_id, after_id=page.after_id, limit=page.limit
    )


class ConversationLoaders:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.answer: DataLoader[int, Answer | None] = _by_id(ctx, answers_repo.by_ids)
        self.theme: DataLoader[int, Theme | None] = _by_id(ctx, answers_repo.themes_by_ids)
        self.report: DataLoader[int, Report | None] = _by_id(ctx, moderation_repo.by_ids)
        self.themes_of_area: DataLoader[int, list[Theme]] = _grouped(
            ctx, answers_repo.themes_for_areas, lambda t: t.area_id
        )
        self.answer_page: DataLoader[Keyed[Any], list[Answer]] = _grouped_with_args(
            ctx, _answer_pages, lambda a: a.conversation_id
        )
        self.answer_count: DataLoader[Keyed[Any], int] = _counts_with_args(
            ctx, answers_repo.counts_for_conversations
        )
        self.participants: DataLoader[int, int] = _counts(
            ctx, conversations_repo.participant_counts
        )
        self.actions: DataLoader[int, list[Action]] = _grouped(
            ctx, conversations_repo.actions_for, lambda a: a.conversation_id
        )
        self.settings: DataLoader[int, AreaSettings | None] = DataLoader(load_fn=self._settings)
        self.tags: DataLoader[int, list[Theme]] = DataLoader(load_fn=self._tags)
        self.facilitators: DataLoader[int, list[Person]] = DataLoader(load_fn=self._facilitators)
        self.rounds: DataLoader[int, list[VotingRound]] = DataLoader(load_fn=self._rounds)
        self.figures: DataLoader[int, AreaFigures] = DataLoader(load_fn=self._figures)

    async def _settings(self, area_ids: list[int]) -> list[AreaSettings | None]:
        found = {s.area_id: s for s in await self.ctx.read(areas_repo.settings_for, area_ids)}
        return [found.get(area_id) for area_id in area_ids]

    async def _tags(self, answer_ids: list[int]) -> list[list[Theme]]:
        groups: dict[int, list[Theme]] = defaultdict(list)
        for answer_id, theme in await self.ctx.read(answers_repo.tags_for, answer_ids):
            groups[answer_id].append(theme)
        return [groups.get(answer_id, []) for answer_id in answer_ids]

    async def _facilitators(self, conversation_ids: list[int]) -> list[list[Person]]:
        groups: dict[int, list[Person]] = defaultdict(list)
        for conversation_id, person in await self.ctx.read(
            conversations_repo.facilitators_of, conversation_ids
        ):
            groups[conversation_id].append(person)
        return [groups.get(c, []) for c in conversation_ids]

    async def _rounds(self, conversation_ids: list[int]) -> list[list[VotingRound]]:
        groups: dict[int, list[VotingRound]] = defaultdict(list)
        for conversation_id, voting_round in await self.ctx.read(
            conversations_repo.rounds_for, conversation_ids
        ):
            groups[conversation_id].append(voting_round)
        return [groups.get(c, []) for c in conversation_ids]

    async def _figures(self, area_ids: list[int]) -> list[AreaFigures]:
        actor = self.ctx.require_actor()
        tree = await self.ctx.read(actor.tree)
        found = await self.ctx.read(city.figures, area_ids, tree)
        return [found[area_id] for area_id in area_ids]
