"""Email against a real SMTP server process (aiosmtpd): the right people get the right
message once, by the route they chose; unsubscribing needs no sign-in; digests group;
two workers never send twice; an outage is retried and nothing is lost."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from datetime import datetime

import httpx
import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.config import Settings
from server.db import create_engine, create_sessionmaker
from server.jobs import repository as jobs
from server.jobs.models import Job, JobState
from server.jobs.worker import RetryPolicy
from server.notifications import repository as notifications_repo
from server.notifications.delivery import DIGESTS_TASK, due_digests
from server.notifications.events import SEND_TASK
from server.notifications.models import EmailDelivery, NotificationKind
from server.people.models import Person, Role
from tests.mail_support import SmtpServer, html, plain
from tests.notification_support import jobs_by_state, notifications_of, worker
from tests.support import Api, Someone, World

SITE = "https://levelground.example"


@pytest.fixture
def settings(settings: Settings, smtp_server: SmtpServer) -> Settings:
    return settings.model_copy(
        update={
            "smtp_url": smtp_server.url,
            "public_url": SITE,
            "mail_from": "Levelground <hello@levelground.example>",
        }
    )


async def choose(api: Api, person: Someone, kind: str, email: str) -> None:
    await api.ok(
        "setNotificationPreference",
        {"kind": kind, "email": email},
        as_=person,
        returning="preferences { kind }",
    )


async def digest(api: Api, route: EmailDelivery, until: datetime | None = None) -> None:
    """Start a digest run, as the worker's clock would."""
    moment = (until or clock.now()).isoformat()

    async def work(session: AsyncSession) -> None:
        await jobs.enqueue(
            session, [jobs.NewJob(DIGESTS_TASK, {"route": route.value, "until": moment})]
        )

    await api.run(work)


def to(message: object) -> str:
    return str(message["To"])  # type: ignore[index]


async def team_and_action(api: Api, world: World, proposal: str, round_id: str) -> str:
    team = (
        await api.ok(
            "createCoreTeam",
            {"areaSlug": "willenhall", "name": "Core team"},
            as_=world.facilitator,
            returning="team { id }",
        )
    )["team"]["id"]
    action = await api.ok(
        "adoptPriority",
        {"roundId": round_id, "proposalId": proposal, "teamId": team},
        as_=world.facilitator,
        returning="action { id }",
    )
    action_id: str = action["action"]["id"]
    return action_id


async def test_adopting_updating_and_publishing_reach_people_by_their_route(
    api: Api, smtp_server: SmtpServer
) -> None:
    world = await World(api).build()
    # Gita wants results and news at once; Rita keeps the defaults (digests).
    await choose(api, world.gp, "RESULTS_PUBLISHED", "IMMEDIATE")
    await choose(api, world.gp, "ACTION_UPDATED", "IMMEDIATE")
    proposal = await world.proposal("A walking group")
    round_id = await world.round([proposal])
    await world.cast(round_id, world.resident, {"proposalId": proposal})
    await world.cast(round_id, world.gp, {"proposalId": proposal})
    await world.close(round_id)
    action = await team_and_action(api, world, proposal, round_id)
    await api.ok(
        "postUpdate",
        {"actionId": action, "kind": "PROGRESS", "body": "We found a room."},
        as_=world.facilitator,
        returning="update { id }",
    )
    assert await worker(api).run_until_idle() == 3
    gita = f"Gita GP <{await _address(api, world.gp)}>"
    rita = f"Rita Resident <{await _address(api, world.resident)}>"
    received = {(to(m), str(m["Subject"])) for m in await smtp_server.wait_for(3)}
    assert received == {
        (gita, "Results of votes you took part in"),
        (rita, "Your idea was adopted"),
        (gita, "News of actions you care about"),
    }
    # Rita's vote opening and results wait for her daily summary, the news for her weekly.
    await digest(api, EmailDelivery.DAILY)
    await worker(api).run_until_idle()
    await digest(api, EmailDelivery.WEEKLY)
    await worker(api).run_until_idle()
    await asyncio.sleep(0.3)
    hers = [m for m in smtp_server.messages() if to(m) == rita]
    daily = [m for m in hers if m["Subject"] == "Your daily summary from Levelground"]
    weekly = [m for m in hers if m["Subject"] == "Your weekly summary from Levelground"]
    assert len(hers) == 3
    assert len(daily) == 1
    assert len(weekly) == 1
    assert "A vote has opened in Willenhall" in plain(daily[0])
    assert "The results of “Which first?” are out" in plain(daily[0])
    assert "We found a room." in plain(weekly[0])


