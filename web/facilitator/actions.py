"""Adopting a closed round's priority as an action, and working out loud on actions:
typed updates that may move status, RAG and progress (the service's rules decide)."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.actions import repository as actions_repo
from server.actions import service as actions
from server.actions.models import Action, ActionStatus, Rag, UpdateKind
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.errors import DomainError, ErrorCode, Forbidden
from server.inputs import parse_id
from server.people import repository as people_repo
from server.proposals import repository as proposals_repo
from server.teams import repository as teams_repo
from server.voting import repository as voting_repo
from server.voting.models import Priority, RoundState, VotingRound
from web import ranking
from web.action_health import standings
from web.auth import FieldError, render, saved, transaction
from web.facilitator import labels
from web.facilitator.common import (
    PageNotFound,
    action,
    area_context,
    current_actor,
    field_errors,
    int_param,
    page,
    parse_date,
    redirect,
    required,
    texts,
)
from web.facilitator.rounds import load_round
from web.i18n import LOCAL_TIME, listing
from web.i18n import gettext as _

ADOPT_FIELDS = ("title", "teamId", "leadId", "targetDate")
UPDATE_FIELDS = ("kind", "body", "status", "rag", "percentComplete", "closingStatement")


# Adopting a priority.


async def _priority(
    session: AsyncSession, actor: Actor, round_id: int, proposal_id: int
) -> tuple[VotingRound, Area, Priority, str]:
    voting_round, area = await load_round(session, actor, round_id)
    priority = await voting_repo.priority(session, round_id, proposal_id)
    proposal = await proposals_repo.by_id(session, proposal_id)
    if voting_round.state is not RoundState.CLOSED or priority is None or proposal is None:
        raise PageNotFound
    return voting_round, area, priority, proposal.title


async def _owners(
    session: AsyncSession, actor: Actor, area: Area
) -> tuple[list[tuple[str, str]], list[tuple[str, list[tuple[str, str]]]]]:
    """Core teams that may own an action here, and their current members (leads)."""
    tree = await actor.tree(session)
    teams = await teams_repo.for_areas(session, list(tree.ancestors(area.id)))
    members = await teams_repo.current_members(session, [t.id for t in teams])
    names = {
        p.id: p.display_name
        for p in await people_repo.by_ids(session, sorted({m.person_id for m in members}))
    }
    team_options = [(str(t.id), t.name) for t in teams]
    lead_groups = [
        (
            t.name,
            [(str(m.person_id), names[m.person_id]) for m in members if m.team_id == t.id],
        )
        for t in teams
    ]
    return team_options, lead_groups


async def _adopt_form(
    request: Request,
    actor: Actor,
    round_id: int,
    proposal_id: int,
    values: dict[str, str] | None,
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        voting_round, area, priority, title = await _priority(session, actor, round_id, proposal_id)
        adopted = await actions_repo.for_priority(session, round_id, proposal_id)
        teams, leads = await _owners(session, actor, area)
        in_round = await voting_repo.priorities_for(session, [round_id])
        # Adopting one of several priorities with the same score: the facilitator is told.
        tied = [p.proposal_id for p in in_round if p.score == priority.score]
        tied_titles = {p.id: p.title for p in await proposals_repo.by_ids(session, tied)}
    places = dict(zip([p.proposal_id for p in in_round], ranking.places(in_round), strict=True))
    if adopted is not None and status_code == 200:
        return redirect(f"/facilitate/actions/{adopted.id}")
    return await render(
        request,
        "facilitate/adopt.html",
        {
            **area_context(area),
            "round": voting_round,
            "priority": priority,
            "place": places[proposal_id],
            "tied_with": listing([f"“{tied_titles[p]}”" for p in tied if p != proposal_id]),
            "proposal_title": title,
            "teams": teams,
            "leads": leads,
            "form": values or {"title": title, "teamId": "", "leadId": "", "targetDate": ""},
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def adopt_form(request: Request) -> Response:
    actor = await current_actor(request)
    return await _adopt_form(
        request, actor, int_param(request, "id"), int_param(request, "proposal_id"), None, []
    )


@action
async def adopt(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    round_id, proposal_id = int_param(request, "id"), int_param(request, "proposal_id")
    values = texts(form, ADOPT_FIELDS)
    async with transaction(request) as session:
        await _priority(session, actor, round_id, proposal_id)
    errors = required(values, {"title": _("Enter a title for the action.")})
    target = None
    if values["targetDate"].strip():
        target_day = parse_date(values["targetDate"])
        if target_day is None:
            errors.append(
                FieldError("targetDate", _("Enter the target date, for example 2026-06-30."))
            )
        else:
            target = datetime.combine(target_day, time(0), tzinfo=LOCAL_TIME)
    if not errors:
        try:
            adopted = await saved(
                request,
                lambda session: actions.adopt_priority(
                    session,
                    actor,
                    round_id=round_id,
                    proposal_id=proposal_id,
                    team_id=parse_id(values["teamId"]),
                    title=values["title"],
                    lead_id=parse_id(values["leadId"]),
                    target_date=target,
                ),
            )
            return redirect(f"/facilitate/actions/{adopted.id}?done=adopted")
        except DomainError as error:
            if error.code is ErrorCode.FORBIDDEN:
                raise
            errors = field_errors(error, "title", {"proposalId": "title", "roundId": "title"})
    return await _adopt_form(request, actor, round_id, proposal_id, values, errors, 400)


# One action and its updates.


async def _action(session: AsyncSession, actor: Actor, action_id: int) -> tuple[Action, Area]:
    found = await actions_repo.by_id(session, action_id)
    if found is None:
        raise PageNotFound
    # The service's rule: the action's core team, or a facilitator of its area.
    if not await actions.can_post_update(session, actor, found):
        raise Forbidden()
    (area,) = await areas_repo.by_ids(session, [found.area_id])
    return found, area


NOTICES = {
    "adopted": lambda: _("Priority adopted. It is now an action in the plan."),
    "update": lambda: _("Update posted."),
}


@page
async def action_page(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        found, area = await _action(session, actor, int_param(request, "id"))
        updates = await actions_repo.updates_for(session, [found.id])
        people_ids = sorted({u.author_id for u in updates} | {found.lead_id or 0} - {0})
        names = {p.id: p.display_name for p in await people_repo.by_ids(session, people_ids)}
        team = await teams_repo.by_id(session, found.team_id) if found.team_id else None
        standing = (await standings(session, [found]))[found.id]
    done = NOTICES.get(request.query_params.get("done", ""))
    return await render(
        request,
        "facilitate/action.html",
        {
            **area_context(area),
            "action": found,
            "updates": updates,
            "names": names,
            "team": team,
            "statuses": labels.action_statuses(),
            "standing": standing,
            "rag_name": labels.rag,
            "kinds": labels.update_kinds(),
            "notice": done() if done else None,
        },
    )


def _update_choices() -> dict[str, Any]:
    return {
        "kind_choices": [
            (value, label, hint) for value, (label, hint) in labels.update_kinds().items()
        ],
        "status_options": [("", _("Leave as it is")), *labels.action_statuses().items()],
        "rag_choices": [
            ("", _("Leave as it is"), ""),
            *((value, label, "") for value, label in labels.rags().items()),
        ],
    }


async def _update_form(
    request: Request,
    actor: Actor,
    action_id: int,
    values: dict[str, str],
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        found, area = await _action(session, actor, action_id)
    return await render(
        request,
        "facilitate/update_new.html",
        {
            **area_context(area),
            "action": found,
            "form": values,
            "current_status": labels.action_statuses()[found.status.value],
            **_update_choices(),
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def update_form(request: Request) -> Response:
    actor = await current_actor(request)
    values = dict.fromkeys(UPDATE_FIELDS, "")
    values["kind"] = UpdateKind.PROGRESS.value
    return await _update_form(request, actor, int_param(request, "id"), values, [])


@action
async def post_update(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    action_id = int_param(request, "id")
    values = texts(form, UPDATE_FIELDS)
    async with transaction(request) as session:
        await _action(session, actor, action_id)
    errors = required(values, {"body": _("Enter what happened.")})
    kind = {k.value: k for k in UpdateKind}.get(values["kind"])
    if kind is None:
        errors.insert(0, FieldError("kind", _("Choose what kind of update this is.")))
    status = {s.value: s for s in ActionStatus}.get(values["status"])
    rag = {r.value: r for r in Rag}.get(values["rag"])
    percent = None
    if values["percentComplete"].strip():
        if values["percentComplete"].strip().isdigit():
            percent = int(values["percentComplete"].strip())
        else:
            errors.append(
                FieldError("percentComplete", _("Enter a whole number from 0 to 100, like 40."))
            )
    closing = values["closingStatement"].strip() or None
    if not errors and kind is not None:
        try:
            await saved(
                request,
                lambda session: actions.post_update(
                    session,
                    actor,
                    action_id=action_id,
                    kind=kind,
                    body=values["body"],
                    percent_complete=percent,
                    status=status,
                    rag=rag,
                    closing_statement=closing,
                ),
            )
            return redirect(f"/facilitate/actions/{action_id}?done=update")
        except DomainError as error:
            if error.code is ErrorCode.FORBIDDEN:
                raise
            errors = field_errors(error, "body", {"actionId": "body"})
    return await _update_form(request, actor, action_id, values, errors, 400)
