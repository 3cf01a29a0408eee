"""The background worker as ``levelground worker`` and ``levelground serve`` run it."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from server.config import Settings
from server.events import EventHub
from server.jobs.worker import Worker
from server.notifications.delivery import Delivery
from server.notifications.mailer import Mailer, mailer_for


def build_worker(
    settings: Settings,
    sessionmaker: async_sessionmaker[AsyncSession],
    *,
    hub: EventHub | None = None,
    mailer: Mailer | None = None,
) -> Worker:
    delivery = Delivery(settings, mailer or mailer_for(settings.smtp_url, settings.outbox_dir))
    return Worker(
        sessionmaker,
        delivery.handlers(),
        ticks=delivery.ticks(),
        concurrency=settings.worker_concurrency,
        hub=hub,
    )