async def _address(api: Api, person: Someone) -> str:
    async def work(session: AsyncSession) -> str:
        found = await session.get(Person, person.person_id)
        assert found is not None
        assert found.email is not None
        return found.email

    return await api.run(work)


async def _adopted_email(api: Api, smtp_server: SmtpServer) -> tuple[World, str]:
    world = await World(api).build()
    proposal = await world.proposal("A walking group")
    round_id = await world.round([proposal])
    await world.cast(round_id, world.gp, {"proposalId": proposal})
    await world.close(round_id)
    action = await team_and_action(api, world, proposal, round_id)
    # One attempt each, whatever happens: retries wait a second.
    await worker(api, retry=RetryPolicy(base=1, cap=1)).run_until_idle()
    return world, action


async def test_an_email_has_text_html_and_a_one_click_unsubscribe(
    api: Api, smtp_server: SmtpServer
) -> None:
    world, _ = await _adopted_email(api, smtp_server)
    (message,) = await smtp_server.wait_for(1)
    address = await _address(api, world.resident)
    assert message["To"].addresses[0].addr_spec == address
    assert message["From"] == "Levelground <hello@levelground.example>"
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["Content-Language"] == "en"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = re.fullmatch(r"<(https://\S+)>", message["List-Unsubscribe"])
    assert unsubscribe is not None
    assert unsubscribe.group(1).startswith(f"{SITE}/notifications/unsubscribe/")
    text, page = plain(message), html(message)
    for body in (text, page):
        assert "Your idea “A walking group” was adopted" in body
        assert f"{SITE}/notifications/preferences" in body
        assert unsubscribe.group(1) in body
    assert '<html lang="en">' in page
    (notification,) = [
        n
        for n in await notifications_of(api, world.resident)
        if n.kind is NotificationKind.PROPOSAL_ADOPTED
    ]
    assert f"{SITE}/notifications/{notification.id}" in text
    # Nobody else's address, role or organisation: the only addresses are the
    # recipient's and ours.
    raw = bytes(message).decode()
    others = set(re.findall(r"[\w.+-]+@[\w.-]+", raw)) - {address, "hello@levelground.example"}
    assert {o for o in others if not o.endswith("levelground.example")} == set()
    for word in ("facilitator", "professional", "Fay Facilitator", "admin"):
        assert word not in raw


