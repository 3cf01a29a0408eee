"""Email delivery as background jobs: one message per notification for those who want
it at once, and daily and weekly digests.

Each job runs in one transaction holding the notifications' row locks: the message is
sent, then the notifications are marked emailed, and both commit with the job. So
however many workers run, a notification is emailed once; if the mail server is down
the job fails, nothing is marked, and it is retried with back-off.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parseaddr
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.config import Settings
from server.jobs import repository as jobs
from server.jobs.worker import Handler, Tick
from server.notifications import repository, tokens
from server.notifications.events import SEND_TASK
from server.notifications.mailer import Mailer
from server.notifications.models import EmailDelivery, Notification
from server.people import repository as people_repo
from server.people.models import Person
from web.notifications import mail

DIGESTS_TASK = "notifications.digests"
DIGEST_TASK = "notifications.digest"
PRUNE_TASK = "jobs.prune"
# Digests go out at the configured hour by the community centre's clock; weekly ones
# on Mondays.
LOCAL_TIME = ZoneInfo("Europe/London")
KEEP_DONE_JOBS = timedelta(days=30)


def due_digests(now: datetime, hour: int) -> list[tuple[EmailDelivery, datetime]]:
    """The latest daily and weekly digest moments at or before ``now`` (UTC)."""
    local = now.astimezone(LOCAL_TIME)
    daily = local.replace(hour=hour, minute=0, second=0, microsecond=0)
    if daily > local:
        daily -= timedelta(days=1)
    weekly = daily - timedelta(days=daily.weekday())
    # Counted in local wall-clock time, so a digest keeps its hour when the clocks change.
    return [
        (EmailDelivery.DAILY, daily.astimezone(UTC)),
        (EmailDelivery.WEEKLY, weekly.astimezone(UTC)),
    ]


@dataclass
class Delivery:
    settings: Settings
    mailer: Mailer

    def handlers(self) -> dict[str, Handler]:
        return {
            SEND_TASK: self.send_one,
            DIGESTS_TASK: self.start_digests,
            DIGEST_TASK: self.send_digest,
            PRUNE_TASK: self.prune,
        }

    def ticks(self) -> list[Tick]:
        return [self.schedule]

    async def schedule(self, session: AsyncSession) -> None:
        """Enqueue the digests due by now, and the day's tidy-up. Keyed, so every worker
        may do this and each happens once."""
        now = clock.now()
        due = [
            jobs.NewJob(
                DIGESTS_TASK,
                {"route": route.value, "until": until.isoformat()},
                key=f"digests:{route.value}:{until.isoformat()}",
            )
            for route, until in due_digests(now, self.settings.digest_hour)
        ]
        due.append(jobs.NewJob(PRUNE_TASK, {}, key=f"prune:{now.date().isoformat()}"))
        await jobs.enqueue(session, due)

    async def start_digests(self, session: AsyncSession, args: dict[str, Any]) -> None:
        """One digest job per person with something waiting for this digest."""
        route = EmailDelivery(args["route"])
        until = datetime.fromisoformat(args["until"])
        await jobs.enqueue(
            session,
            [
                jobs.NewJob(
                    DIGEST_TASK,
                    {"person_id": person_id, "route": route.value, "until": until.isoformat()},
                    key=f"digest:{route.value}:{until.isoformat()}:{person_id}",
                )
                for person_id in await repository.waiting_for_digest(session, route, until)
            ],
        )

    async def send_one(self, session: AsyncSession, args: dict[str, Any]) -> None:
        notification = await repository.for_email(session, int(args["notification_id"]))
        if notification is None:
            return  # emailed already, or no longer to be
        await self._send(session, notification.person_id, [notification], EmailDelivery.IMMEDIATE)

    async def send_digest(self, session: AsyncSession, args: dict[str, Any]) -> None:
        route = EmailDelivery(args["route"])
        person_id = int(args["person_id"])
        waiting = await repository.digest_of(
            session, person_id, route, datetime.fromisoformat(args["until"])
        )
        if waiting:
            await self._send(session, person_id, waiting, route)

    async def _send(
        self,
        session: AsyncSession,
        person_id: int,
        waiting: Sequence[Notification],
        route: EmailDelivery,
    ) -> None:
        """Send what the person still wants by email (turning a kind off, or losing the
        address, since it was made stops it), and mark it emailed."""
        person = await people_repo.by_id(session, person_id)
        assert person is not None
        chosen = await repository.preferences(session, person_id)
        wanted = [n for n in waiting if person.email and chosen[n.kind] is not EmailDelivery.OFF]
        unwanted = [n.id for n in waiting if n not in wanted]
        await repository.drop_email(session, unwanted)
        if not wanted:
            return
        names = await repository.display_names(
            session, [n.actor_id for n in wanted if n.actor_id is not None]
        )
        now = clock.now()
        message = mail.compose(
            person, wanted, names, route, self._letter(person, wanted, route), now
        )
        await self.mailer.send(message)
        await repository.mark_emailed(session, [n.id for n in wanted], now)

    def _letter(
        self, person: Person, wanted: Sequence[Notification], route: EmailDelivery
    ) -> mail.Letter:
        base = self.settings.base_url
        if route is EmailDelivery.IMMEDIATE:
            stop = tokens.Unsubscribe(person.id, kind=wanted[0].kind)
            local_part = f"notification-{wanted[0].id}"
        else:
            stop = tokens.Unsubscribe(person.id, digest=route)
            local_part = f"digest-{route.value}-{person.id}-{wanted[-1].id}"
        token = tokens.sign(self.settings.effective_secret_key, stop)
        domain = parseaddr(self.settings.mail_from)[1].rpartition("@")[2] or "localhost"
        return mail.Letter(
            sender=self.settings.mail_from,
            base_url=base,
            unsubscribe_url=f"{base}/notifications/unsubscribe/{token}",
            # The same notification always has the same Message-ID, so should a
            # delivery ever be repeated (a crash between the server's "sent" and our
            # commit), mail clients show it once.
            message_id=f"<{local_part}@{domain}>",
        )

    async def prune(self, session: AsyncSession, args: dict[str, Any]) -> None:
        await jobs.prune_done(session, clock.now() - KEEP_DONE_JOBS)
