"""Request-scoped DataLoaders (``XByYLoader`` in spirit): each batch is one SQL statement.

Keys carrying arguments (page size, cursor, status filter) are grouped so that a batch
costs one statement per distinct argument set, however many parents it covers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, NamedTuple, TypeVar, cast

from sqlalchemy.ext.asyncio import AsyncSession
from strawberry.dataloader import DataLoader
from strawberry.types.nodes import SelectedField, Selection

from server.actions import repository as actions_repo
from server.actions.models import Action, ActionStatus, Update
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.comments import repository as comments_repo
from server.comments.models import Comment
from server.conversations import repository as conversations_repo
from server.conversations.models import Conversation, Story
from server.people import repository as people_repo
from server.people.models import AreaRole, Person
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal, ProposalStatus
from server.teams import repository as teams_repo
from server.teams.models import CoreTeam, TeamMembership
from server.voting import repository as voting_repo
from server.voting import service as voting_service
from server.voting.models import (
    Ballot,
    BallotEntry,
    RoundSnapshot,
    RoundState,
    VotingRound,
)
from server.voting.results import RoundResults

if TYPE_CHECKING:
    from schema.actions.loaders import ActionLoaders
    from schema.answers.loaders import ConversationLoaders
    from schema.base import Info
    from schema.context import Context

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")
R = TypeVar("R")
A = TypeVar("A", bound=Hashable)


class Page(NamedTuple):
    limit: int
    after_id: int | None


class Keyed(NamedTuple, Generic[A]):
    parent_id: int
    args: A


def now_or_later(loader: DataLoader[K, T], key: K, convert: Callable[[T], R]) -> R:
    """``convert`` of the loader's value for ``key``, at once when this request already
    loaded it, else once loaded.

    For a relation resolved on every item of a long list (each priority's proposal,
    each proposal's author): an ``async`` resolver makes graphql-core schedule and await
    a task per item even when the value is at hand, which was most of such a list's
    cost. A plain resolver may return either a value or an awaitable (graphql-core
    awaits what is awaitable), so this one returns the value when the loader holds it:
    a parent that loads the whole list's relations first (:func:`preload`, when
    :func:`selects` says they are wanted) makes every item's field synchronous.
    """
    future = loader.cache_map.get(key)
    if (
        future is not None
        and future.done()
        and not future.cancelled()
        and future.exception() is None
    ):
        return convert(future.result())

    async def later() -> R:
        return convert(await loader.load(key))

    # The awaitable stands for the value: graphql-core awaits it (see above).
    return cast(R, later())


async def preload(loader: DataLoader[K, T], keys: Sequence[K]) -> list[T]:
    """The loader's values for ``keys`` (in order), those it lacks read in one batch and
    kept: ``load_many`` without a future and a task per key to gather, which for a
    list of hundreds cost more than the statement."""
    missing = [key for key in dict.fromkeys(keys) if loader.cache_map.get(key) is None]
    if missing:
        primed: dict[K, T] = {}
        for key, value in zip(missing, await loader.load_fn(missing), strict=True):
            if isinstance(value, BaseException):
                raise value
            primed[key] = value
        loader.prime_many(primed)
    values: list[T] = []
    for key in keys:
        future = loader.cache_map.get(key)
        assert future is not None
        # Pending only when another field of the request is loading the same key.
        values.append(future.result() if future.done() else await future)
    return values


def selects(info: Info, *path: str) -> bool:
    """Whether this field's selection asks for ``path`` (fields inside fields, through
    fragments): so a parent loads its items' relations only when they are wanted."""

    def within(selections: Sequence[Selection], rest: tuple[str, ...]) -> bool:
        for selection in selections:
            if isinstance(selection, SelectedField):
                if selection.name == rest[0] and (
                    len(rest) == 1 or within(selection.selections, rest[1:])
                ):
                    return True
            elif within(selection.selections, rest):
                return True
        return False

    return any(within(field.selections, path) for field in info.selected_fields)


def _by_id(
    ctx: Context, fetch: Callable[[AsyncSession, list[int]], Awaitable[Sequence[T]]]
) -> DataLoader[int, T | None]:
    async def load(keys: list[int]) -> list[T | None]:
        found = {row.id: row for row in await ctx.read(fetch, keys)}  # type: ignore[attr-defined]
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load)


def _grouped(
    ctx: Context,
    fetch: Callable[[AsyncSession, list[int]], Awaitable[Sequence[T]]],
    parent_of: Callable[[T], int | None],
) -> DataLoader[int, list[T]]:
    async def load(keys: list[int]) -> list[list[T]]:
        groups: dict[int | None, list[T]] = defaultdict(list)
        for row in await ctx.read(fetch, keys):
            groups[parent_of(row)].append(row)
        return [groups.get(key, []) for key in keys]

    return DataLoader(load_fn=load)


