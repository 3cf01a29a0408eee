from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock, validation
from server.access import Actor, Scope
from server.actions import repository
from server.actions.health import CLOSED, Facts, Health, assess
from server.actions.models import (
    Action,
    ActionOwnership,
    ActionStatus,
    Milestone,
    Rag,
    Update,
    UpdateKind,
)
from server.audit import service as audit
from server.errors import DomainError, ErrorCode, Forbidden, InvalidInput, InvalidState, NotFound
from server.notifications import events as notify
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.proposals.models import ProposalStatus
from server.teams import service as teams
from server.voting import repository as voting_repo
from server.voting.models import RoundState

# Where an action may go from each status. DONE and DROPPED may be reopened.
TRANSITIONS: dict[ActionStatus, frozenset[ActionStatus]] = {
    ActionStatus.NOT_STARTED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED, ActionStatus.DONE, ActionStatus.DROPPED}
    ),
    ActionStatus.IN_PROGRESS: frozenset(
        {ActionStatus.BLOCKED, ActionStatus.DONE, ActionStatus.DROPPED}
    ),
    ActionStatus.BLOCKED: frozenset(
        {ActionStatus.IN_PROGRESS, ActionStatus.DONE, ActionStatus.DROPPED}
    ),
    ActionStatus.DONE: frozenset({ActionStatus.IN_PROGRESS}),
    ActionStatus.DROPPED: frozenset({ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS}),
}
# Kinds that stay open until someone resolves (a blocker) or answers (an ask) them.
RESOLVABLE = frozenset({UpdateKind.BLOCKER, UpdateKind.ASK_FOR_HELP})


class Keep(Enum):
    """An edit's "leave this as it is" (distinct from None, which clears a field)."""

    KEEP = "keep"


KEEP = Keep.KEEP


async def get(session: AsyncSession, action_id: int, field: list[str]) -> Action:
    action = await repository.by_id(session, action_id)
    if action is None:
        raise NotFound("Action", field)
    return action


async def _locked(session: AsyncSession, action_id: int, field: list[str]) -> Action:
    action = await repository.locked(session, action_id)
    if action is None:
        raise NotFound("Action", field)
    return action


async def _team_for(
    session: AsyncSession, actor: Actor, area_id: int, team_id: int, field: list[str]
) -> int:
    """A core team of the action's area (or an area above it)."""
    team = await teams.get(session, team_id, field)
    tree = await actor.tree(session)
    if team.area_id not in tree.ancestors(area_id):
        raise InvalidInput("Choose a core team from this area.", field)
    return team.id


async def _lead_for(
    session: AsyncSession, team_id: int | None, lead_id: int, field: list[str]
) -> int:
    """A lead is a current member of the owning core team."""
    if team_id is None:
        raise InvalidState("Give the action a core team before choosing its lead.", field)
    if not await teams.is_member(session, team_id, lead_id):
        raise InvalidInput("The lead must be a current member of the action's core team.", field)
    return lead_id


