"""Voting rounds: create one (method, rules, visibility, deadline, proposals), open it,
close it after a confirmation, and see its priorities."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.actions import repository as actions_repo
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.areas.models import Area
from server.errors import DomainError, ErrorCode
from server.inputs import parse_id
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal, ProposalStatus
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import (
    BallotSignIn,
    RankedTally,
    ResultVisibility,
    RoundState,
    VotingMethod,
    VotingRound,
)
from web import ranking
from web.auth import FieldError, render, saved, transaction
from web.facilitator import labels
from web.facilitator.common import (
    PageNotFound,
    action,
    area_context,
    current_actor,
    facilitated_area,
    field_errors,
    int_param,
    local_datetime,
    page,
    redirect,
    require_facilitator,
    required,
    texts,
)
from web.i18n import gettext as _
from web.i18n import when

ROUND_FIELDS = (
    "title",
    "method",
    "rankedTally",
    "dotsPerPerson",
    "maxDotsPerItem",
    "resultVisibility",
    "onlineSignIn",
    "closesDate",
    "closesTime",
)
MAX_CANDIDATES = 200


async def load_round(
    session: AsyncSession, actor: Actor, round_id: int
) -> tuple[VotingRound, Area]:
    """The round, if this facilitator runs its area (FORBIDDEN otherwise)."""
    voting_round = await voting_repo.by_id(session, round_id)
    if voting_round is None:
        raise PageNotFound
    await require_facilitator(session, actor, voting_round.area_id)
    (area,) = await areas_repo.by_ids(session, [voting_round.area_id])
    return voting_round, area


async def _candidates(session: AsyncSession, actor: Actor, area: Area) -> list[Proposal]:
    """Proposals that may go on a ballot here: open or shortlisted, here or beneath."""
    tree = await actor.tree(session)
    found: list[Proposal] = []
    for status in (ProposalStatus.SHORTLISTED, ProposalStatus.OPEN):
        found += await proposals_repo.page_for_areas(
            session, tree.descendants(area.id), status=status, after_id=None, limit=MAX_CANDIDATES
        )
    return sorted(found, key=lambda p: (p.status is not ProposalStatus.SHORTLISTED, p.id))


def _choices(options: dict[str, tuple[str, str]]) -> list[tuple[str, str, str]]:
    return [(value, label, hint) for value, (label, hint) in options.items()]


async def _new_form(
    request: Request,
    actor: Actor,
    area: Area,
    values: dict[str, str],
    chosen: set[str],
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        candidates = await _candidates(session, actor, area)
    return await render(
        request,
        "facilitate/round_new.html",
        {
            **area_context(area),
            "form": values,
            "chosen": chosen,
            "candidates": candidates,
            "methods": _choices(labels.methods()),
            "tallies": _choices(labels.tallies()),
            "visibilities": _choices(labels.visibilities()),
            "online_sign_ins": _choices(labels.online_sign_ins()),
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def new_round(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
        defaults = await areas.settings_of(session, area.id)
    values = dict.fromkeys(ROUND_FIELDS, "")
    # The area's round settings (what a template area passes on) fill the form.
    values.update(
        method=defaults.round_method.value,
        rankedTally=RankedTally.BORDA.value,
        resultVisibility=defaults.round_result_visibility.value,
        onlineSignIn=BallotSignIn.ANY.value,
    )
    if defaults.round_method is VotingMethod.DOTS:
        values.update(
            dotsPerPerson=str(defaults.dots_per_person),
            maxDotsPerItem=str(defaults.max_dots_per_item or ""),
        )
    return await _new_form(request, actor, area, values, set(), [])


def _count(value: str, field: str, message: str, errors: list[FieldError]) -> int | None:
    if not value.strip():
        return None
    try:
        return int(value.strip())
    except ValueError:
        errors.append(FieldError(field, message))
        return None


@action
async def create_round(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    values = texts(form, ROUND_FIELDS)
    chosen = [v for v in form.getlist("proposalIds") if isinstance(v, str)]
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
    errors = required(values, {"title": _("Enter a title for the round.")})
    methods = {m.value: m for m in VotingMethod}
    method = methods.get(values["method"])
    if method is None:
        errors.append(FieldError("method", _("Choose how people vote.")))
    tally = {t.value: t for t in RankedTally}.get(values["rankedTally"], RankedTally.BORDA)
    visibility = {v.value: v for v in ResultVisibility}.get(values["resultVisibility"])
    if visibility is None:
        errors.append(FieldError("resultVisibility", _("Choose when people see the results.")))
    online_sign_in = {s.value: s for s in BallotSignIn}.get(
        values["onlineSignIn"] or BallotSignIn.ANY.value
    )
    if online_sign_in is None:
        errors.append(FieldError("onlineSignIn", _("Choose who can vote online.")))
    dots = cap = None
    if method is VotingMethod.DOTS:
        dots = _count(
            values["dotsPerPerson"],
            "dotsPerPerson",
            _("Enter the dots each person has as a whole number, like 5."),
            errors,
        )
        cap = _count(
            values["maxDotsPerItem"],
            "maxDotsPerItem",
            _("Enter the most dots on one proposal as a whole number, like 3."),
            errors,
        )
    closes_at, date_errors = local_datetime(
        values,
        "closesDate",
        "closesTime",
        date_message=_("Enter the date voting closes, for example 2026-03-31."),
        time_message=_("Enter the time voting closes, for example 21:00."),
    )
    errors += date_errors
    proposal_ids: list[int | None] = []
    for value in chosen:
        proposal_ids.append(parse_id(value))
    if not proposal_ids:
        errors.append(FieldError("proposalIds", _("Choose at least one proposal for the ballot.")))
    if not errors and method is not None and visibility is not None and online_sign_in:
        try:
            voting_round = await saved(
                request,
                lambda session: voting.create_round(
                    session,
                    actor,
                    area_slug=area.slug,
                    title=values["title"],
                    method=method,
                    proposal_ids=proposal_ids,
                    dots_per_person=dots,
                    max_dots_per_item=cap,
                    result_visibility=visibility,
                    closes_at=closes_at,
                    ranked_tally=tally if method is VotingMethod.RANKED else RankedTally.BORDA,
                    online_sign_in=online_sign_in,
                ),
            )
            return redirect(f"/facilitate/rounds/{voting_round.id}?done=created")
        except DomainError as error:
            if error.code is ErrorCode.FORBIDDEN:
                raise
            errors = field_errors(error, "title", {"closesAt": "closesDate"})
    return await _new_form(request, actor, area, values, set(chosen), errors, 400)


NOTICES = {
    "created": lambda: _("Round created. Check it, then open it for voting."),
    "opened": lambda: _("Round opened. People can vote now."),
    "closed": lambda: _("Round closed. Its results are frozen and its priorities are below."),
}


@page
async def round_page(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        voting_round, area = await load_round(session, actor, int_param(request, "id"))
        on_ballot = [
            p for _round, p in await voting_repo.ballot_proposals(session, [voting_round.id])
        ]
        turnout = (await voting_repo.turnouts(session, [voting_round.id])).get(voting_round.id, 0)
        priorities = await voting_repo.priorities_for(session, [voting_round.id])
        adopted = {
            a.proposal_id: a
            for a in await actions_repo.for_priorities(
                session, [(p.round_id, p.proposal_id) for p in priorities]
            )
        }
    titles = {p.id: p.title for p in on_ballot}
    done = NOTICES.get(request.query_params.get("done", ""))
    context: dict[str, Any] = {
        **area_context(area),
        "round": voting_round,
        "method": labels.methods()[voting_round.method.value][0],
        "tally": labels.tallies()[voting_round.ranked_tally.value],
        "visibility": labels.visibilities()[voting_round.result_visibility.value][0],
        "online_sign_in": labels.online_sign_ins()[voting_round.online_sign_in.value][0],
        "state": labels.round_states()[voting_round.state.value],
        "closes": when(voting_round.closes_at),
        "on_ballot": on_ballot,
        "turnout": turnout,
        "priorities": [
            (p, place, titles.get(p.proposal_id, ""), adopted.get(p.proposal_id))
            for p, place in zip(priorities, ranking.places(priorities), strict=True)
        ],
        "tie_break_used": ranking.tie_break_used(priorities),
        "score": labels.score,
        "notice": done() if done else None,
    }
    return await render(request, "facilitate/round.html", context)


@action
async def open_round(request: Request, form: FormData) -> Response:
    return await _change_round(request, voting.open_round, "opened")


async def _round_problem(request: Request, round_id: int, error: DomainError) -> Response:
    return await render(
        request,
        "facilitate/problem.html",
        {
            "title": _("The round could not change"),
            "message": error.message,
            "back_url": f"/facilitate/rounds/{round_id}",
            "back_label": _("Back to the round"),
        },
        status_code=409,
    )


@page
async def confirm_close(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        voting_round, area = await load_round(session, actor, int_param(request, "id"))
        turnout = (await voting_repo.turnouts(session, [voting_round.id])).get(voting_round.id, 0)
    if voting_round.state is not RoundState.OPEN:
        return redirect(f"/facilitate/rounds/{voting_round.id}")
    return await render(
        request,
        "facilitate/round_close.html",
        {**area_context(area), "round": voting_round, "turnout": turnout},
    )


@action
async def close_round(request: Request, form: FormData) -> Response:
    return await _change_round(request, voting.close_round, "closed")


async def _change_round(
    request: Request,
    change: Callable[[AsyncSession, Actor, int], Awaitable[object]],
    done: str,
) -> Response:
    """Open or close a round this facilitator runs; the service's refusal as a page."""
    actor = await current_actor(request)
    round_id = int_param(request, "id")
    async with transaction(request) as session:
        await load_round(session, actor, round_id)
    try:
        await saved(request, lambda session: change(session, actor, round_id))
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        return await _round_problem(request, round_id, error)
    return redirect(f"/facilitate/rounds/{round_id}?done={done}")