def _grouped_with_args(
    ctx: Context,
    fetch: Callable[[AsyncSession, list[int], Any], Awaitable[Sequence[T]]],
    parent_of: Callable[[T], int | None],
) -> DataLoader[Keyed[Any], list[T]]:
    async def load(keys: list[Keyed[Any]]) -> list[list[T]]:
        by_args: dict[Hashable, list[int]] = defaultdict(list)
        for key in keys:
            by_args[key.args].append(key.parent_id)
        results: dict[Keyed[Any], list[T]] = {}
        for args, parent_ids in by_args.items():
            groups: dict[int | None, list[T]] = defaultdict(list)
            for row in await ctx.read(fetch, parent_ids, args):
                groups[parent_of(row)].append(row)
            for parent_id in parent_ids:
                results[Keyed(parent_id, args)] = groups.get(parent_id, [])
        return [results[key] for key in keys]

    return DataLoader(load_fn=load)


def _counts(
    ctx: Context,
    fetch: Callable[[AsyncSession, list[int]], Awaitable[dict[int, int]]],
) -> DataLoader[int, int]:
    async def load(keys: list[int]) -> list[int]:
        counts = await ctx.read(fetch, keys)
        return [counts.get(key, 0) for key in keys]

    return DataLoader(load_fn=load)


def _counts_with_args(
    ctx: Context,
    fetch: Callable[[AsyncSession, list[int], Any], Awaitable[dict[int, int]]],
) -> DataLoader[Keyed[Any], int]:
    async def load(keys: list[Keyed[Any]]) -> list[int]:
        by_args: dict[Hashable, list[int]] = defaultdict(list)
        for key in keys:
            by_args[key.args].append(key.parent_id)
        counts: dict[Keyed[Any], int] = {}
        for args, parent_ids in by_args.items():
            found = await ctx.read(fetch, parent_ids, args)
            for parent_id in parent_ids:
                counts[Keyed(parent_id, args)] = found.get(parent_id, 0)
        return [counts[key] for key in keys]

    return DataLoader(load_fn=load)


async def _proposal_pages(
    session: AsyncSession, area_ids: list[int], args: tuple[ProposalStatus | None, Page]
) -> list[Proposal]:
    status, page = args
    return await proposals_repo.page_for_areas(
        session, area_ids, status=status, after_id=page.after_id, limit=page.limit
    )


async def _conversation_pages(
    session: AsyncSession, area_ids: list[int], page: Page
) -> list[Conversation]:
    return await conversations_repo.page_for_areas(
        session, area_ids, after_id=page.after_id, limit=page.limit
    )


async def _proposal_threads(
    session: AsyncSession, proposal_ids: list[int], page: Page
) -> list[Comment]:
    return await comments_repo.threads_for_proposals(
        session, proposal_ids, after_id=page.after_id, limit=page.limit
    )


async def _action_threads(
    session: AsyncSession, action_ids: list[int], page: Page
) -> list[Comment]:
    return await comments_repo.threads_for_actions(
        session, action_ids, after_id=page.after_id, limit=page.limit
    )


async def _rounds(
    session: AsyncSession, area_ids: list[int], state: RoundState | None
) -> list[VotingRound]:
    return await voting_repo.for_areas(session, area_ids, state)


async def _actions(
    session: AsyncSession, area_ids: list[int], status: ActionStatus | None
) -> list[Action]:
    return await actions_repo.for_areas(session, area_ids, status)