async def adopt_priority(
    session: AsyncSession,
    actor: Actor,
    *,
    round_id: int,
    proposal_id: int,
    team_id: int | None,
    title: str | None,
    lead_id: int | None = None,
    target_date: datetime | None = None,
) -> Action:
    """A closed round's priority becomes an action, keeping where it came from."""
    voting_round = await voting_repo.by_id(session, round_id)
    if voting_round is None:
        raise NotFound("Voting round", ["roundId"])
    await actor.require(session, voting_round.area_id, Role.FACILITATOR)
    if voting_round.state is not RoundState.CLOSED:
        raise InvalidState(
            "Priorities come from closed rounds; close the round first.", ["roundId"]
        )
    priority = await voting_repo.priority(session, round_id, proposal_id)
    if priority is None:
        raise DomainError(
            ErrorCode.NOT_ON_BALLOT, "That proposal was not on this round's ballot.", ["proposalId"]
        )
    if await repository.for_priority(session, round_id, proposal_id) is not None:
        raise DomainError(
            ErrorCode.ALREADY_EXISTS, "This priority has already been adopted.", ["proposalId"]
        )
    proposal = await proposals_repo.for_update(session, proposal_id)
    assert proposal is not None
    if team_id is not None:
        team_id = await _team_for(session, actor, voting_round.area_id, team_id, ["teamId"])
    if lead_id is not None:
        lead_id = await _lead_for(session, team_id, lead_id, ["leadId"])
    title = (
        validation.text(title, ["title"], max_length=200, label="Title")
        if title is not None
        else proposal.title
    )
    action = Action(
        area_id=voting_round.area_id,
        title=title,
        description=proposal.description,
        status=ActionStatus.NOT_STARTED,
        rag=Rag.GREEN,
        percent_complete=0,
        team_id=team_id,
        lead_id=lead_id,
        target_date=target_date,
        round_id=round_id,
        proposal_id=proposal_id,
        priority_rank=priority.rank,
        conversation_id=proposal.conversation_id,
        story_id=proposal.story_id,
        created_by_id=actor.person_id,
    )
    await repository.add(session, action)
    await repository.add(
        session,
        ActionOwnership(
            action_id=action.id,
            team_id=team_id,
            lead_id=lead_id,
            since=action.created_at,
            changed_by_id=actor.person_id,
        ),
    )
    proposal.status = ProposalStatus.ADOPTED
    proposal.status_reason = None
    proposal.merged_into_id = None
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "priority.adopted",
        ("Action", action.id),
        area_id=action.area_id,
        round_id=round_id,
        proposal_id=proposal_id,
        rank=priority.rank,
    )
    await notify.priority_adopted(session, actor.person_id, action)
    return action


async def can_post_update(session: AsyncSession, actor: Actor, action: Action) -> bool:
    """Members of the owning core team, and facilitators of the action's area."""
    if action.team_id is not None and await teams.is_member(
        session, action.team_id, actor.person_id
    ):
        return True
    return await actor.has_role(session, action.area_id, Role.FACILITATOR)


async def _require_contributor(session: AsyncSession, actor: Actor, action: Action) -> None:
    actor.require_scope(Scope.WRITE)
    if not await can_post_update(session, actor, action):
        raise Forbidden("Only the action's core team or a facilitator of its area can do that.")


async def post_update(
    session: AsyncSession,
    actor: Actor,
    *,
    action_id: int,
    kind: UpdateKind,
    body: str,
    percent_complete: int | None,
    status: ActionStatus | None,
    rag: Rag | None,
    closing_statement: str | None = None,
) -> Update:
    """Working out loud: a typed update that may also move status, RAG and progress.

    Closing (DONE or DROPPED) needs a closing statement, the public "you said, we did"
    line: ``closing_statement``, or the update's own words. DONE means 100%. A closed
    action still takes progress and learning notes, but nothing that changes it until it
    is reopened.
    """
    action = await _locked(session, action_id, ["actionId"])
    await _require_contributor(session, actor, action)
    body = validation.text(body, ["body"], max_length=10_000, label="Update", multiline=True)
    if percent_complete is not None and not 0 <= percent_complete <= 100:
        raise InvalidInput("Percent complete is between 0 and 100.", ["percentComplete"])
    moving = status is not None and status is not action.status
    closing = moving and status in CLOSED
    if closing_statement is not None and not closing:
        raise InvalidInput(
            "A closing statement goes with marking the action DONE or DROPPED.",
            ["closingStatement"],
        )
    changes_closed = kind in RESOLVABLE or percent_complete is not None or rag is not None
    if action.status in CLOSED and not moving and changes_closed:
        raise InvalidState(
            f"The action is {action.status.name}; reopen it first (status IN_PROGRESS).",
            ["status"],
        )
    if status is not None and moving:
        if status not in TRANSITIONS[action.status]:
            raise InvalidState(
                f"An action cannot go from {action.status.name} to {status.name}.", ["status"]
            )
        if status is ActionStatus.DONE:
            if percent_complete not in (None, 100):
                raise InvalidInput("A done action is 100% complete.", ["percentComplete"])
            percent_complete = 100
        if closing:
            action.closing_statement = validation.text(
                closing_statement if closing_statement is not None else body,
                ["closingStatement" if closing_statement is not None else "body"],
                max_length=2000,
                label="Closing statement",
                multiline=True,
            )
        else:
            action.closing_statement = None
        action.status = status
    if percent_complete is not None:
        action.percent_complete = percent_complete
    if rag is not None:
        action.rag = rag
    action.last_update_at = clock.now()
    update = Update(
        action_id=action.id,
        kind=kind,
        body=body,
        author_id=actor.person_id,
        status_after=status if moving else None,
        rag_after=rag,
        percent_after=percent_complete,
    )
    await repository.add(session, update)
    await audit.record(
        session,
        actor.person_id,
        "action.updated",
        ("Action", action.id),
        area_id=action.area_id,
        update_id=update.id,
        kind=kind.value,
        status=status.value if moving and status else None,
    )
    await notify.update_posted(session, actor.person_id, action, update)
    return update


