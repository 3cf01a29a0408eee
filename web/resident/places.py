"""The home page's list of areas, an area's home, and its action plan ("you said, we did")."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.requests import Request
from starlette.responses import Response

from server.access import SATISFIES, Actor
from server.actions import repository as actions_repo
from server.actions.health import CLOSED
from server.actions.models import Action, ActionStatus, Milestone, Update
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.conversations import repository as conversations_repo
from server.people import repository as people_repo
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal
from server.teams import repository as teams_repo
from server.teams.models import CoreTeam
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import RoundState
from web import ranking
from web.action_health import Standing, standings
from web.auth import signed_in, transaction
from web.ranking import Place
from web.resident.common import exists, page, path_id, show

LIST_LIMIT = 20


async def home(request: Request) -> Response:
    """Everyone gets the welcome; signed-in people also get every area, as a tree."""
    areas: list[tuple[Area, int]] = []
    facilitates = False
    if (found := await signed_in(request)) is not None:
        actor = found[0]
        facilitates = any(roles & SATISFIES[Role.FACILITATOR] for roles in actor.grants.values())
        async with transaction(request) as session:
            everything = await areas_repo.all_areas(session)
        children: dict[int | None, list[Area]] = {}
        for area in everything:
            children.setdefault(area.parent_id, []).append(area)

        def walk(parent_id: int | None, depth: int) -> None:
            for area in children.get(parent_id, []):
                areas.append((area, depth))
                walk(area.id, depth + 1)

        walk(None, 0)
    return await show(request, "home.html", {"areas": areas, "facilitates": facilitates})


async def _area(request: Request) -> Area:
    async with transaction(request) as session:
        return exists(await areas_repo.by_slug(session, request.path_params["slug"]))


@page
async def area_home(request: Request, actor: Actor) -> Response:
    area = await _area(request)
    async with transaction(request) as session:
        parent = (await areas_repo.by_ids(session, [area.parent_id]))[0] if area.parent_id else None
        children = await areas_repo.children_of(session, [area.id])
        rounds = await voting_repo.for_areas(session, [area.id], None)
        open_rounds = [r for r in rounds if r.state is RoundState.OPEN]
        closed_rounds = [r for r in rounds if r.state is RoundState.CLOSED][:5]
        voted = {
            b.round_id
            for b in await voting_repo.ballots_of(
                session, [r.id for r in open_rounds], actor.person_id
            )
        }
        (priorities,) = await voting.area_priorities(session, actor, [(area.id, False)])
        area_actions = await actions_repo.for_areas(session, [area.id], None)
        conversations = await conversations_repo.page_for_areas(
            session, [area.id], after_id=None, limit=LIST_LIMIT
        )
        ideas = await proposals_repo.page_for_areas(
            session, [area.id], status=None, after_id=None, limit=LIST_LIMIT
        )
        titles = {
            p.id: p.title
            for p in await proposals_repo.by_ids(session, [p.proposal_id for p in priorities])
        }
        taking_part = await actor.has_role(session, area.id, Role.PARTICIPANT)
    by_priority = {(a.round_id, a.proposal_id): a for a in area_actions}
    return await show(
        request,
        "resident/area.html",
        {
            "area": area,
            "parent": parent,
            "children": children,
            "open_rounds": open_rounds,
            "closed_rounds": closed_rounds,
            "voted": voted,
            "priorities": [
                (p, place, titles[p.proposal_id], by_priority.get((p.round_id, p.proposal_id)))
                for p, place in zip(priorities, ranking.places(priorities), strict=True)
            ],
            "priorities_tied": ranking.tie_break_used(priorities),
            "action_counts": Counter(a.status for a in area_actions),
            "action_total": len(area_actions),
            "conversations": conversations,
            "ideas": ideas,
            "taking_part": taking_part,
            "statuses": list(ActionStatus),
        },
    )


@page
async def plan(request: Request, actor: Actor) -> Response:
    area = await _area(request)
    async with transaction(request) as session:
        area_actions = await actions_repo.for_areas(session, [area.id], None)
        details = await _details(session, area_actions)
    open_actions = [a for a in area_actions if a.status not in CLOSED]
    closed_actions = [a for a in area_actions if a.status in CLOSED]
    return await show(
        request,
        "resident/plan.html",
        {
            "area": area,
            "open_actions": open_actions,
            "closed_actions": closed_actions,
            "details": details,
        },
    )


@dataclass(frozen=True)
class PlanDetails:
    """What the plan and action pages show beside each action."""

    standings: dict[int, Standing]
    # Each adopted action's place in the vote it came from.
    places: dict[int, Place]
    latest: dict[int, Update]
    milestones: dict[int, list[Milestone]]
    proposals: dict[int, Proposal]
    teams: dict[int, CoreTeam]
    leads: dict[int, str]


async def _details(session: AsyncSession, area_actions: list[Action]) -> PlanDetails:
    ids = [a.id for a in area_actions]
    milestones: dict[int, list[Milestone]] = {}
    for milestone in await actions_repo.milestones_for(session, ids):
        milestones.setdefault(milestone.action_id, []).append(milestone)
    proposal_ids = [a.proposal_id for a in area_actions if a.proposal_id is not None]
    team_ids = [a.team_id for a in area_actions if a.team_id is not None]
    lead_ids = [a.lead_id for a in area_actions if a.lead_id is not None]
    round_ids = sorted({a.round_id for a in area_actions if a.round_id is not None})
    places = ranking.priority_places(await voting_repo.priorities_for(session, round_ids))
    return PlanDetails(
        standings=await standings(session, area_actions),
        places={
            a.id: places[(a.round_id, a.proposal_id)]
            for a in area_actions
            if a.round_id is not None
            and a.proposal_id is not None
            and (a.round_id, a.proposal_id) in places
        },
        latest={u.action_id: u for u in await actions_repo.latest_updates(session, ids)},
        milestones=milestones,
        proposals={p.id: p for p in await proposals_repo.by_ids(session, proposal_ids)},
        teams={t.id: t for t in await teams_repo.by_ids(session, team_ids)},
        # Display names only ("lanyards off").
        leads={p.id: p.display_name for p in await people_repo.by_ids(session, lead_ids)},
    )


@page
async def action_page(request: Request, actor: Actor) -> Response:
    action_id = path_id(request)
    async with transaction(request) as session:
        action = exists(await actions_repo.by_id(session, action_id))
        (area,) = await areas_repo.by_ids(session, [action.area_id])
        details = await _details(session, [action])
        updates = await actions_repo.updates_for(session, [action.id])
        conversation = (
            await conversations_repo.by_id(session, action.conversation_id)
            if action.conversation_id is not None
            else None
        )
        voting_round = (
            await voting_repo.by_id(session, action.round_id) if action.round_id else None
        )
    return await show(
        request,
        "resident/action.html",
        {
            "area": area,
            "action": action,
            "updates": updates[:LIST_LIMIT],
            "more_updates": len(updates) > LIST_LIMIT,
            "conversation": conversation,
            "round": voting_round,
            "details": details,
        },
    )
