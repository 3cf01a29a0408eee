from __future__ import annotations

import strawberry

from schema.actions.types import UpdateType
from schema.base import Info, require_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.actions import service as actions
from server.actions.models import ActionStatus, Rag, UpdateKind


@strawberry.input(name="PostUpdateInput")
class PostUpdateInput:
    action_id: strawberry.ID
    kind: UpdateKind
    body: str
    percent_complete: int | None = None
    status: ActionStatus | None = None
    rag: Rag | None = None
    closing_statement: str | None = strawberry.field(
        default=None,
        description='With status DONE or DROPPED: the public "you said, we did" line '
        "(defaults to the body).",
    )


@strawberry.type(name="PostUpdatePayload")
class PostUpdatePayload:
    update: UpdateType | None
    errors: list[UserError]


async def post_update(info: Info, input: PostUpdateInput) -> PostUpdatePayload:
    """Work out loud on an action (its core team, or facilitators of its area)."""
    result = await mutate(
        info,
        lambda session, actor: actions.post_update(
            session,
            actor,
            action_id=require_id(input.action_id, "Action", ["actionId"]),
            kind=input.kind,
            body=input.body,
            percent_complete=input.percent_complete,
            status=input.status,
            rag=input.rag,
            closing_statement=input.closing_statement,
        ),
    )
    if isinstance(result, Failed):
        return PostUpdatePayload(update=None, errors=result.errors)
    return PostUpdatePayload(update=UpdateType.of(result), errors=[])
