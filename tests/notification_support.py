"""Reading people's notifications and running the background jobs in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.background import build_worker
from server.jobs.models import Job, JobState
from server.jobs.worker import RetryPolicy, Worker
from server.notifications.mailer import Mailer
from server.notifications.models import Notification
from tests.support import Api, Someone

Json = dict[str, Any]

INBOX = """query($first: Int, $unreadOnly: Boolean) { viewer { notifications(first: $first,
  unreadOnly: $unreadOnly) { unreadCount pageInfo { hasNextPage endCursor }
  edges { node { id kind message read link createdAt subject { __typename id } } } } } }"""


async def inbox(api: Api, person: Someone, *, unread_only: bool = False) -> list[Json]:
    data = await api.data(INBOX, {"first": 100, "unreadOnly": unread_only}, as_=person)
    return [edge["node"] for edge in data["viewer"]["notifications"]["edges"]]


async def kinds(api: Api, person: Someone) -> list[str]:
    """The kinds of a person's notifications, oldest first."""
    return [n["kind"] for n in reversed(await inbox(api, person))]


def worker(api: Api, mailer: Mailer | None = None, **options: Any) -> Worker:
    """A worker on the app's database, with fast retries unless told otherwise."""
    built = build_worker(api.app.state.settings, api.app.state.sessionmaker, mailer=mailer)
    built.retry = options.pop("retry", RetryPolicy(base=0.05, cap=0.2))
    for name, value in options.items():
        setattr(built, name, value)
    return built


async def jobs_by_state(api: Api) -> dict[JobState, int]:
    async def work(session: AsyncSession) -> dict[JobState, int]:
        rows = await session.execute(select(Job.state, func.count()).group_by(Job.state))
        return dict(rows.all())

    return await api.run(work)


async def notifications_of(api: Api, person: Someone) -> list[Notification]:
    async def work(session: AsyncSession) -> list[Notification]:
        return list(
            await session.scalars(
                select(Notification)
                .where(Notification.person_id == person.person_id)
                .order_by(Notification.id)
            )
        )

    return await api.run(work)
