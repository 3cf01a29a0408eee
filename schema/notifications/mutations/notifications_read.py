from __future__ import annotations

import strawberry

from schema.base import Info, decode_id
from schema.errors import UserError
from schema.mutation import Failed, mutate
from server.notifications import service as notifications


@strawberry.input(name="MarkNotificationsReadInput")
class MarkNotificationsReadInput:
    ids: list[strawberry.ID] | None = None
    all: bool | None = strawberry.field(
        default=False, description="True: every notification of the viewer."
    )


@strawberry.type(name="MarkNotificationsReadPayload")
class MarkNotificationsReadPayload:
    unread_count: int
    errors: list[UserError]


async def mark_notifications_read(
    info: Info, input: MarkNotificationsReadInput
) -> MarkNotificationsReadPayload:
    """Mark some, or all, of your notifications read; answers how many stay unread."""
    ids = None if input.ids is None else [decode_id(i, "Notification") for i in input.ids]
    result = await mutate(
        info,
        lambda session, actor: notifications.mark_read(
            session, actor, ids, everything=bool(input.all)
        ),
    )
    if isinstance(result, Failed):
        actor = info.context.actor
        unread = (
            await info.context.read(notifications.unread_count, actor.person_id) if actor else 0
        )
        return MarkNotificationsReadPayload(unread_count=unread, errors=result.errors)
    return MarkNotificationsReadPayload(unread_count=result, errors=[])
