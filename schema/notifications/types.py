from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import strawberry

from schema.base import Info, Node, PageInfo, encode_cursor, gid, page, split_page
from server.notifications import service as notifications
from server.notifications.models import EmailDelivery, Notification, NotificationKind
from web import i18n
from web.notifications import words

strawberry.enum(NotificationKind, name="NotificationKind")
strawberry.enum(EmailDelivery, name="EmailDelivery")


@strawberry.type(name="Notification", description="Something that happened to what you said.")
class NotificationType(Node):
    id: strawberry.ID
    kind: NotificationKind
    read: bool
    created_at: datetime
    model: strawberry.Private[Notification]

    @classmethod
    def of(cls, notification: Notification) -> NotificationType:
        return cls(
            id=gid("Notification", notification.id),
            kind=notification.kind,
            read=notification.read_at is not None,
            created_at=notification.created_at,
            model=notification,
        )

    @strawberry.field(
        description="Plain words, in the person's language; names only, never a role or "
        "organisation."
    )
    async def message(self, info: Info) -> str:
        loaders = info.context.loaders
        person = await loaders.person.load(self.model.person_id)
        actor = await loaders.person.load(self.model.actor_id) if self.model.actor_id else None
        with i18n.speaking(person.language if person else None):
            return words.message(self.model, actor.display_name if actor else None)

    @strawberry.field(
        description="What it is about (a Proposal, VotingRound, Action, Update, Comment or "
        "Report); null when that is gone."
    )
    async def subject(self, info: Info) -> Node | None:
        from schema.queries import resolve_node

        return await resolve_node(info, self.model.subject_type, self.model.subject_id)

    @strawberry.field(description="The page on this site it is about (a path).")
    def link(self) -> str:
        return self.model.link


@strawberry.type(name="NotificationEdge")
class NotificationEdge:
    cursor: str
    node: NotificationType


@strawberry.type(name="NotificationConnection")
class NotificationConnection:
    edges: list[NotificationEdge]
    page_info: PageInfo
    unread_count: int

    @classmethod
    def of(
        cls, rows: Sequence[Notification], has_next: bool, unread_count: int
    ) -> NotificationConnection:
        edges = [
            NotificationEdge(cursor=encode_cursor(n.id), node=NotificationType.of(n)) for n in rows
        ]
        return cls(
            edges=edges,
            page_info=PageInfo(
                has_next_page=has_next, end_cursor=edges[-1].cursor if edges else None
            ),
            unread_count=unread_count,
        )


@strawberry.type(name="NotificationPreference")
class NotificationPreferenceType:
    kind: NotificationKind
    email: EmailDelivery


def preference_list(
    chosen: dict[NotificationKind, EmailDelivery],
) -> list[NotificationPreferenceType]:
    return [NotificationPreferenceType(kind=kind, email=chosen[kind]) for kind in NotificationKind]


def _is_viewer(info: Info, person_id: int) -> bool:
    actor = info.context.require_actor()
    return actor.person_id == person_id


async def notifications_of(
    info: Info, person_id: int, first: int | None, after: str | None, unread_only: bool | None
) -> NotificationConnection | None:
    """The person's own notifications, newest first; null for anyone else."""
    if not _is_viewer(info, person_id):
        return None
    requested = page(first, after)
    rows = await info.context.read(
        notifications.page,
        person_id,
        after_id=requested.after_id,
        limit=requested.limit,
        unread_only=bool(unread_only),
    )
    shown, more = split_page(rows, requested)
    unread = await info.context.read(notifications.unread_count, person_id)
    return NotificationConnection.of(shown, more, unread)


async def preferences_of(info: Info, person_id: int) -> list[NotificationPreferenceType] | None:
    if not _is_viewer(info, person_id):
        return None
    return preference_list(await info.context.read(notifications.preferences, person_id))


async def own_notification(info: Info, pk: int) -> NotificationType | None:
    """``node(id:)`` of a notification: its person's only."""
    actor = info.context.require_actor()
    found = await info.context.read(notifications.own, actor.person_id, pk)
    return NotificationType.of(found) if found else None
