"""Where a facilitator starts: the areas they facilitate, and each area's dashboard."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from server.access import SATISFIES
from server.actions import repository as actions_repo
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.conversations import repository as conversations_repo
from server.conversations.models import ConversationStatus
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.voting import repository as voting_repo
from server.voting.models import RoundState
from web import ranking
from web.action_health import standings
from web.auth import render, transaction
from web.facilitator import labels
from web.facilitator.common import (
    area_context,
    current_actor,
    page,
    require_facilitator,
)

ROUND_STATES = (RoundState.DRAFT, RoundState.OPEN, RoundState.CLOSED)


@page
async def index(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        tree = await actor.tree(session)
        facilitated = {
            area_id
            for area_id, roles in actor.grants.items()
            if roles & SATISFIES[Role.FACILITATOR]
        }
        # Roles hold beneath the area they were granted in.
        reachable = sorted({a for area_id in facilitated for a in tree.descendants(area_id)})
        found = await areas_repo.by_ids(session, reachable)
    return await render(
        request,
        "facilitate/index.html",
        {"areas": sorted(found, key=lambda a: (a.name.lower(), a.id))},
    )


@page
async def dashboard(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        area = await areas.get_by_slug(session, request.path_params["slug"], ["areaSlug"])
        await require_facilitator(session, actor, area.id)
        conversations = await conversations_repo.page_for_areas(
            session, [area.id], after_id=None, limit=100
        )
        rounds = await voting_repo.for_areas(session, [area.id], None)
        turnouts = await voting_repo.turnouts(session, [r.id for r in rounds])
        closed = [r for r in rounds if r.state is RoundState.CLOSED]
        priorities = await voting_repo.priorities_for(session, [r.id for r in closed])
        adopted = {
            (a.round_id, a.proposal_id)
            for a in await actions_repo.for_priorities(
                session, [(p.round_id, p.proposal_id) for p in priorities]
            )
        }
        awaiting = [p for p in priorities if (p.round_id, p.proposal_id) not in adopted]
        titles = {
            p.id: p.title
            for p in await proposals_repo.by_ids(session, [p.proposal_id for p in awaiting])
        }
        actions = await actions_repo.for_areas(session, [area.id], None)
        action_standings = await standings(session, actions)
        children = await areas_repo.children_of(session, [area.id])
    round_titles = {r.id: r.title for r in rounds}
    places = ranking.priority_places(priorities)
    return await render(
        request,
        "facilitate/dashboard.html",
        {
            **area_context(area),
            "conversations": conversations,
            "live": [c for c in conversations if c.status is not ConversationStatus.CLOSED],
            "rounds_by_state": {s: [r for r in rounds if r.state is s] for s in ROUND_STATES},
            "turnouts": turnouts,
            "awaiting": [
                (
                    p,
                    places[(p.round_id, p.proposal_id)],
                    titles[p.proposal_id],
                    round_titles[p.round_id],
                )
                for p in awaiting
            ],
            "actions": actions,
            "standings": action_standings,
            "children": children,
            "status_names": labels.action_statuses(),
            "rag_name": labels.rag,
        },
    )