async def test_unsubscribing_works_in_one_click_without_signing_in(
    api: Api, smtp_server: SmtpServer
) -> None:
    world, _ = await _adopted_email(api, smtp_server)
    (message,) = await smtp_server.wait_for(1)
    link = message["List-Unsubscribe"].strip("<>").removeprefix(SITE)
    # A fresh client: no session cookie, no CSRF token, as a mail provider posts it.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=api.app), base_url="http://testserver"
    ) as stranger:
        asked = await stranger.get(link)
        assert asked.status_code == 200
        assert "Stop these emails" in asked.text
        assert await _choice(api, world.resident, NotificationKind.PROPOSAL_ADOPTED) == (
            EmailDelivery.IMMEDIATE
        )
        done = await stranger.post(
            link,
            content=b"List-Unsubscribe=One-Click",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert done.status_code == 200
        assert "You will get no more of these emails" in done.text
        again = await stranger.post(link, content=b"List-Unsubscribe=One-Click")
        assert again.status_code == 200
        forged = await stranger.post(link[:-3] + "xyz")
        assert forged.status_code == 404
    assert (
        await _choice(api, world.resident, NotificationKind.PROPOSAL_ADOPTED) is EmailDelivery.OFF
    )
    # Other kinds are untouched; the next adoption shows in the list but sends nothing.
    assert await _choice(api, world.resident, NotificationKind.PROPOSAL_DECLINED) is (
        EmailDelivery.IMMEDIATE
    )
    second = await world.proposal("A community garden")
    round_id = await world.round([second])
    await world.cast(round_id, world.gp, {"proposalId": second})
    await world.close(round_id)
    await api.ok(
        "adoptPriority",
        {"roundId": round_id, "proposalId": second},
        as_=world.facilitator,
        returning="action { id }",
    )
    await worker(api).run_until_idle()
    await asyncio.sleep(0.3)
    assert len(smtp_server.messages()) == 1
    adopted = [
        n
        for n in await notifications_of(api, world.resident)
        if n.kind is NotificationKind.PROPOSAL_ADOPTED
    ]
    assert len(adopted) == 2


async def _choice(api: Api, person: Someone, kind: NotificationKind) -> EmailDelivery:
    async def work(session: AsyncSession) -> EmailDelivery:
        return (await notifications_repo.preferences(session, person.person_id))[kind]

    return await api.run(work)


async def test_turning_email_off_stops_what_was_already_waiting(
    api: Api, smtp_server: SmtpServer
) -> None:
    world = await World(api).build()
    await world.round([await world.proposal()])
    await choose(api, world.resident, "ROUND_OPENED", "OFF")
    await digest(api, EmailDelivery.DAILY)
    await worker(api).run_until_idle()
    await smtp_server.wait_for(2)
    await asyncio.sleep(0.3)
    assert {to(m).split(" <")[0] for m in smtp_server.messages()} == {"Gita GP", "Ada Admin"}
    (waiting,) = await notifications_of(api, world.resident)
    assert waiting.email_route is None  # in her list, never to be emailed
    assert waiting.emailed_at is None


async def test_emails_are_written_in_the_persons_language(
    api: Api, smtp_server: SmtpServer
) -> None:
    world = await World(api).build()

    async def polish(session: AsyncSession) -> None:
        await notifications_repo.set_language(session, world.resident.person_id, "pl")

    await api.run(polish)
    await world.round([await world.proposal()])
    await digest(api, EmailDelivery.DAILY)
    await worker(api).run_until_idle()
    received = {to(m).split(" <")[0]: m for m in await smtp_server.wait_for(2)}
    polish_mail, english_mail = received["Rita Resident"], received["Gita GP"]
    assert polish_mail["Content-Language"] == "pl"
    assert polish_mail["Subject"] == "Twoje codzienne podsumowanie z Levelground"
    assert "Głosowanie otwarte w Willenhall" in plain(polish_mail)
    assert '<html lang="pl">' in html(polish_mail)
    assert english_mail["Subject"] == "Your daily summary from Levelground"


async def test_digests_group_by_kind_once_and_leave_other_routes(
    api: Api, smtp_server: SmtpServer
) -> None:
    world = await World(api).build()
    await choose(api, world.resident, "COMMENT_REPLY", "WEEKLY")
    first = await world.proposal("One", by=world.gp)
    voted = await world.round([first])
    await world.cast(voted, world.resident, {"proposalId": first})
    await world.close(voted)
    await world.round([await world.proposal("Two", by=world.gp)])
    parent = (
        await api.ok(
            "addComment",
            {"subjectId": first, "body": "Tuesdays?"},
            as_=world.resident,
            returning="comment { id }",
        )
    )["comment"]["id"]
    await api.ok(
        "addComment",
        {"subjectId": first, "parentId": parent, "body": "Yes."},
        as_=world.gp,
        returning="comment { id }",
    )
    until = clock.now()
    await world.round([await world.proposal("Three", by=world.gp)])
    await digest(api, EmailDelivery.DAILY, until)
    await worker(api).run_until_idle()
    mine = [m for m in await smtp_server.wait_for(2) if "Rita" in to(m)]
    assert len(mine) == 1
    text = plain(mine[0])
    # One section per kind, in the order kinds are listed; both openings under one.
    assert text.count("Votes that opened\n") == 1
    assert text.count("A vote has opened in Willenhall") == 2
    assert text.index("Votes that opened") < text.index("Results of votes you took part in")
    # The reply goes in the weekly summary; the third vote opened after this digest's
    # moment and waits for the next one.
    assert "replied" not in text
    assert text.count("A vote has opened") == 2
    # Running the same digest again sends nothing more.
    await digest(api, EmailDelivery.DAILY, until)
    await worker(api).run_until_idle()
    await asyncio.sleep(0.3)
    assert len([m for m in smtp_server.messages() if "Rita" in to(m)]) == 1
    await digest(api, EmailDelivery.WEEKLY)
    await worker(api).run_until_idle()
    weekly = [m for m in await smtp_server.wait_for(3) if "Rita" in to(m)]
    assert len(weekly) == 2
    assert any("Gita GP replied to your comment on “One”." in plain(m) for m in weekly)


async def test_two_workers_never_send_twice(
    api: Api, smtp_server: SmtpServer, database_url: str, settings: Settings
) -> None:
    world = await World(api).build()
    voters = [
        await api.someone(f"Voter {i}", roles=[(Role.PARTICIPANT, "willenhall")]) for i in range(10)
    ]
    for voter in voters:
        await choose(api, voter, "ROUND_OPENED", "IMMEDIATE")
    for index in range(3):
        await world.round([await world.proposal(f"Idea {index}")])

    async def duplicate_every_send(session: AsyncSession) -> None:
        # The worst case: a second job for every notification.
        sends = await session.scalars(select(Job.args).where(Job.task == SEND_TASK))
        await jobs.enqueue(session, [jobs.NewJob(SEND_TASK, args) for args in sends.all()])

    await api.run(duplicate_every_send)
    engine = create_engine(database_url, pool_size=4)
    try:
        second = worker(api)
        second.sessionmaker = create_sessionmaker(engine)
        ran = await asyncio.gather(worker(api).run_until_idle(), second.run_until_idle())
    finally:
        await engine.dispose()
    assert sum(ran) == 60
    received = await smtp_server.wait_for(30)
    await asyncio.sleep(0.3)
    received = smtp_server.messages()
    assert len(received) == 30
    assert len({m["Message-ID"] for m in received}) == 30
    assert Counter(to(m) for m in received) == Counter(
        {f"{v.name} <{await _address(api, v)}>": 3 for v in voters}
    )
    assert await jobs_by_state(api) == {JobState.DONE: 60}


async def test_an_smtp_outage_is_retried_and_nothing_is_lost(
    api: Api, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()
    world, _ = await _adopted_email(api, smtp_server)
    (job,) = await _jobs(api, SEND_TASK)
    assert job.state is JobState.QUEUED
    assert job.attempts == 1
    assert job.last_error is not None
    assert "Connect" in job.last_error
    (adopted,) = [
        n
        for n in await notifications_of(api, world.resident)
        if n.kind is NotificationKind.PROPOSAL_ADOPTED
    ]
    assert adopted.emailed_at is None
    smtp_server.start()
    retrying = worker(api)
    for _ in range(100):
        await retrying.run_until_idle()
        if (await _jobs(api, SEND_TASK))[0].state is JobState.DONE:
            break
        await asyncio.sleep(0.05)
    (message,) = await smtp_server.wait_for(1)
    assert "Your idea “A walking group” was adopted" in plain(message)
    (job,) = await _jobs(api, SEND_TASK)
    assert job.state is JobState.DONE
    assert job.attempts >= 2
    await asyncio.sleep(0.3)
    assert len(smtp_server.messages()) == 1


async def test_a_job_that_keeps_failing_is_recorded_then_can_run_again(
    api: Api, smtp_server: SmtpServer
) -> None:
    smtp_server.stop()

    async def two_attempts(session: AsyncSession) -> None:
        await session.execute(update(Job).values(max_attempts=2))

    world, _ = await _adopted_email(api, smtp_server)
    await api.run(two_attempts)
    await asyncio.sleep(1.3)
    await worker(api).run_until_idle()
    (job,) = await _jobs(api, SEND_TASK)
    assert job.state is JobState.FAILED
    assert job.attempts == 2
    assert job.last_error
    smtp_server.start()

    async def again(session: AsyncSession) -> bool:
        return await jobs.requeue(session, job.id)

    assert await api.run(again) is True
    await worker(api).run_until_idle()
    (message,) = await smtp_server.wait_for(1)
    assert "Rita Resident" in to(message)
    assert world


async def _jobs(api: Api, task: str) -> list[Job]:
    async def work(session: AsyncSession) -> list[Job]:
        return list(
            await session.scalars(
                select(Job)
                .where(Job.task == task)
                .order_by(Job.id)
                .execution_options(populate_existing=True)
            )
        )

    return await api.run(work)


async def test_people_without_an_email_get_the_list_only(api: Api, smtp_server: SmtpServer) -> None:
    world = await World(api).build()
    joined = await api.someone("Jo Joined", roles=[(Role.PARTICIPANT, "willenhall")])
    await choose(api, joined, "ROUND_OPENED", "IMMEDIATE")

    async def by_code(session: AsyncSession) -> None:
        await session.execute(
            update(Person).where(Person.id == joined.person_id).values(email=None)
        )

    await api.run(by_code)
    await world.round([await world.proposal()])
    (notification,) = await notifications_of(api, joined)
    assert notification.email_route is None
    assert await _jobs(api, SEND_TASK) == []


def test_due_digests_follow_the_local_clock() -> None:
    daily, weekly = due_digests(datetime.fromisoformat("2026-07-01T07:30:00+00:00"), 8)
    # 08:30 in London (summer time): today's 08:00 local is 07:00 UTC.
    assert daily == (EmailDelivery.DAILY, datetime.fromisoformat("2026-07-01T07:00:00+00:00"))
    assert weekly == (EmailDelivery.WEEKLY, datetime.fromisoformat("2026-06-29T07:00:00+00:00"))
    earlier, _ = due_digests(datetime.fromisoformat("2026-12-01T07:59:00+00:00"), 8)
    assert earlier == (EmailDelivery.DAILY, datetime.fromisoformat("2026-11-30T08:00:00+00:00"))


def test_a_digest_names_ten_of_a_kind_and_says_how_many_more() -> None:
    from server.notifications.models import Notification
    from web.notifications import mail

    person = Person(id=1, display_name="Rita Resident", email="rita@example.org", language="en")
    openings = [
        Notification(
            id=index,
            person_id=1,
            kind=NotificationKind.ROUND_OPENED,
            subject_type="VotingRound",
            subject_id=index,
            actor_id=None,
            link=f"/rounds/{index}",
            params={"round": f"Vote {index}", "area": "Willenhall"},
        )
        for index in range(1, 13)
    ]
    letter = mail.Letter(
        sender="Levelground <hello@levelground.example>",
        base_url=SITE,
        unsubscribe_url=f"{SITE}/notifications/unsubscribe/t",
        message_id="<d@levelground.example>",
    )
    message = mail.compose(person, openings, {}, EmailDelivery.DAILY, letter, clock.now())
    for body in (plain(message), html(message)):
        assert "“Vote 10”" in body
        assert "“Vote 11”" not in body
        assert "And 2 more of these." in body
        assert f"{SITE}/notifications" in body