async def resolve_update(
    session: AsyncSession, actor: Actor, *, update_id: int, resolution: str
) -> Update:
    """Close an open BLOCKER (how it was unblocked) or ASK_FOR_HELP (who answered, how)."""
    update = await repository.update_locked(session, update_id)
    if update is None:
        raise NotFound("Update", ["updateId"])
    action = await get(session, update.action_id, ["updateId"])
    await _require_contributor(session, actor, action)
    if update.kind not in RESOLVABLE:
        raise InvalidState(
            "Only a BLOCKER or an ASK_FOR_HELP stays open to be resolved.", ["updateId"]
        )
    if update.resolved_at is not None:
        raise InvalidState("That has already been resolved.", ["updateId"])
    update.resolution = validation.text(
        resolution, ["resolution"], max_length=5000, label="Resolution", multiline=True
    )
    update.resolved_at = clock.now()
    update.resolved_by_id = actor.person_id
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "update.resolved",
        ("Update", update.id),
        area_id=action.area_id,
        action_id=action.id,
        kind=update.kind.value,
    )
    await notify.update_resolved(session, actor.person_id, update)
    return update


async def update_action(
    session: AsyncSession,
    actor: Actor,
    *,
    action_id: int,
    title: str | Keep = KEEP,
    description: str | Keep = KEEP,
    target_date: datetime | Keep | None = KEEP,
    team_id: int | Keep | None = KEEP,
    lead_id: int | Keep | None = KEEP,
    reason: str | None = None,
) -> Action:
    """Edit an action. Its core team and facilitators edit the description, target date
    and lead; the title (what people voted for) and the owning team are for facilitators.
    A change of team or lead is kept in the ownership history, with the reason."""
    action = await _locked(session, action_id, ["actionId"])
    actor.require_scope(Scope.WRITE)
    facilitator = await actor.has_role(session, action.area_id, Role.FACILITATOR)
    if not facilitator:
        await _require_contributor(session, actor, action)
        if not isinstance(title, Keep) or not isinstance(team_id, Keep):
            raise Forbidden("Only a facilitator can change an action's title or core team.")
    changed: list[str] = []
    if not isinstance(title, Keep):
        action.title = validation.text(title, ["title"], max_length=200, label="Title")
        changed.append("title")
    if not isinstance(description, Keep):
        action.description = validation.text(
            description,
            ["description"],
            max_length=10_000,
            label="Description",
            multiline=True,
            required=False,
        )
        changed.append("description")
    if not isinstance(target_date, Keep):
        action.target_date = target_date
        changed.append("targetDate")
    reason = validation.optional_text(reason, ["reason"], max_length=500, label="Reason")
    owner_before = (action.team_id, action.lead_id)
    if not isinstance(team_id, Keep):
        action.team_id = (
            None
            if team_id is None
            else await _team_for(session, actor, action.area_id, team_id, ["teamId"])
        )
        # A lead who is not on the new team stops leading it: the action then asks for a
        # new lead rather than keeping one who cannot act for the team.
        if (
            isinstance(lead_id, Keep)
            and action.lead_id is not None
            and (
                action.team_id is None
                or not await teams.is_member(session, action.team_id, action.lead_id)
            )
        ):
            action.lead_id = None
    if not isinstance(lead_id, Keep):
        action.lead_id = (
            None
            if lead_id is None
            else await _lead_for(session, action.team_id, lead_id, ["leadId"])
        )
    if (action.team_id, action.lead_id) != owner_before:
        await repository.add(
            session,
            ActionOwnership(
                action_id=action.id,
                team_id=action.team_id,
                lead_id=action.lead_id,
                since=clock.now(),
                changed_by_id=actor.person_id,
                reason=reason,
            ),
        )
        changed.append("owner")
    elif reason is not None:
        raise InvalidInput("A reason goes with a change of core team or lead.", ["reason"])
    if not changed:
        raise InvalidInput("Nothing to change.", ["actionId"])
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "action.edited",
        ("Action", action.id),
        area_id=action.area_id,
        changed=changed,
        team_id=action.team_id,
        lead_id=action.lead_id,
    )
    if action.lead_id is None and owner_before[1] is not None:
        await notify.actions_need_lead(session, actor.person_id, [action.id])
    return action


