"""``levelground serve`` runs a worker in the app: woken by NOTIFY when a job commits."""

from __future__ import annotations

import time

import pytest

from server.config import Settings
from tests.mail_support import SmtpServer
from tests.support import Api, World


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(update={"smtp_url": smtp_server.url, "run_worker": True})


async def test_the_apps_own_worker_sends_at_once_when_woken(
    api: Api, smtp_server: SmtpServer
) -> None:
    world = await World(api).build()
    await api.ok(
        "setNotificationPreference",
        {"kind": "ROUND_OPENED", "email": "IMMEDIATE"},
        as_=world.resident,
        returning="preferences { kind }",
    )
    started = time.monotonic()
    await world.round([await world.proposal("A walking group", by=world.gp)])
    (message,) = await smtp_server.wait_for(1, within=10)
    # Woken by NOTIFY on commit, well before the 5-second poll.
    assert time.monotonic() - started < 4
    assert "A vote has opened in Willenhall" in str(message.get_body(("plain",)))
