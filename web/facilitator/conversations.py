"""Conversations: start one, show its join code to the room or on paper, record the
stories told at it (within the teller's consent), withdraw a story, close it."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.areas import repository as areas_repo
from server.areas import service as areas
from server.areas.models import Area
from server.config import Settings
from server.conversations import repository as conversations_repo
from server.conversations import service as conversations
from server.conversations.models import ConsentScope, Conversation, ConversationStatus, Story
from server.errors import DomainError, ErrorCode
from web.auth import FieldError, render, saved, transaction
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

CONVERSATION_FIELDS = ("title", "prompt", "startsDate", "startsTime", "location")
STORY_FIELDS = ("tellerPseudonym", "body", "consentScope")


def consent_choices() -> list[tuple[str, str, str]]:
    return [
        (
            ConsentScope.FACILITATORS.value,
            _("Only facilitators"),
            _("Kept for the people running the conversations."),
        ),
        (
            ConsentScope.PARTICIPANTS.value,
            _("People taking part in this area"),
            _("Anyone who has joined a conversation or signed up here."),
        ),
        (
            ConsentScope.PUBLIC.value,
            _("Everyone"),
            _("Anyone can read it, including people who are not signed in."),
        ),
    ]


def consent_label(scope: ConsentScope) -> str:
    return {value: label for value, label, _hint in consent_choices()}[scope.value]


def status_label(status: ConversationStatus) -> str:
    return {
        ConversationStatus.PLANNED: _("Planned"),
        ConversationStatus.OPEN: _("Open"),
        ConversationStatus.CLOSED: _("Closed"),
    }[status]


def join_url(request: Request) -> str:
    settings: Settings = request.app.state.settings
    base = settings.public_url or str(request.base_url)
    return base.rstrip("/") + "/auth/join"


async def _conversation(
    session: AsyncSession, actor: Actor, conversation_id: int
) -> tuple[Conversation, Area]:
    conversation = await conversations_repo.by_id(session, conversation_id)
    if conversation is None:
        raise PageNotFound
    await require_facilitator(session, actor, conversation.area_id)
    (area,) = await areas_repo.by_ids(session, [conversation.area_id])
    return conversation, area


# Starting a conversation.


async def _new_form(
    request: Request,
    area: Area,
    values: dict[str, str],
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "facilitate/conversation_new.html",
        {**area_context(area), "form": values},
        errors=errors,
        status_code=status_code,
    )


@page
async def new_conversation(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
        settings = await areas.settings_of(session, area.id)
    defaults = dict.fromkeys(CONVERSATION_FIELDS, "")
    # The area's first question, in the page's language when it is still the default.
    first = settings.prompts[0]
    defaults["prompt"] = _("What keeps you well?") if first == areas.DEFAULT_PROMPT else first
    return await _new_form(request, area, defaults, [])


@action
async def start_conversation(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    values = texts(form, CONVERSATION_FIELDS)
    async with transaction(request) as session:
        area = await facilitated_area(session, actor, request.path_params["slug"])
    errors = required(
        values,
        {
            "title": _("Enter a title for the conversation."),
            "prompt": _("Enter the question people will talk about."),
        },
    )
    starts_at, date_errors = local_datetime(
        values,
        "startsDate",
        "startsTime",
        date_message=_("Enter the date it starts, for example 2026-03-17."),
        time_message=_("Enter the time it starts, for example 18:30."),
    )
    errors += date_errors
    if not errors:
        try:
            conversation = await saved(
                request,
                lambda session: conversations.start_conversation(
                    session,
                    actor,
                    area_slug=area.slug,
                    title=values["title"],
                    prompt=values["prompt"],
                    starts_at=starts_at,
                    location=values["location"],
                ),
            )
            return redirect(f"/facilitate/conversations/{conversation.id}?done=started")
        except DomainError as error:
            if error.code is ErrorCode.FORBIDDEN:
                raise
            errors = field_errors(error, "title", {"startsAt": "startsDate"})
    return await _new_form(request, area, values, errors, 400)


# One conversation, its code and its stories.

NOTICES = {
    "started": lambda: _("Conversation started"),
    "opened": lambda: _("Conversation opened"),
    "closed": lambda: _("Conversation closed. Its join code no longer works."),
    "story": lambda: _("Story recorded"),
    "withdrawn": lambda: _("Story withdrawn. Its words have been removed everywhere."),
    "record": lambda: _("The record is saved"),
}


def _notice(request: Request, notices: dict[str, Any]) -> str | None:
    done = request.query_params.get("done", "")
    found = notices.get(done)
    return str(found()) if found else None


@page
async def conversation_page(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
        stories = await conversations_repo.stories_for(session, [conversation.id])
    return await render(
        request,
        "facilitate/conversation.html",
        {
            **area_context(area),
            "conversation": conversation,
            "status": status_label(conversation.status),
            "starts": when(conversation.starts_at),
            "stories": stories,
            "consent_label": consent_label,
            "notice": _notice(request, NOTICES),
            "join_url": join_url(request),
        },
    )


async def _sheet(request: Request, template: str) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
    return await render(
        request,
        template,
        {
            **area_context(area),
            "conversation": conversation,
            "starts": when(conversation.starts_at),
            "join_url": join_url(request),
            "closed": conversation.status is ConversationStatus.CLOSED,
        },
    )


@page
async def join_code(request: Request) -> Response:
    return await _sheet(request, "facilitate/code.html")


@page
async def print_sheet(request: Request) -> Response:
    return await _sheet(request, "facilitate/print.html")


async def _change_status(request: Request, status: ConversationStatus, done: str) -> Response:
    actor = await current_actor(request)
    conversation_id = int_param(request, "id")
    async with transaction(request) as session:
        await _conversation(session, actor, conversation_id)
    try:
        await saved(
            request,
            lambda session: conversations.set_status(session, actor, conversation_id, status),
        )
    except DomainError as error:
        if error.code in (ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND):
            raise
        # Already closed (say, in another tab): nothing to do but show where it stands.
        return redirect(f"/facilitate/conversations/{conversation_id}")
    return redirect(f"/facilitate/conversations/{conversation_id}?done={done}")


@page
async def confirm_close(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
    if conversation.status is ConversationStatus.CLOSED:
        return redirect(f"/facilitate/conversations/{conversation.id}")
    return await render(
        request,
        "facilitate/conversation_close.html",
        {**area_context(area), "conversation": conversation},
    )


@action
async def close_conversation(request: Request, form: FormData) -> Response:
    return await _change_status(request, ConversationStatus.CLOSED, "closed")


@action
async def open_conversation(request: Request, form: FormData) -> Response:
    return await _change_status(request, ConversationStatus.OPEN, "opened")


# Stories.


async def _story_form(
    request: Request,
    conversation: Conversation,
    area: Area,
    values: dict[str, str],
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    return await render(
        request,
        "facilitate/story_new.html",
        {
            **area_context(area),
            "conversation": conversation,
            "form": values,
            "consent_choices": consent_choices(),
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def new_story(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
    return await _story_form(request, conversation, area, dict.fromkeys(STORY_FIELDS, ""), [])


@action
async def add_story(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    values = texts(form, STORY_FIELDS)
    async with transaction(request) as session:
        conversation, area = await _conversation(session, actor, int_param(request, "id"))
    errors = required(
        values,
        {
            "tellerPseudonym": _("Enter a name to show with the story, such as a first name."),
            "body": _("Enter the story."),
        },
    )
    scopes = {scope.value: scope for scope in ConsentScope}
    if values["consentScope"] not in scopes:
        errors.append(FieldError("consentScope", _("Choose who the teller agreed can read it.")))
    if not errors:
        try:
            await saved(
                request,
                lambda session: conversations.add_story(
                    session,
                    actor,
                    conversation_id=conversation.id,
                    teller_pseudonym=values["tellerPseudonym"],
                    body=values["body"],
                    consent_scope=scopes[values["consentScope"]],
                ),
            )
            return redirect(f"/facilitate/conversations/{conversation.id}?done=story")
        except DomainError as error:
            if error.code is ErrorCode.FORBIDDEN:
                raise
            errors = field_errors(error, "body")
    return await _story_form(request, conversation, area, values, errors, 400)


async def _story(
    session: AsyncSession, actor: Actor, story_id: int
) -> tuple[Story, Conversation, Area]:
    story = await conversations_repo.story_by_id(session, story_id)
    if story is None:
        raise PageNotFound
    conversation, area = await _conversation(session, actor, story.conversation_id)
    return story, conversation, area


@page
async def confirm_withdraw(request: Request) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        story, conversation, area = await _story(session, actor, int_param(request, "id"))
    if story.withdrawn_at is not None:
        return redirect(f"/facilitate/conversations/{conversation.id}")
    return await render(
        request,
        "facilitate/story_withdraw.html",
        {**area_context(area), "story": story, "conversation": conversation},
    )


@action
async def withdraw_story(request: Request, form: FormData) -> Response:
    actor = await current_actor(request)
    story_id = int_param(request, "id")
    async with transaction(request) as session:
        _story_row, conversation, _area_row = await _story(session, actor, story_id)
    await saved(request, lambda session: conversations.withdraw_story(session, actor, story_id))
    return redirect(f"/facilitate/conversations/{conversation.id}?done=withdrawn")
