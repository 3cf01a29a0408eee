"""What people hear about: one function per event, called by the service that made it
happen, in its transaction (so a change and its notifications commit together).

Each works out who is concerned, leaves out whoever did it, and adds one notification
per person; those who want it at once get an email job in the same transaction.
Titles, reasons and statements are kept as they were at the moment; people are named
(display name only) when the notification is shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from server.actions import repository as actions_repo
from server.actions.health import CLOSED
from server.actions.models import Action, Update, UpdateKind
from server.areas import repository as areas_repo
from server.areas.tree import AreaTree
from server.comments import repository as comments_repo
from server.comments.models import Comment
from server.jobs import repository as jobs
from server.notifications import repository
from server.notifications.models import EmailDelivery, NotificationKind
from server.proposals import repository as proposals_repo
from server.voting import repository as voting_repo
from server.voting import results
from server.voting.models import VotingRound

# The email job for one notification (server/notifications/delivery.py runs it).
SEND_TASK = "notifications.send"
# How much of a long text (an update, an answer) goes into a notification.
EXCERPT = 300
# How many of a round's priorities its results notification names.
TOP = 3


def excerpt(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= EXCERPT else text[: EXCERPT - 1].rstrip() + "…"


async def _tell(
    session: AsyncSession,
    people: Iterable[int],
    kind: NotificationKind,
    *,
    subject: tuple[str, int],
    link: str,
    actor_id: int | None,
    params: dict[str, Any],
) -> int:
    recipients = sorted(set(people) - {actor_id} if actor_id is not None else set(people))
    made = await repository.add(
        session,
        recipients,
        kind=kind,
        subject=subject,
        actor_id=actor_id,
        link=link,
        params=params,
    )
    await jobs.enqueue(
        session,
        [
            jobs.NewJob(SEND_TASK, {"notification_id": notification_id})
            for notification_id, route in made
            if route is EmailDelivery.IMMEDIATE
        ],
    )
    return len(made)


async def _ancestors(session: AsyncSession, area_id: int) -> list[int]:
    return list(AreaTree(await areas_repo.parent_map(session)).ancestors(area_id))


async def _area_name(session: AsyncSession, area_id: int) -> tuple[str, str]:
    (area,) = await areas_repo.by_ids(session, [area_id])
    return area.name, area.slug


async def round_opened(
    session: AsyncSession, actor_id: int | None, voting_round: VotingRound
) -> int:
    """Everyone taking part in the round's area may vote now."""
    name, _ = await _area_name(session, voting_round.area_id)
    return await _tell(
        session,
        await repository.taking_part(session, await _ancestors(session, voting_round.area_id)),
        NotificationKind.ROUND_OPENED,
        subject=("VotingRound", voting_round.id),
        link=f"/rounds/{voting_round.id}",
        actor_id=actor_id,
        params={
            "round": voting_round.title,
            "area": name,
            "closes_at": voting_round.closes_at.isoformat() if voting_round.closes_at else None,
        },
    )


async def results_published(
    session: AsyncSession, actor_id: int | None, voting_round: VotingRound
) -> int:
    """The people who voted, once the results are theirs to see (never while sealed)."""
    if not results.is_unsealed(voting_round, has_own_ballot=False):
        return 0
    priorities = sorted(
        await voting_repo.priorities_for(session, [voting_round.id]), key=lambda p: p.rank
    )[:TOP]
    titles = {
        p.id: p.title
        for p in await proposals_repo.by_ids(session, [p.proposal_id for p in priorities])
    }
    voted = await repository.voters(session, voting_round.id)
    return await _tell(
        session,
        voted,
        NotificationKind.RESULTS_PUBLISHED,
        subject=("VotingRound", voting_round.id),
        link=f"/rounds/{voting_round.id}/results",
        actor_id=actor_id,
        params={
            "round": voting_round.title,
            "turnout": len(voted),
            "top": [titles[p.proposal_id] for p in priorities],
        },
    )


