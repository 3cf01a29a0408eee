from __future__ import annotations

import strawberry

from schema.base import Info
from schema.errors import UserError
from schema.mutation import Failed, mutate
from schema.notifications.types import NotificationPreferenceType, preference_list
from server.notifications import service as notifications
from server.notifications.models import EmailDelivery, NotificationKind


@strawberry.input(name="SetNotificationPreferenceInput")
class SetNotificationPreferenceInput:
    kind: NotificationKind
    email: EmailDelivery


@strawberry.type(name="SetNotificationPreferencePayload")
class SetNotificationPreferencePayload:
    preferences: list[NotificationPreferenceType]
    errors: list[UserError]


async def set_notification_preference(
    info: Info, input: SetNotificationPreferenceInput
) -> SetNotificationPreferencePayload:
    """How you hear about one kind of thing by email: at once, daily, weekly, or not.
    Your in-app list always has everything."""
    result = await mutate(
        info,
        lambda session, actor: notifications.set_preferences(
            session, actor, {input.kind: input.email}
        ),
    )
    if isinstance(result, Failed):
        actor = info.context.actor
        current = (
            preference_list(await info.context.read(notifications.preferences, actor.person_id))
            if actor
            else []
        )
        return SetNotificationPreferencePayload(preferences=current, errors=result.errors)
    return SetNotificationPreferencePayload(preferences=preference_list(result), errors=[])
