"""Paper ballots typed in by a facilitator, one after another, from the keyboard.

Each save casts the person's ballot through the voting service "on behalf of" them
(assisted, audited), then shows the empty form again with the cursor in the name field.
A person added on the spot and their ballot are saved together, or not at all.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.areas.models import Area
from server.auth import joiners
from server.errors import DomainError, ErrorCode
from server.inputs import parse_id
from server.people import repository as people_repo
from server.people import service as people
from server.people.models import Person, PersonKind
from server.proposals.models import Proposal
from server.voting import repository as voting_repo
from server.voting import service as voting
from server.voting.models import RoundState, VotingMethod, VotingRound
from server.voting.rules import EntryInput
from web.auth import FieldError, form_text, render, saved, transaction
from web.facilitator.common import (
    action,
    area_context,
    current_actor,
    int_param,
    page,
    redirect,
)
from web.facilitator.rounds import load_round
from web.i18n import gettext as _
from web.i18n import when

CHOICES = "choices"
YES = "yes"


@dataclass
class PaperForm:
    voter_name: str = ""
    voter_id: str = ""
    new_person: bool = False
    kind: str = ""
    note: str = ""
    # The person whose own ballot the facilitator agreed to replace: the override holds
    # for that person only, never for whoever the name is changed to afterwards.
    override_for: str = ""
    marks: dict[int, str] = field(default_factory=dict)
    idempotency_key: str = field(default_factory=lambda: secrets.token_urlsafe(16))


@dataclass
class Situation:
    voting_round: VotingRound
    area: Area
    on_ballot: list[Proposal]
    participants: list[Person]
    turnout: int


def choice_id(on_ballot: list[Proposal], proposal_id: int) -> str:
    """The first choice carries the group's id, so the error summary can link to it."""
    return CHOICES if on_ballot and on_ballot[0].id == proposal_id else f"p-{proposal_id}"


async def _situation(session: AsyncSession, actor: Actor, round_id: int) -> Situation:
    voting_round, area = await load_round(session, actor, round_id)
    tree = await actor.tree(session)
    return Situation(
        voting_round,
        area,
        [p for _round, p in await voting_repo.ballot_proposals(session, [round_id])],
        await people_repo.participants_of(session, list(tree.ancestors(area.id))),
        (await voting_repo.turnouts(session, [round_id])).get(round_id, 0),
    )


async def _form_page(
    request: Request,
    situation: Situation,
    form: PaperForm,
    *,
    errors: Sequence[FieldError] = (),
    saved: str | None = None,
    namesakes: list[Person] | None = None,
    told_apart: dict[int, joiners.Distinguishing] | None = None,
    needs_override: bool = False,
    status_code: int = 200,
) -> Response:
    voting_round = situation.voting_round
    first_error = errors[0].field if errors else None
    return await render(
        request,
        "facilitate/paper.html",
        {
            **area_context(situation.area),
            "round": voting_round,
            "is_open": voting_round.state is RoundState.OPEN,
            "on_ballot": situation.on_ballot,
            "choice_id": lambda pid: choice_id(situation.on_ballot, pid),
            "participants": situation.participants,
            "turnout": situation.turnout,
            "form": form,
            "saved": saved,
            "namesakes": namesakes or [],
            "told_apart": told_apart or {},
            "needs_override": needs_override,
            "focus": first_error or "voterName",
            "closes": when(voting_round.closes_at),
            "rank_choices": list(range(1, len(situation.on_ballot) + 1)),
            "when": when,
        },
        errors=list(errors),
        status_code=status_code,
    )


@page
async def paper_form(request: Request) -> Response:
    actor = await current_actor(request)
    round_id = int_param(request, "id")
    saved = None
    async with transaction(request) as session:
        situation = await _situation(session, actor, round_id)
        saved_id = parse_id(request.query_params.get("saved", ""))
        if saved_id is not None:
            ballot = await voting_repo.ballot_of(session, round_id, saved_id)
            person = await people_repo.by_id(session, saved_id)
            if ballot is not None and ballot.assisted_by_id is not None and person is not None:
                saved = person.display_name
    return await _form_page(request, situation, PaperForm(), saved=saved)


def _read(form: FormData, on_ballot: list[Proposal]) -> PaperForm:
    return PaperForm(
        voter_name=form_text(form, "voterName").strip(),
        # A chosen person only counts while the name is still the one they were chosen for.
        voter_id=form_text(form, "voterId")
        if form_text(form, "voterIdName").strip() == form_text(form, "voterName").strip()
        else "",
        new_person=form_text(form, "newPerson") == YES,
        kind=form_text(form, "kind"),
        note=form_text(form, "note"),
        override_for=form_text(form, "override"),
        marks={p.id: form_text(form, f"p-{p.id}").strip() for p in on_ballot},
        idempotency_key=form_text(form, "idempotencyKey")[:200] or secrets.token_urlsafe(16),
    )