async def priority_adopted(session: AsyncSession, actor_id: int | None, action: Action) -> int:
    """The idea's author hears it became an action; without a lead, the facilitators
    hear that it needs one."""
    told = 0
    if action.proposal_id is not None:
        proposal = await proposals_repo.by_id(session, action.proposal_id)
        assert proposal is not None
        told += await _tell(
            session,
            [proposal.author_id],
            NotificationKind.PROPOSAL_ADOPTED,
            subject=("Action", action.id),
            link=f"/actions/{action.id}",
            actor_id=actor_id,
            params={"proposal": proposal.title, "action": action.title},
        )
    if action.lead_id is None:
        told += await actions_need_lead(session, actor_id, [action.id])
    return told


async def proposal_declined(
    session: AsyncSession, actor_id: int | None, proposal_id: int, reason: str
) -> int:
    proposal = await proposals_repo.by_id(session, proposal_id)
    assert proposal is not None
    return await _tell(
        session,
        [proposal.author_id],
        NotificationKind.PROPOSAL_DECLINED,
        subject=("Proposal", proposal.id),
        link=f"/proposals/{proposal.id}",
        actor_id=actor_id,
        params={"proposal": proposal.title, "reason": reason},
    )


async def proposal_merged(
    session: AsyncSession, actor_id: int | None, proposal_id: int, into_id: int
) -> int:
    """The author hears where the conversation about their idea goes on."""
    proposal = await proposals_repo.by_id(session, proposal_id)
    into = await proposals_repo.by_id(session, into_id)
    assert proposal is not None
    assert into is not None
    return await _tell(
        session,
        [proposal.author_id],
        NotificationKind.PROPOSAL_MERGED,
        subject=("Proposal", into.id),
        link=f"/proposals/{into.id}",
        actor_id=actor_id,
        params={"proposal": proposal.title, "into": into.title},
    )


def comment_link(comment: Comment) -> str:
    if comment.proposal_id is not None:
        return f"/proposals/{comment.proposal_id}#comment-{comment.id}"
    return f"/actions/{comment.action_id}#comment-{comment.id}"


async def _comment_context(session: AsyncSession, comment: Comment) -> str:
    """The title of what the comment is about."""
    if comment.proposal_id is not None:
        proposal = await proposals_repo.by_id(session, comment.proposal_id)
        assert proposal is not None
        return proposal.title
    assert comment.action_id is not None
    action = await actions_repo.by_id(session, comment.action_id)
    assert action is not None
    return action.title


async def content_hidden(
    session: AsyncSession,
    actor_id: int | None,
    subject: tuple[str, int],
    reason: str,
    *,
    author_id: int | None = None,
    link: str | None = None,
) -> int:
    """The author of hidden content hears it was hidden, and why. A Comment or a
    Proposal is looked up; anything else (an Answer) comes with its ``author_id`` and
    ``link``."""
    subject_type, subject_id = subject
    title: str | None = None
    if subject_type == "Comment":
        comment = await comments_repo.by_id(session, subject_id)
        assert comment is not None
        author_id, link = comment.author_id, comment_link(comment)
        title = await _comment_context(session, comment)
    elif subject_type == "Proposal":
        proposal = await proposals_repo.by_id(session, subject_id)
        assert proposal is not None
        author_id, link, title = proposal.author_id, f"/proposals/{proposal.id}", proposal.title
    if author_id is None or link is None:
        return 0
    return await _tell(
        session,
        [author_id],
        NotificationKind.CONTENT_HIDDEN,
        subject=subject,
        link=link,
        actor_id=actor_id,
        params={"what": subject_type, "title": title, "reason": reason},
    )


async def _followers(session: AsyncSession, action: Action) -> list[int]:
    """Whose idea the action came from, and who voted for it."""
    people: list[int] = []
    if action.proposal_id is not None:
        proposal = await proposals_repo.by_id(session, action.proposal_id)
        assert proposal is not None
        people.append(proposal.author_id)
        if action.round_id is not None:
            people.extend(await repository.supporters(session, action.round_id, action.proposal_id))
    return people


