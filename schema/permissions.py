"""The one place the GraphQL layer asks who may see what. The rules themselves live in
server/ (server.access and each domain's service); these only put them to the viewer.
"""

from __future__ import annotations

from typing import Any

from strawberry.permission import BasePermission

from schema.base import Info
from server.answers import service as answers
from server.answers.models import Answer
from server.audit import service as audit
from server.audit.models import AuditEvent
from server.conversations import service as conversations
from server.conversations.models import Conversation, Story
from server.errors import ErrorCode
from server.moderation import service as moderation
from server.moderation.models import Report
from server.people import service as people
from server.people.models import Role


class IsAuthenticated(BasePermission):
    """Signed in, or an API token with the read scope."""

    message = "Sign in, or send an API token, to read this."
    error_extensions = {"code": ErrorCode.UNAUTHENTICATED.value}

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return info.context.actor is not None


async def may_see_private_details(info: Info, person_id: int) -> bool:
    """Kind and roles: the person themself and their admins ("lanyards off")."""
    actor = info.context.require_actor()
    return await info.context.read(people.can_see_kind, actor, person_id)


async def may_see_join_code(info: Info, conversation: Conversation) -> bool:
    actor = info.context.require_actor()
    return await info.context.read(conversations.can_see_join_code, actor, conversation)


async def may_read_story_body(info: Info, story: Story, area_id: int) -> bool:
    actor = info.context.require_actor()
    return await info.context.read(conversations.can_read_story_body, actor, story, area_id)


async def audit_events(
    info: Info, area_id: int | None, after_id: int | None, limit: int
) -> list[AuditEvent] | None:
    """The audit log as far as the viewer may read it; None when not at all."""
    actor = info.context.require_actor()
    return await info.context.read(
        audit.events, actor, area_id=area_id, after_id=after_id, limit=limit
    )


async def sees_every_answer(info: Info, area_id: int) -> bool:
    actor = info.context.require_actor()
    return await info.context.read(answers.sees_every_answer, actor, area_id)


async def reports(info: Info, area_id: int, *, open_only: bool) -> list[Report] | None:
    actor = info.context.require_actor()
    return await info.context.read(moderation.reports, actor, area_id, open_only=open_only)


async def may_read_answer(info: Info, answer: Answer) -> bool:
    """Its author and the facilitators of its conversation's area."""
    actor = info.context.require_actor()
    conversation = await info.context.loaders.conversation.load(answer.conversation_id)
    assert conversation is not None
    return await info.context.read(answers.can_read, actor, answer, conversation.area_id)


async def may_moderate(info: Info, area_id: int) -> bool:
    actor = info.context.require_actor()
    return await info.context.read(actor.has_role, area_id, Role.FACILITATOR)
