"""Voting in a round (approval, dots, ranked), changing one's ballot, and the results."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.access import Actor
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.errors import DomainError, ErrorCode
from server.people.models import Role
from server.proposals.models import Proposal
from server.voting import repository as voting_repo
from server.voting import results as voting_results
from server.voting import rules
from server.voting import service as voting
from server.voting.models import BallotEntry, VotingMethod, VotingRound
from server.voting.rules import EntryInput
from server.voting.tally import Row
from web import ranking
from web.auth import FieldError, form_text, transaction
from web.i18n import gettext as _
from web.i18n import ngettext
from web.ranking import Place
from web.resident.common import (
    exists,
    form_page,
    is_htmx,
    page,
    path_id,
    plain,
    show,
    write,
)

BALLOT = "ballot"


@dataclass
class Choices:
    """A ballot as the form shows it: ticked ids, or the text typed in each box."""

    ticked: set[int] = field(default_factory=set)
    typed: dict[int, str] = field(default_factory=dict)

    @classmethod
    def of(cls, entries: Sequence[BallotEntry]) -> Choices:
        return cls(
            ticked={e.proposal_id for e in entries},
            typed={e.proposal_id: str(e.points if e.rank is None else e.rank) for e in entries},
        )

    def dots_used(self) -> int:
        return sum(int(v) for v in self.typed.values() if v.isascii() and v.isdigit())


@dataclass(frozen=True)
class RoundView:
    round: VotingRound
    area: Area
    proposals: list[Proposal]
    mine: list[BallotEntry] | None
    turnout: int
    may_vote: bool


async def _round_view(session: AsyncSession, actor: Actor, round_id: int) -> RoundView:
    voting_round = exists(await voting_repo.by_id(session, round_id))
    (area,) = await areas_repo.by_ids(session, [voting_round.area_id])
    ballot = await voting_repo.ballot_of(session, voting_round.id, actor.person_id)
    return RoundView(
        round=voting_round,
        area=area,
        proposals=[p for _, p in await voting_repo.ballot_proposals(session, [voting_round.id])],
        mine=await voting_repo.entries_of(session, [ballot.id]) if ballot else None,
        turnout=(await voting_repo.turnouts(session, [voting_round.id])).get(voting_round.id, 0),
        may_vote=await actor.has_role(session, voting_round.area_id, Role.PARTICIPANT),
    )


async def _vote_page(
    request: Request,
    actor: Actor,
    *,
    choices: Choices | None = None,
    errors: Sequence[FieldError] = (),
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        view = await _round_view(session, actor, path_id(request))
    if choices is None:
        choices = Choices.of(view.mine or [])
    template = "resident/_ballot.html" if is_htmx(request) else "resident/vote.html"
    return await show(
        request,
        template,
        {
            "view": view,
            "round": view.round,
            "area": view.area,
            "choices": choices,
            "ranks": range(1, len(view.proposals) + 1),
            "cast_key": secrets.token_urlsafe(16),
            "fragment": is_htmx(request),
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def vote_page(request: Request, actor: Actor) -> Response:
    return await _vote_page(request, actor)


def _read_ballot(
    method: VotingMethod, proposals: Sequence[Proposal], form: FormData
) -> tuple[Choices, list[EntryInput], list[FieldError]]:
    """What the form says, as the service's entries; boxes that are not numbers are errors."""
    choices = Choices()
    entries: list[EntryInput] = []
    errors: list[FieldError] = []
    ticked = set(form.getlist("approve"))
    for proposal in proposals:
        if method is VotingMethod.APPROVAL:
            if str(proposal.id) in ticked:
                choices.ticked.add(proposal.id)
                entries.append(EntryInput(proposal.id))
            continue
        name = f"{'dots' if method is VotingMethod.DOTS else 'rank'}-{proposal.id}"
        typed = form_text(form, name).strip()
        choices.typed[proposal.id] = typed
        # An empty box (or 0 dots) leaves the idea out.
        if typed == "" or (typed == "0" and method is VotingMethod.DOTS):
            continue
        digits = typed.removeprefix("-")
        number = int(typed) if digits.isascii() and digits.isdigit() and len(digits) < 6 else None
        if number is None:
            errors.append(
                FieldError(
                    name,
                    (
                        _("Enter the dots for “%(idea)s” as a whole number, like 2.")
                        if method is VotingMethod.DOTS
                        else _("Choose a number for “%(idea)s” from the list.")
                    )
                    % {"idea": proposal.title},
                )
            )
        elif method is VotingMethod.DOTS:
            entries.append(EntryInput(proposal.id, points=number))
        else:
            entries.append(EntryInput(proposal.id, rank=number))
    return choices, entries, errors


