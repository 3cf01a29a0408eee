"""What the room said and the conversation's record on its page; answering; reporting
a contribution; your data download and erasure; the city's stages."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.access import Actor
from server.actions import service as actions
from server.answers import repository as answers_repo
from server.answers import service as answers
from server.answers.service import ThemeCount
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.auth import sessions
from server.city import service as city
from server.comments import repository as comments_repo
from server.conversations import repository as conversations_repo
from server.conversations.models import Conversation, ConversationStatus
from server.errors import DomainError, ErrorCode
from server.moderation import service as moderation
from server.moderation.models import SubjectKind
from server.people.models import Role
from server.privacy import service as privacy
from server.proposals import repository as proposals_repo
from web.auth import FieldError, form_text, transaction
from web.i18n import gettext as _
from web.resident.common import (
    Missing,
    exists,
    field_error,
    form_page,
    page,
    path_id,
    show,
    write,
)

THEME_CHART_WIDTH = 520


@dataclass(frozen=True)
class Bar:
    name: str
    answers: int
    examples: list[str]
    # Share of the longest bar, 0-100.
    percent: float


def bars(rows: list[ThemeCount]) -> list[Bar]:
    top = max((r.answers for r in rows), default=0) or 1
    return [Bar(r.theme.name, r.answers, r.examples, round(100 * r.answers / top, 1)) for r in rows]


async def conversation_context(
    session: AsyncSession, actor: Actor, conversation: Conversation
) -> dict[str, Any]:
    """What the conversation's page shows beyond its stories and ideas."""
    summary = await answers.conversation_summary(session, conversation)
    mine = await answers_repo.page_for_conversations(
        session, [conversation.id], author_id=actor.person_id, after_id=None, limit=100
    )
    facilitators = [
        p.display_name
        for _, p in await conversations_repo.facilitators_of(session, [conversation.id])
    ]
    rounds = [r for _, r in await conversations_repo.rounds_for(session, [conversation.id])]
    produced = await conversations_repo.actions_for(session, [conversation.id])
    joined = await conversations_repo.participant_counts(session, [conversation.id])
    return {
        "theme_bars": bars(summary) if any(r.answers for r in summary) else [],
        "my_answers": mine,
        "facilitators": facilitators,
        "produced_rounds": rounds,
        "produced_actions": produced,
        "action_health": await actions.health_of(session, [a.id for a in produced]),
        "joined_online": joined.get(conversation.id, 0),
        "answering": conversation.status is ConversationStatus.OPEN,
        "chart_width": THEME_CHART_WIDTH,
    }


@form_page
async def add_answer(request: Request, actor: Actor, form: FormData) -> Response:
    conversation_id = path_id(request)
    body = form_text(form, "answer")
    may_quote = form_text(form, "mayQuote") == "yes"

    async def work(session: AsyncSession) -> None:
        await answers.add_answer(
            session, actor, conversation_id=conversation_id, body=body, may_quote=may_quote
        )

    try:
        await write(request, actor, work)
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise Missing() from error
        from web.resident.discussion import conversation_page_with

        return await conversation_page_with(
            request,
            actor,
            errors=[field_error(error, "answer")],
            values={"answer": body},
            status_code=400,
        )
    return RedirectResponse(f"/conversations/{conversation_id}?answered=1#answers", status_code=303)


# Reporting.

KINDS = {kind.value: kind for kind in SubjectKind}


def _kind(request: Request) -> SubjectKind:
    kind = KINDS.get(str(request.path_params["kind"]))
    if kind is None:
        raise Missing()
    return kind


async def _subject_words(
    session: AsyncSession, actor: Actor, kind: SubjectKind, subject_id: int
) -> tuple[str, str, Area]:
    """(the words reported, where to go back to, its area); Missing if not readable."""
    try:
        found = await moderation.subject(session, actor, kind, subject_id)
    except DomainError as error:
        raise Missing() from error
    (area,) = await areas_repo.by_ids(session, [found.area_id])
    if kind is SubjectKind.COMMENT:
        comment = exists(await comments_repo.by_id(session, subject_id))
        back = (
            f"/proposals/{comment.proposal_id}#comment-{comment.id}"
            if comment.proposal_id is not None
            else f"/actions/{comment.action_id}"
        )
        return comment.body, back, area
    if kind is SubjectKind.PROPOSAL:
        proposal = exists(await proposals_repo.by_id(session, subject_id))
        return proposal.title, f"/proposals/{proposal.id}", area
    answer = exists(await answers_repo.by_id(session, subject_id))
    return answer.body, f"/conversations/{answer.conversation_id}#answers", area


