"""What the room said, the record and moderation, for facilitators: type paper cards,
tag answers with themes, keep the theme list and the area's settings, keep a
conversation's record, work through reports, hide, decline and merge."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.answers import repository as answers_repo
from server.answers import service as answers
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.comments import repository as comments_repo
from server.conversations import repository as conversations_repo
from server.conversations import service as conversations
from server.errors import DomainError, ErrorCode
from server.moderation import service as moderation
from server.moderation.models import Report, SubjectKind
from server.proposals import repository as proposals_repo
from server.proposals.models import Proposal, ProposalStatus
from server.voting.models import ResultVisibility, VotingMethod
from web.auth import FieldError, form_text, render, transaction
from web.facilitator.common import (
    PageNotFound,
    action,
    area_context,
    current_actor,
    facilitated_area,
    field_errors,
    int_param,
    page,
    redirect,
    require_facilitator,
    texts,
)
from web.facilitator.conversations import _conversation, _notice
from web.i18n import gettext as _
from web.i18n import when

NOTICES = {
    "card": lambda: _("Paper card saved"),
    "tagged": lambda: _("Themes saved"),
    "theme": lambda: _("Theme added"),
    "renamed": lambda: _("Theme renamed"),
    "settings": lambda: _("Settings saved"),
    "hidden": lambda: _("Hidden. The person who wrote it has been told why."),
    "dismissed": lambda: _("Report dismissed. Nothing was hidden."),
    "declined": lambda: _("Idea declined. Its author has been told why."),
    "merged": lambda: _("Ideas joined. Comments and votes in open rounds moved across."),
}


# Answers: paper cards and themes.


async def _answers_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
        found = await answers_repo.for_conversation(session, conversation.id)
        themes = await answers_repo.themes_for_areas(session, [area.id])
        tags: dict[int, set[int]] = {}
        for answer_id, theme in await answers_repo.tags_for(session, [a.id for a in found]):
            tags.setdefault(answer_id, set()).add(theme.id)
    return await render(
        request,
        "facilitate/talk_answers.html",
        {
            **area_context(area),
            "conversation": conversation,
            "answers": list(reversed(found)),
            "themes": themes,
            "tags": tags,
            "form": values or {"body": ""},
            "notice": _notice(request, NOTICES),
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def answers_page(request: Request) -> Response:
    return await _answers_page(request)


@action
async def add_paper_card(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    conversation_id = int_param(request, "id")
    values = texts(form, ("body",))
    try:
        async with transaction(request) as session:
            await answers.add_answer(
                session,
                actor,
                conversation_id=conversation_id,
                body=values["body"],
                from_paper=True,
                may_quote=form_text(form, "mayQuote") == "yes",
            )
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        message = _("Type the words on the card.") if error.field == ["body"] else error.message
        return await _answers_page(request, values, [FieldError("body", message)], 400)
    return redirect(f"/facilitate/conversations/{conversation_id}/answers?done=card#body")


@action
async def tag_answer(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    answer_id = int_param(request, "id")
    chosen = [int(v) for v in form.getlist("theme") if isinstance(v, str) and v.isdigit()]
    async with transaction(request) as session:
        answer = await answers_repo.by_id(session, answer_id)
        if answer is None:
            raise PageNotFound
        await answers.tag_answer(session, actor, answer_id, chosen)
    return redirect(
        f"/facilitate/conversations/{answer.conversation_id}/answers?done=tagged#answer-{answer_id}"
    )


# The conversation's record.


async def _record_page(
    request: Request,
    values: dict[str, Any] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
        tree = await actor.tree(session)
        able = await conversations_repo.facilitators_in(
            session, list(tree.ancestors(conversation.area_id))
        )
        current = {
            p.id for _, p in await conversations_repo.facilitators_of(session, [conversation.id])
        }
    return await render(
        request,
        "facilitate/talk_record.html",
        {
            **area_context(area),
            "conversation": conversation,
            "able": able,
            "form": values
            or {
                "headcount": "" if conversation.headcount is None else str(conversation.headcount),
                "closingSummary": conversation.closing_summary or "",
                "facilitators": current,
            },
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def record_page(request: Request) -> Response:
    return await _record_page(request)


@action
async def save_record(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    conversation_id = int_param(request, "id")
    values: dict[str, Any] = texts(form, ("headcount", "closingSummary"))
    chosen = [int(v) for v in form.getlist("facilitator") if isinstance(v, str) and v.isdigit()]
    values["facilitators"] = set(chosen)
    raw = values["headcount"].strip()
    if raw and not raw.isdigit():
        return await _record_page(
            request,
            values,
            [FieldError("headcount", _("Enter the headcount as a whole number, like 24."))],
            400,
        )
    try:
        async with transaction(request) as session:
            await conversations.update_conversation(
                session,
                actor,
                conversation_id,
                headcount=int(raw) if raw else None,
                closing_summary=values["closingSummary"],
                facilitator_ids=chosen,
            )
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        return await _record_page(
            request,
            values,
            field_errors(error, "headcount", {"facilitatorIds": "facilitator"}),
            400,
        )
    return redirect(f"/facilitate/conversations/{conversation_id}?done=record")


# Themes and the area's settings.


async def _themes_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
        themes = await answers_repo.themes_for_areas(session, [area.id])
        settings = await areas.settings_of(session, area.id)
    return await render(
        request,
        "facilitate/talk_themes.html",
        {
            **area_context(area),
            "themes": themes,
            "form": values
            or {
                "name": "",
                "prompts": "\n".join(settings.prompts),
                "roundMethod": settings.round_method.value,
                "dotsPerPerson": str(settings.dots_per_person),
                "maxDotsPerItem": str(settings.max_dots_per_item or ""),
                "resultVisibility": settings.round_result_visibility.value,
            },
            "methods": [
                (VotingMethod.APPROVAL.value, _("Approval: tick every idea you support")),
                (VotingMethod.DOTS.value, _("Dots: share out a number of dots")),
                (VotingMethod.RANKED.value, _("Ranked: put ideas in order")),
            ],
            "visibilities": [
                (ResultVisibility.LIVE.value, _("As votes come in")),
                (ResultVisibility.AFTER_OWN_BALLOT.value, _("Once someone has voted")),
                (ResultVisibility.AFTER_CLOSE.value, _("When voting closes")),
            ],
            "notice": _notice(request, NOTICES),
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def themes_page(request: Request) -> Response:
    return await _themes_page(request)


@action
async def add_theme(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    slug = request.path_params["slug"]
    name = form_text(form, "name")
    try:
        async with transaction(request) as session:
            await answers.create_theme(session, actor, area_slug=slug, name=name)
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        message = (
            _("There is a theme with that name already.")
            if error.code is ErrorCode.ALREADY_EXISTS
            else _("Enter a name for the theme, up to 60 characters.")
        )
        return await _themes_page(request, None, [FieldError("name", message)], 400)
    return redirect(f"/facilitate/areas/{slug}/themes?done=theme")


@action
async def rename_theme(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    theme_id = int_param(request, "id")
    async with transaction(request) as session:
        found = await answers_repo.themes_by_ids(session, [theme_id])
        if not found:
            raise PageNotFound
        (area,) = await areas_repo.by_ids(session, [found[0].area_id])
    try:
        async with transaction(request) as session:
            await answers.rename_theme(session, actor, theme_id, form_text(form, "name"))
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        return redirect(f"/facilitate/areas/{area.slug}/themes")
    return redirect(f"/facilitate/areas/{area.slug}/themes?done=renamed")


@action
async def save_settings(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    slug = request.path_params["slug"]
    values = texts(
        form, ("prompts", "roundMethod", "dotsPerPerson", "maxDotsPerItem", "resultVisibility")
    )
    numbers: dict[str, int | None] = {}
    errors: list[FieldError] = []
    for name in ("dotsPerPerson", "maxDotsPerItem"):
        raw = values[name].strip()
        if raw and not raw.isdigit():
            errors.append(FieldError(name, _("Enter a whole number.")))
        numbers[name] = int(raw) if raw.isdigit() else None
    methods = {m.value: m for m in VotingMethod}
    visibilities = {v.value: v for v in ResultVisibility}
    prompts = [line for line in values["prompts"].splitlines() if line.strip()]
    if not errors:
        try:
            async with transaction(request) as session:
                await areas.update_settings(
                    session,
                    actor,
                    area_slug=slug,
                    prompts=prompts,
                    round_method=methods.get(values["roundMethod"]),
                    dots_per_person=numbers["dotsPerPerson"],
                    max_dots_per_item=numbers["maxDotsPerItem"],
                    results_shown=visibilities.get(values["resultVisibility"]),
                )
            return redirect(f"/facilitate/areas/{slug}/themes?done=settings")
        except DomainError as error:
            if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
                raise
            errors = field_errors(error, "prompts")
    return await _themes_page(request, {"name": "", **values}, errors, 400)


# Moderation: the queue, hiding, declining, merging.


async def _subject_text(session: AsyncSession, report: Report) -> tuple[str, str | None]:
    """(the words reported, where to read them in context)."""
    if report.subject_kind is SubjectKind.COMMENT:
        comment = await comments_repo.by_id(session, report.subject_id)
        if comment is None:
            return "", None
        where = (
            f"/proposals/{comment.proposal_id}#comment-{comment.id}"
            if comment.proposal_id
            else f"/actions/{comment.action_id}"
        )
        return comment.body, where
    if report.subject_kind is SubjectKind.PROPOSAL:
        proposal = await proposals_repo.by_id(session, report.subject_id)
        if proposal is None:
            return "", None
        return proposal.title, f"/facilitate/proposals/{proposal.id}"
    answer = await answers_repo.by_id(session, report.subject_id)
    if answer is None:
        return "", None
    return (
        answer.body,
        f"/facilitate/conversations/{answer.conversation_id}/answers#answer-{answer.id}",
    )


@page
async def reports_page(request: Request) -> Response:
    actor = await current_actor(request)
    show_all = request.query_params.get("all") == "1"
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
        found = await moderation.reports(session, actor, area.id, open_only=not show_all) or []
        rows = [(report, *await _subject_text(session, report)) for report in found]
    return await render(
        request,
        "facilitate/talk_reports.html",
        {
            **area_context(area),
            "rows": rows,
            "show_all": show_all,
            "notice": _notice(request, NOTICES),
            "when": when,
        },
    )


@action
async def dismiss_report(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        report = await moderation.dismiss_report(session, actor, int_param(request, "id"))
        (area,) = await areas_repo.by_ids(session, [report.area_id])
    return redirect(f"/facilitate/areas/{area.slug}/reports?done=dismissed")


KINDS = {kind.value: kind for kind in SubjectKind}


def _kind(request: Request) -> SubjectKind:
    kind = KINDS.get(str(request.path_params["kind"]))
    if kind is None:
        raise PageNotFound
    return kind


async def _hide_page(
    request: Request,
    reason: str = "",
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    kind, subject_id = _kind(request), int_param(request, "id")
    async with transaction(request) as session:
        found = await moderation.subject(session, actor, kind, subject_id)
        await require_facilitator(session, actor, found.area_id)
        (area,) = await areas_repo.by_ids(session, [found.area_id])
        words, where = await _subject_text(
            session, Report(subject_kind=kind, subject_id=subject_id, area_id=area.id, reason="")
        )
    return await render(
        request,
        "facilitate/talk_hide.html",
        {
            **area_context(area),
            "words": words,
            "where": where,
            "hidden": found.hidden,
            "form": {"reason": reason},
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def hide_page(request: Request) -> Response:
    return await _hide_page(request)


@action
async def hide(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    kind, subject_id = _kind(request), int_param(request, "id")
    reason = form_text(form, "reason")
    try:
        async with transaction(request) as session:
            report = await moderation.hide_content(session, actor, kind, subject_id, reason)
            (area,) = await areas_repo.by_ids(session, [report.area_id])
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        message = (
            _("Say why it is hidden. Everyone will see the reason.")
            if error.field == ["reason"]
            else error.message
        )
        return await _hide_page(request, reason, [FieldError("reason", message)], 400)
    return redirect(f"/facilitate/areas/{area.slug}/reports?done=hidden")


async def _proposal_page(
    request: Request,
    values: dict[str, str] | None = None,
    errors: list[FieldError] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        proposal = await proposals_repo.by_id(session, int_param(request, "id"))
        if proposal is None:
            raise PageNotFound
        await require_facilitator(session, actor, proposal.area_id)
        (area,) = await areas_repo.by_ids(session, [proposal.area_id])
        others = [
            (str(p.id), p.title)
            for p in await proposals_repo.page_for_areas(
                session, [area.id], status=None, after_id=None, limit=100
            )
            if p.id != proposal.id
            and p.status not in (ProposalStatus.MERGED, ProposalStatus.DECLINED)
            and p.hidden_at is None
        ]
    return await render(
        request,
        "facilitate/talk_proposal.html",
        {
            **area_context(area),
            "proposal": proposal,
            "others": others,
            "decidable": proposal.status in (ProposalStatus.OPEN, ProposalStatus.SHORTLISTED),
            "form": values or {"reason": "", "into": ""},
            "notice": _notice(request, NOTICES),
        },
        errors=errors or [],
        status_code=status_code,
    )


@page
async def proposal_page(request: Request) -> Response:
    return await _proposal_page(request)


Decision = Callable[[AsyncSession, Actor, int, dict[str, str]], Awaitable[Proposal]]


async def _decide(
    request: Request, form: FormData, work: Decision, field: str, done: str
) -> Response:
    proposal_id = int_param(request, "id")
    values = texts(form, ("reason", "into"))
    try:
        async with transaction(request) as session:
            proposal: Proposal = await work(
                session, await current_actor(request), proposal_id, values
            )
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN,) or error.field == ["proposalId"]:
            raise
        message = {
            "reason": _("Say why it is not taken forward. Its author will be told."),
            "into": _("Choose the idea to join it with."),
        }[field]
        if error.code is ErrorCode.INVALID_STATE:
            message = error.message
        return await _proposal_page(request, values, [FieldError(field, message)], 400)
    return redirect(f"/facilitate/proposals/{proposal.id}?done={done}")


@action
async def decline(request: Request, form: FormData) -> Response:
    async def work(
        session: AsyncSession, actor: Actor, proposal_id: int, values: dict[str, str]
    ) -> Proposal:
        return await moderation.decline_proposal(session, actor, proposal_id, values["reason"])

    return await _decide(request, form, work, "reason", "declined")


@action
async def merge(request: Request, form: FormData) -> Response:
    async def work(
        session: AsyncSession, actor: Actor, proposal_id: int, values: dict[str, str]
    ) -> Proposal:
        into = values["into"]
        return await moderation.merge_proposal(
            session, actor, proposal_id, int(into) if into.isdigit() and len(into) < 18 else None
        )

    return await _decide(request, form, work, "into", "merged")
