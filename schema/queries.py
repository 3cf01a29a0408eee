from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader

from schema import permissions
from schema.actions.types import ActionType, MilestoneType, UpdateType
from schema.answers.types import AnswerType, ThemeType
from schema.areas.types import AreaType
from schema.audit.types import AuditEventConnection
from schema.base import Info, Node, page, split_page
from schema.comments.types import CommentType
from schema.conversations.types import ConversationType, StoryType
from schema.loaders import Loaders
from schema.moderation.types import ReportType
from schema.people.types import PersonType
from schema.permissions import IsAuthenticated
from schema.privacy import types as privacy
from schema.proposals.types import ProposalType
from schema.teams.types import CoreTeamType
from schema.voting.types import VotingRoundType
from server.areas import repository as areas_repo
from server.ids import from_global_id

# How each Node type is loaded (through the request's DataLoaders) and shown. A Story
# also needs its conversation's area, for the consent-scope check its fields make.
_NODES: dict[str, tuple[Callable[[Loaders], DataLoader[int, Any]], Callable[[Any], Node]]] = {
    "Area": (lambda load: load.area, AreaType.of),
    "Person": (lambda load: load.person, PersonType.of),
    "Conversation": (lambda load: load.conversation, ConversationType.of),
    "Proposal": (lambda load: load.proposal, ProposalType.of),
    "Comment": (lambda load: load.comment, CommentType.of),
    "VotingRound": (lambda load: load.round, VotingRoundType.of),
    "CoreTeam": (lambda load: load.team, CoreTeamType.of),
    "Action": (lambda load: load.action, ActionType.of),
    "Update": (lambda load: load.update, UpdateType.of),
    "Milestone": (lambda load: load.plan.milestone, MilestoneType.of),
    "Theme": (lambda load: load.talk.theme, ThemeType.of),
}


async def resolve_node(info: Info, type_name: str, pk: int) -> Node | None:
    """Any readable object by type and primary key; None when there is no such thing."""
    loaders = info.context.loaders
    if type_name == "Notification":
        from schema.notifications.types import own_notification

        return await own_notification(info, pk)
    if type_name == "Story":
        story = await loaders.story.load(pk)
        if story is None:
            return None
        conversation = await loaders.conversation.load(story.conversation_id)
        assert conversation is not None
        return StoryType.of(story, conversation.area_id)
    if type_name == "Answer":
        answer = await loaders.talk.answer.load(pk)
        if answer is None or not await permissions.may_read_answer(info, answer):
            return None
        return AnswerType.of(answer)
    if type_name == "Report":
        report = await loaders.talk.report.load(pk)
        if report is None or not await permissions.may_moderate(info, report.area_id):
            return None
        return ReportType.of(report)
    if type_name not in _NODES:
        return None
    loader, show = _NODES[type_name]
    found = await loader(loaders).load(pk)
    return show(found) if found is not None else None


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[IsAuthenticated])
    async def node(self, info: Info, id: strawberry.ID) -> Node | None:
        decoded = from_global_id(id)
        if decoded is None:
            return None
        return await resolve_node(info, *decoded)

    @strawberry.field(description="The signed-in person, or null.")
    async def viewer(self, info: Info) -> PersonType | None:
        actor = info.context.actor
        if actor is None:
            return None
        person = await info.context.loaders.person.load(actor.person_id)
        return PersonType.of(person) if person else None

    @strawberry.field(permission_classes=[IsAuthenticated], description="Every area, by name.")
    async def areas(self, info: Info) -> list[AreaType]:
        return [AreaType.of(a) for a in await info.context.read(areas_repo.all_areas)]

    @strawberry.field(permission_classes=[IsAuthenticated])
    async def area(self, info: Info, slug: str) -> AreaType | None:
        area = await info.context.read(areas_repo.by_slug, slug)
        return AreaType.of(area) if area else None

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="The audit log, newest first: an area's (and beneath it) for its admins; "
        "without areaSlug, everything an admin of a top-level area oversees. Null for "
        "everyone else.",
    )
    async def audit_events(
        self,
        info: Info,
        area_slug: str | None = None,
        first: int | None = 20,
        after: str | None = None,
    ) -> AuditEventConnection | None:
        requested = page(first, after)
        area_id = None
        if area_slug is not None:
            area = await info.context.read(areas_repo.by_slug, area_slug)
            if area is None:
                return None
            area_id = area.id
        rows = await permissions.audit_events(info, area_id, requested.after_id, requested.limit)
        if rows is None:
            return None
        shown, more = split_page(rows, requested)
        return AuditEventConnection.of(shown, more)

    my_data = strawberry.field(
        resolver=privacy.my_data,
        permission_classes=[IsAuthenticated],
        description="Everything you contributed (the files of GET /me/export.zip).",
    )