class Loaders:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.area: DataLoader[int, Area | None] = _by_id(ctx, areas_repo.by_ids)
        self.person: DataLoader[int, Person | None] = _by_id(ctx, people_repo.by_ids)
        self.proposal: DataLoader[int, Proposal | None] = _by_id(ctx, proposals_repo.by_ids)
        self.conversation: DataLoader[int, Conversation | None] = _by_id(
            ctx, conversations_repo.by_ids
        )
        self.story: DataLoader[int, Story | None] = _by_id(ctx, conversations_repo.stories_by_ids)
        self.comment: DataLoader[int, Comment | None] = _by_id(ctx, comments_repo.by_ids)
        self.round: DataLoader[int, VotingRound | None] = _by_id(ctx, voting_repo.by_ids)
        self.team: DataLoader[int, CoreTeam | None] = _by_id(ctx, teams_repo.by_ids)
        self.action: DataLoader[int, Action | None] = _by_id(ctx, actions_repo.by_ids)
        self.update: DataLoader[int, Update | None] = _by_id(ctx, actions_repo.updates_by_ids)

        self.children: DataLoader[int, list[Area]] = _grouped(
            ctx, areas_repo.children_of, lambda a: a.parent_id
        )
        self.grants: DataLoader[int, list[AreaRole]] = _grouped(
            ctx, people_repo.grants_for, lambda g: g.person_id
        )
        self.stories: DataLoader[int, list[Story]] = _grouped(
            ctx, conversations_repo.stories_for, lambda s: s.conversation_id
        )
        self.proposals_of_conversation: DataLoader[int, list[Proposal]] = _grouped(
            ctx, proposals_repo.for_conversations, lambda p: p.conversation_id
        )
        self.replies: DataLoader[int, list[Comment]] = _grouped(
            ctx, comments_repo.replies_to, lambda c: c.parent_id
        )
        self.comment_count: DataLoader[int, int] = _counts(
            ctx, comments_repo.visible_counts_for_proposals
        )
        self.teams: DataLoader[int, list[CoreTeam]] = _grouped(
            ctx, teams_repo.for_areas, lambda t: t.area_id
        )
        self.members: DataLoader[int, list[TeamMembership]] = _grouped(
            ctx, teams_repo.current_members, lambda m: m.team_id
        )
        self.updates: DataLoader[int, list[Update]] = _grouped(
            ctx, actions_repo.updates_for, lambda u: u.action_id
        )
        self.turnout: DataLoader[int, int] = _counts(ctx, voting_repo.turnouts)
        # A round's results once per request, however many aliases or fragments name it.
        self.results: DataLoader[int, RoundResults | None] = DataLoader(load_fn=self._results)
        self.snapshot: DataLoader[int, RoundSnapshot | None] = DataLoader(load_fn=self._snapshots)
        self.ballot_proposals: DataLoader[int, list[Proposal]] = DataLoader(
            load_fn=self._ballot_proposals
        )
        self.my_ballot: DataLoader[int, Ballot | None] = DataLoader(load_fn=self._my_ballots)
        self.entries: DataLoader[int, list[BallotEntry]] = _grouped(
            ctx, voting_repo.entries_of, lambda e: e.ballot_id
        )
        self.priorities: DataLoader[Keyed[bool], list[voting_repo.PriorityRow]] = DataLoader(
            load_fn=self._priorities
        )
        self.priority_action: DataLoader[tuple[int, int], Action | None] = DataLoader(
            load_fn=self._priority_actions
        )

        self.proposal_page: DataLoader[Keyed[Any], list[Proposal]] = _grouped_with_args(
            ctx, _proposal_pages, lambda p: p.area_id
        )
        self.proposal_count: DataLoader[Keyed[Any], int] = _counts_with_args(
            ctx, proposals_repo.count_for_areas
        )
        self.conversation_page: DataLoader[Keyed[Any], list[Conversation]] = _grouped_with_args(
            ctx, _conversation_pages, lambda c: c.area_id
        )
        self.proposal_threads: DataLoader[Keyed[Any], list[Comment]] = _grouped_with_args(
            ctx, _proposal_threads, lambda c: c.proposal_id
        )
        self.action_threads: DataLoader[Keyed[Any], list[Comment]] = _grouped_with_args(
            ctx, _action_threads, lambda c: c.action_id
        )
        self.rounds: DataLoader[Keyed[Any], list[VotingRound]] = _grouped_with_args(
            ctx, _rounds, lambda r: r.area_id
        )
        self.actions: DataLoader[Keyed[Any], list[Action]] = _grouped_with_args(
            ctx, _actions, lambda a: a.area_id
        )

    @cached_property
    def plan(self) -> ActionLoaders:
        """The action plan's loaders (health, milestones, history, the board's view)."""
        from schema.actions.loaders import ActionLoaders

        return ActionLoaders(self.ctx)

    @cached_property
    def talk(self) -> ConversationLoaders:
        """What the room said, conversations' records, moderation and the city's stages."""
        from schema.answers.loaders import ConversationLoaders

        return ConversationLoaders(self.ctx)

    async def _snapshots(self, round_ids: list[int]) -> list[RoundSnapshot | None]:
        found = {s.round_id: s for s in await self.ctx.read(voting_repo.snapshots, round_ids)}
        return [found.get(round_id) for round_id in round_ids]

    async def _results(self, round_ids: list[int]) -> list[RoundResults | None]:
        actor = self.ctx.require_actor()
        shared = getattr(self.ctx.request.app.state, "live_results", None)
        answers: list[RoundResults | None] = []
        for voting_round in await self.round.load_many(round_ids):
            assert voting_round is not None
            answers.append(
                await self.ctx.read(voting_service.results_for, actor, voting_round, shared)
            )
        return answers

    async def _ballot_proposals(self, round_ids: list[int]) -> list[list[Proposal]]:
        groups: dict[int, list[Proposal]] = defaultdict(list)
        for round_id, proposal in await self.ctx.read(voting_repo.ballot_proposals, round_ids):
            groups[round_id].append(proposal)
        return [groups.get(round_id, []) for round_id in round_ids]

    async def _my_ballots(self, round_ids: list[int]) -> list[Ballot | None]:
        actor = self.ctx.require_actor()
        found = {
            b.round_id: b
            for b in await self.ctx.read(voting_repo.ballots_of, round_ids, actor.person_id)
        }
        return [found.get(round_id) for round_id in round_ids]

    async def _priorities(self, keys: list[Keyed[bool]]) -> list[list[voting_repo.PriorityRow]]:
        actor = self.ctx.require_actor()
        return await self.ctx.read(
            voting_service.area_priorities, actor, [(k.parent_id, k.args) for k in keys]
        )

    async def _priority_actions(self, keys: list[tuple[int, int]]) -> list[Action | None]:
        # Adopted actions come with their health (effective RAG, flags) in one statement.
        return list(await self.plan.priority_action.load_many(keys))