async def update_posted(
    session: AsyncSession, actor_id: int | None, action: Action, update: Update
) -> int:
    """News of an action reaches whoever proposed it or voted for it: its closing
    statement when it is done or dropped, otherwise the update itself."""
    followers = await _followers(session, action)
    if update.status_after in CLOSED:
        return await _tell(
            session,
            followers,
            NotificationKind.ACTION_CLOSED,
            subject=("Action", action.id),
            link=f"/actions/{action.id}",
            actor_id=actor_id,
            params={
                "action": action.title,
                "status": action.status.value,
                "statement": action.closing_statement,
            },
        )
    return await _tell(
        session,
        followers,
        NotificationKind.ACTION_UPDATED,
        subject=("Update", update.id),
        link=f"/actions/{action.id}",
        actor_id=actor_id,
        params={
            "action": action.title,
            "update": update.kind.value,
            "body": excerpt(update.body),
            "percent": update.percent_after,
        },
    )


async def update_resolved(session: AsyncSession, actor_id: int | None, update: Update) -> int:
    """Whoever asked for help hears the answer."""
    if update.kind is not UpdateKind.ASK_FOR_HELP or update.resolution is None:
        return 0
    action = await actions_repo.by_id(session, update.action_id)
    assert action is not None
    return await _tell(
        session,
        [update.author_id],
        NotificationKind.HELP_ANSWERED,
        subject=("Update", update.id),
        link=f"/actions/{action.id}",
        actor_id=actor_id,
        params={"action": action.title, "answer": excerpt(update.resolution)},
    )


async def comment_added(session: AsyncSession, actor_id: int | None, comment: Comment) -> int:
    """A reply reaches the comment it answers; a comment on an action where help was
    asked for reaches whoever asked (offering help is what the comments are for)."""
    told = 0
    replied_to: set[int] = set()
    context = await _comment_context(session, comment)
    if comment.parent_id is not None:
        parent = await comments_repo.by_id(session, comment.parent_id)
        assert parent is not None
        replied_to.add(parent.author_id)
        told += await _tell(
            session,
            replied_to,
            NotificationKind.COMMENT_REPLY,
            subject=("Comment", comment.id),
            link=comment_link(comment),
            actor_id=actor_id,
            params={"on": context},
        )
    if comment.action_id is not None:
        askers = set(await repository.open_askers(session, comment.action_id)) - replied_to
        told += await _tell(
            session,
            askers,
            NotificationKind.HELP_ANSWERED,
            subject=("Comment", comment.id),
            link=comment_link(comment),
            actor_id=actor_id,
            params={"action": context, "answer": None},
        )
    return told


async def report_waiting(
    session: AsyncSession, actor_id: int | None, report_id: int, area_id: int, reason: str
) -> int:
    """The area's facilitators hear that a report waits in their moderation queue.
    Who reported stays unsaid."""
    name, slug = await _area_name(session, area_id)
    return await _tell(
        session,
        await repository.facilitating(session, await _ancestors(session, area_id)),
        NotificationKind.REPORT_WAITING,
        subject=("Report", report_id),
        link=f"/facilitate/areas/{slug}/reports",
        actor_id=actor_id,
        params={"area": name, "reason": excerpt(reason)},
    )


async def actions_need_lead(
    session: AsyncSession, actor_id: int | None, action_ids: Sequence[int]
) -> int:
    """The facilitators of each action's area hear it has no lead."""
    told = 0
    for action in await actions_repo.by_ids(session, action_ids):
        name, _ = await _area_name(session, action.area_id)
        told += await _tell(
            session,
            await repository.facilitating(session, await _ancestors(session, action.area_id)),
            NotificationKind.ACTION_NEEDS_LEAD,
            subject=("Action", action.id),
            link=f"/actions/{action.id}",
            actor_id=actor_id,
            params={"action": action.title, "area": name},
        )
    return told


async def lead_left_team(
    session: AsyncSession, actor_id: int | None, team_id: int, person_id: int
) -> int:
    """Someone left a core team: the open actions they led for it need a new lead."""
    led = await actions_repo.led_by_in_team(session, team_id, person_id)
    return await actions_need_lead(session, actor_id, [action.id for action in led])