async def _report_form(
    request: Request,
    actor: Actor,
    *,
    errors: list[FieldError] | None = None,
    reason: str = "",
    status_code: int = 200,
) -> Response:
    kind, subject_id = _kind(request), path_id(request)
    async with transaction(request) as session:
        words, back, area = await _subject_words(session, actor, kind, subject_id)
    return await show(
        request,
        "talk/report.html",
        {
            "kind": kind.value,
            "words": words,
            "back": back,
            "area": area,
            "form": {"reason": reason},
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def report_page(request: Request, actor: Actor) -> Response:
    return await _report_form(request, actor)


@form_page
async def report(request: Request, actor: Actor, form: FormData) -> Response:
    kind, subject_id = _kind(request), path_id(request)
    reason = form_text(form, "reason")

    async def work(session: AsyncSession) -> None:
        await moderation.report_content(session, actor, kind, subject_id, reason)

    try:
        await write(request, actor, work)
    except DomainError as error:
        if error.code is ErrorCode.NOT_FOUND:
            raise Missing() from error
        message = (
            _("Say what is wrong with it.")
            if error.field == ["reason"]
            else field_error(error, "reason").message
        )
        return await _report_form(
            request, actor, errors=[FieldError("reason", message)], reason=reason, status_code=400
        )
    async with transaction(request) as session:
        _words, back, area = await _subject_words(session, actor, kind, subject_id)
    return await show(request, "talk/reported.html", {"back": back, "area": area})


# Your data, leaving.


@page
async def erase_page(request: Request, actor: Actor) -> Response:
    return await show(request, "talk/erase.html", {"form": {"confirm": ""}})


@form_page
async def erase(request: Request, actor: Actor, form: FormData) -> Response:
    confirm = form_text(form, "confirm")

    async def work(session: AsyncSession) -> None:
        await privacy.erase_person(session, actor, None, confirm)

    try:
        await write(request, actor, work)
    except DomainError as error:
        message = (
            _("Type ERASE in capital letters to confirm.")
            if error.field == ["confirm"]
            else field_error(error, "confirm").message
        )
        return await show(
            request,
            "talk/erase.html",
            {"form": {"confirm": confirm}},
            errors=[FieldError("confirm", message)],
            status_code=400,
        )
    response = RedirectResponse("/me/erased", status_code=303)
    response.delete_cookie(sessions.COOKIE, path="/")
    return response


async def erased_page(request: Request) -> Response:
    """Shown after erasure, to nobody in particular: the session is gone."""
    return await show(request, "talk/erased.html")


# The city: each area's stage.


@page
async def stages_page(request: Request, actor: Actor) -> Response:
    async with transaction(request) as session:
        area = exists(await areas_repo.by_slug(session, request.path_params["slug"]))
        children = await areas_repo.children_of(session, [area.id])
        shown = [area, *children]
        figures = await city.figures(session, [a.id for a in shown], await actor.tree(session))
        taking_part = await actor.has_role(session, area.id, Role.PARTICIPANT)
    return await show(
        request,
        "talk/stages.html",
        {
            "area": area,
            "rows": [(a, figures[a.id]) for a in shown],
            "taking_part": taking_part,
            "stage_words": stage_words,
        },
    )


def stage_words(stage: city.Stage) -> str:
    return {
        city.Stage.NOT_STARTED: _("Not started yet"),
        city.Stage.LISTENING: _("Listening: conversations held"),
        city.Stage.DECIDING: _("Deciding: a vote is open"),
        city.Stage.ACTING: _("Acting: priorities in the action plan"),
    }[stage]