def _ballot_error(
    error: DomainError, voting_round: VotingRound, entries: Sequence[EntryInput], spent: int
) -> FieldError:
    """The error summary line, linked to the box that caused it."""
    where = BALLOT
    if len(error.field) >= 2 and error.field[0] == "entries" and error.field[1].isdigit():
        index = int(error.field[1])
        if index < len(entries) and voting_round.method is not VotingMethod.APPROVAL:
            prefix = "dots" if voting_round.method is VotingMethod.DOTS else "rank"
            where = f"{prefix}-{entries[index].proposal_id}"
    match error.code:
        case ErrorCode.OVER_BUDGET:
            message = ngettext(
                "You gave %(num)s dot but you have only %(total)s. Take some dots away.",
                "You gave %(num)s dots but you have only %(total)s. Take some dots away.",
                spent,
            ) % {"num": spent, "total": voting_round.dots_per_person}
        case ErrorCode.OVER_ITEM_CAP:
            message = ngettext(
                "You can put up to %(num)s dot on one idea.",
                "You can put up to %(num)s dots on one idea.",
                voting_round.max_dots_per_item or 0,
            ) % {"num": voting_round.max_dots_per_item}
        case _:
            message = plain(error)
    return FieldError(where, message)


@form_page
async def vote(request: Request, actor: Actor, form: FormData) -> Response:
    round_id = path_id(request)
    async with transaction(request) as session:
        voting_round = exists(await voting_repo.by_id(session, round_id))
        proposals = [p for _, p in await voting_repo.ballot_proposals(session, [round_id])]
    choices, entries, errors = _read_ballot(voting_round.method, proposals, form)
    # Every rule the ballot breaks at once, not one per try (the service checks again).
    broken = rules.problems(
        rules.Rules(
            method=voting_round.method,
            ballot={p.id for p in proposals},
            dots_per_person=voting_round.dots_per_person,
            max_dots_per_item=voting_round.max_dots_per_item,
        ),
        entries,
    )
    errors += [_ballot_error(e, voting_round, entries, choices.dots_used()) for e in broken]
    if not errors:
        key = form_text(form, "key") or None

        async def work(session: AsyncSession) -> voting.CastResult:
            return await voting.cast_ballot(
                session, actor, round_id=round_id, entries=entries, idempotency_key=key
            )

        try:
            # A refused replay's audit is committed first; then it is refused here.
            (await write(request, actor, work)).accepted()
        except DomainError as error:
            errors = [_ballot_error(error, voting_round, entries, choices.dots_used())]
        else:
            if is_htmx(request):
                return await _voted_page(request, actor, fragment=True)
            return RedirectResponse(f"/rounds/{round_id}/voted", status_code=303)
    return await _vote_page(request, actor, choices=choices, errors=errors, status_code=400)


async def _voted_page(request: Request, actor: Actor, *, fragment: bool) -> Response:
    async with transaction(request) as session:
        view = await _round_view(session, actor, path_id(request))
        unsealed = await voting_results.visible_to(session, actor, view.round)
    if view.mine is None:
        return RedirectResponse(f"/rounds/{view.round.id}", status_code=303)
    titles = {p.id: p.title for p in view.proposals}
    return await show(
        request,
        "resident/_voted.html" if fragment else "resident/voted.html",
        {
            "view": view,
            "round": view.round,
            "area": view.area,
            "mine": [(titles[e.proposal_id], e) for e in view.mine],
            "unsealed": unsealed,
            "fragment": fragment,
        },
    )


@page
async def voted_page(request: Request, actor: Actor) -> Response:
    return await _voted_page(request, actor, fragment=False)


@dataclass(frozen=True)
class Bar:
    place: Place
    title: str
    proposal_id: int
    score: float
    supporters: int
    # Share of the top score, for the chart (0-100).
    percent: float

    @property
    def shown(self) -> str:
        return str(int(self.score)) if self.score == int(self.score) else f"{self.score:.1f}"


def _bars(rows: Sequence[Row], titles: dict[int, str]) -> list[Bar]:
    top = max((row.score for row in rows), default=0) or 1
    return [
        Bar(
            place,
            titles[row.proposal_id],
            row.proposal_id,
            row.score,
            row.supporters,
            100 * row.score / top,
        )
        for place, row in zip(ranking.places(rows), rows, strict=True)
    ]


@page
async def results_page(request: Request, actor: Actor) -> Response:
    async with transaction(request) as session:
        view = await _round_view(session, actor, path_id(request))
        # The same sealing decision GraphQL makes (None while sealed for this viewer).
        found = await voting.results_for(session, actor, view.round, request.app.state.live_results)
    titles = {p.id: p.title for p in view.proposals}
    rows = found.rows if found else []
    overall = [row.proposal_id for row in rows]
    return await show(
        request,
        "resident/results.html",
        {
            "view": view,
            "round": view.round,
            "area": view.area,
            "results": found,
            "bars": _bars(rows, titles),
            "tie_break_used": ranking.tie_break_used(rows),
            # Each group's table lists ideas with equal scores in the overall order.
            "by_kind": [
                (
                    split,
                    _bars(ranking.order_ties_like(split.rows, overall), titles)
                    if split.rows is not None
                    else None,
                )
                for split in (found.by_kind if found else [])
            ],
        },
    )