async def add_milestone(
    session: AsyncSession, actor: Actor, *, action_id: int, title: str, due_at: datetime | None
) -> Milestone:
    action = await _locked(session, action_id, ["actionId"])
    await _require_contributor(session, actor, action)
    if action.status in CLOSED:
        raise InvalidState(f"The action is {action.status.name}; reopen it first.", ["actionId"])
    milestone = Milestone(
        action_id=action.id,
        title=validation.text(title, ["title"], max_length=200, label="Milestone"),
        due_at=due_at,
    )
    await repository.add(session, milestone)
    await audit.record(
        session,
        actor.person_id,
        "milestone.added",
        ("Milestone", milestone.id),
        area_id=action.area_id,
        action_id=action.id,
    )
    return milestone


async def set_milestone_done(
    session: AsyncSession, actor: Actor, *, milestone_id: int, done: bool
) -> Milestone:
    """Mark a milestone done (now), or reopen it."""
    milestone = await repository.milestone_locked(session, milestone_id)
    if milestone is None:
        raise NotFound("Milestone", ["milestoneId"])
    action = await get(session, milestone.action_id, ["milestoneId"])
    await _require_contributor(session, actor, action)
    if done == (milestone.done_at is not None):
        raise InvalidState(
            "That milestone is already done." if done else "That milestone is not done yet.",
            ["milestoneId"],
        )
    milestone.done_at = clock.now() if done else None
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "milestone.completed" if done else "milestone.reopened",
        ("Milestone", milestone.id),
        area_id=action.area_id,
        action_id=action.id,
    )
    return milestone


def facts_of(found: repository.ActionFacts) -> Facts:
    action = found.action
    return Facts(
        status=action.status,
        declared_rag=action.rag,
        adopted_at=action.created_at,
        last_update_at=action.last_update_at,
        target_date=action.target_date,
        open_blockers=found.open_blockers,
        open_asks=found.open_asks,
        overdue_milestones=found.overdue_milestones,
        has_lead=action.lead_id is not None,
        lead_on_team=found.lead_on_team,
    )


async def health_of(session: AsyncSession, action_ids: Sequence[int]) -> dict[int, Health]:
    """The effective RAG and flags of each action, now."""
    now = clock.now()
    return {
        found.action.id: assess(facts_of(found), now)
        for found in await repository.facts_for(session, action_ids, now)
    }


async def priority_actions(
    session: AsyncSession, keys: Sequence[tuple[int, int]]
) -> list[tuple[Action, Health]]:
    """The actions adopted from these (round, proposal) priorities, with their health."""
    now = clock.now()
    return [
        (found.action, assess(facts_of(found), now))
        for found in await repository.facts_for_priorities(session, keys, now)
    ]


async def actions_needing_lead(session: AsyncSession, team_id: int, person_id: int) -> list[Action]:
    """Open actions this person leads for the team: after they leave, each needs a lead."""
    return await repository.led_by_in_team(session, team_id, person_id)


def owner_at(ownerships: Sequence[ActionOwnership], at: datetime) -> ActionOwnership | None:
    """Who owned the action at ``at``: the latest change at or before it (oldest first in)."""
    found = None
    for ownership in ownerships:
        if ownership.since <= at:
            found = ownership
    return found