def _entries(
    method: VotingMethod, paper: PaperForm, on_ballot: list[Proposal]
) -> tuple[list[EntryInput], list[FieldError]]:
    entries: list[EntryInput] = []
    errors: list[FieldError] = []
    for proposal in on_ballot:
        mark = paper.marks.get(proposal.id, "")
        if not mark:
            continue
        if method is VotingMethod.APPROVAL:
            if mark == YES:
                entries.append(EntryInput(proposal.id, points=1))
            continue
        if not mark.isdigit():
            errors.append(
                FieldError(
                    choice_id(on_ballot, proposal.id),
                    _("Enter a whole number for %(title)s, or leave it empty.")
                    % {"title": proposal.title},
                )
            )
            continue
        number = int(mark)
        if method is VotingMethod.DOTS:
            if number > 0:
                entries.append(EntryInput(proposal.id, points=number))
        else:
            entries.append(EntryInput(proposal.id, rank=number))
    return entries, errors


def _entry_errors(
    error: DomainError, entries: list[EntryInput], on_ballot: list[Proposal]
) -> list[FieldError]:
    """The voting rules' complaint, on the proposal it is about (or on the choices)."""
    where = CHOICES
    if len(error.field) >= 2 and error.field[1].isdigit() and int(error.field[1]) < len(entries):
        proposal_id = entries[int(error.field[1])].proposal_id
        if proposal_id is not None:
            where = choice_id(on_ballot, proposal_id)
    return [FieldError(where, error.message)]


@action
async def record_paper_ballot(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    round_id = int_param(request, "id")
    async with transaction(request) as session:
        situation = await _situation(session, actor, round_id)
    paper = _read(form, situation.on_ballot)
    entries, errors = _entries(situation.voting_round.method, paper, situation.on_ballot)
    kinds = {k.value: k for k in PersonKind}
    voter_id: int | None = None
    namesakes: list[Person] = []
    told_apart: dict[int, joiners.Distinguishing] = {}
    if not paper.voter_name:
        errors.insert(0, FieldError("voterName", _("Enter the name written on the ballot paper.")))
    elif paper.new_person:
        if paper.kind not in kinds:
            errors.append(FieldError("kind", _("Choose resident or professional.")))
    elif (chosen := parse_id(paper.voter_id)) is not None:
        voter_id = chosen
    else:
        async with transaction(request) as session:
            tree = await actor.tree(session)
            namesakes = await people_repo.participants_of(
                session, list(tree.ancestors(situation.area.id)), named=paper.voter_name
            )
            if len(namesakes) > 1:
                told_apart = await joiners.tell_apart(session, namesakes)
        if not namesakes:
            errors.insert(
                0,
                FieldError(
                    "voterName",
                    _(
                        "Nobody called %(name)s takes part in %(area)s yet. Check the "
                        "spelling, or tick “Add them as a new participant”."
                    )
                    % {"name": paper.voter_name, "area": situation.area.name},
                ),
            )
        elif len(namesakes) > 1:
            errors.insert(
                0,
                FieldError(
                    "voterId",
                    _("More than one person is called %(name)s. Choose which one.")
                    % {"name": paper.voter_name},
                ),
            )
        else:
            voter_id = namesakes[0].id
            namesakes = []
    if errors:
        return await _form_page(
            request,
            situation,
            paper,
            errors=errors,
            namesakes=namesakes,
            told_apart=told_apart,
            status_code=400,
        )
    chosen_voter = voter_id

    async def record(session: AsyncSession) -> tuple[int, voting.CastResult]:
        # The same paper sent twice (a double click, a resent form) is one person with
        # one ballot, not two people.
        already = await voting_repo.assisted_voter_by_key(
            session, round_id, actor.person_id, paper.idempotency_key
        )
        voter = chosen_voter
        if paper.new_person and already is not None:
            voter = already
        elif paper.new_person:
            person = await people.add_participant(
                session,
                actor,
                area_id=situation.area.id,
                display_name=paper.voter_name,
                kind=kinds[paper.kind],
                note=paper.note,
            )
            voter = person.id
        assert voter is not None
        cast = await voting.cast_ballot(
            session,
            actor,
            round_id=round_id,
            entries=entries,
            idempotency_key=paper.idempotency_key,
            on_behalf_of=voter,
            override_own_ballot=paper.override_for == str(voter),
        )
        return voter, cast

    try:
        voter_id, cast = await saved(request, record)
        # A refused replay's audit is committed; the refusal shows like any other.
        cast.accepted()
    except DomainError as error:
        if error.code is ErrorCode.FORBIDDEN:
            raise
        namesakes_told: dict[int, joiners.Distinguishing] = {}
        needs_override = error.code is ErrorCode.INVALID_STATE and error.field == ["onBehalfOf"]
        if needs_override and voter_id is not None:
            errors = [FieldError("override", error.message)]
            async with transaction(request) as session:
                voter = await people_repo.by_id(session, voter_id)
                assert voter is not None
                namesakes_told = await joiners.tell_apart(session, [voter])
        elif error.field[:1] == ["entries"]:
            errors = _entry_errors(error, entries, situation.on_ballot)
        else:
            # The name (displayName), the person (onBehalfOf) or the round (roundId).
            errors = [FieldError("voterName", error.message)]
        if voter_id is not None and not paper.new_person:
            paper.voter_id = str(voter_id)
        paper.override_for = ""
        return await _form_page(
            request,
            situation,
            paper,
            errors=errors,
            needs_override=needs_override,
            told_apart=namesakes_told if needs_override else None,
            status_code=400,
        )
    return redirect(f"/facilitate/rounds/{round_id}/paper?saved={voter_id}")
