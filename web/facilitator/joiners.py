"""Who joined a conversation with its code: the facilitator's list, the join limit (the
room's headcount), notes that tell namesakes apart, and duplicates removed or merged.
The rules are in server.auth.joiners; these handlers only translate."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import Response

from server.access import Actor
from server.areas import repository as areas_repo
from server.auth import joiners as joiners_service
from server.errors import DomainError, ErrorCode, NotFound
from web.auth import FieldError, form_text, render, transaction
from web.facilitator.common import (
    action,
    area_context,
    current_actor,
    field_errors,
    int_param,
    page,
    redirect,
)
from web.i18n import gettext as _
from web.i18n import when


async def _page(
    request: Request,
    conversation_id: int,
    *,
    errors: Sequence[FieldError] = (),
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    actor = await current_actor(request)
    async with transaction(request) as session:
        listed = await joiners_service.joiners(session, actor, conversation_id)
        area = (await areas_repo.by_ids(session, [listed.conversation.area_id]))[0]
    notices = {
        "limit": _("The number of people who can join is saved."),
        "removed": _("The duplicate is removed. Their ballots in open votes are gone."),
        "merged": _("The two are merged into one person with one ballot in each open vote."),
        "note": _("The note is saved."),
    }
    conversation = listed.conversation
    return await render(
        request,
        "facilitate/joiners.html",
        {
            **area_context(area),
            "conversation": conversation,
            "joiners": listed.joiners,
            "taken": listed.taken,
            "live": [j for j in listed.joiners if j.live],
            "form": form
            or {"joinLimit": str(conversation.join_limit) if conversation.join_limit else ""},
            "notice": notices.get(request.query_params.get("done", "")),
            "when": when,
        },
        errors=errors,
        status_code=status_code,
    )


@page
async def joiners_page(request: Request) -> Response:
    return await _page(request, int_param(request, "id"))


@action
async def set_join_limit(request: Request, form: FormData) -> Response:
    conversation_id = int_param(request, "id")
    raw = form_text(form, "joinLimit").strip()
    if raw and not raw.isdigit():
        return await _page(
            request,
            conversation_id,
            errors=[FieldError("joinLimit", _("Enter the number of people as a whole number."))],
            form={"joinLimit": raw},
            status_code=400,
        )
    actor = await current_actor(request)
    try:
        async with transaction(request) as session:
            await joiners_service.set_join_limit(
                session, actor, conversation_id, int(raw) if raw else None
            )
    except DomainError as error:
        if error.code in {ErrorCode.FORBIDDEN, ErrorCode.NOT_FOUND}:
            raise
        return await _page(
            request,
            conversation_id,
            errors=[
                FieldError("joinLimit", _("The number of people must be between 1 and 10,000."))
            ],
            form={"joinLimit": raw},
            status_code=400,
        )
    return redirect(f"/facilitate/conversations/{conversation_id}/joiners?done=limit")


def _person_id(form: FormData, name: str) -> int:
    value = form_text(form, name)
    if not value.isdigit() or len(value) > 18:
        raise NotFound("Person", [name])
    return int(value)


async def _change(
    request: Request,
    form: FormData,
    change: Callable[[AsyncSession, Actor], Awaitable[object]],
    done: str,
) -> Response:
    """Make one change to the joiners, then show the list again with what happened (or,
    refused, with why)."""
    conversation_id = int_param(request, "id")
    actor = await current_actor(request)
    try:
        async with transaction(request) as session:
            await change(session, actor)
    except DomainError as error:
        if error.code is ErrorCode.FORBIDDEN:
            raise
        return await _page(
            request, conversation_id, errors=field_errors(error, "joiners"), status_code=400
        )
    return redirect(f"/facilitate/conversations/{conversation_id}/joiners?done={done}")


@action
async def remove_joiner(request: Request, form: FormData) -> Response:
    async def change(session: AsyncSession, actor: Actor) -> object:
        return await joiners_service.remove(
            session, actor, int_param(request, "id"), _person_id(form, "personId")
        )

    return await _change(request, form, change, "removed")


@action
async def merge_joiners(request: Request, form: FormData) -> Response:
    async def change(session: AsyncSession, actor: Actor) -> object:
        return await joiners_service.merge(
            session,
            actor,
            int_param(request, "id"),
            keep_id=_person_id(form, "keepId"),
            duplicate_id=_person_id(form, "duplicateId"),
        )

    return await _change(request, form, change, "merged")


@action
async def set_note(request: Request, form: FormData) -> Response:
    async def change(session: AsyncSession, actor: Actor) -> object:
        return await joiners_service.set_note(
            session,
            actor,
            int_param(request, "id"),
            _person_id(form, "personId"),
            form_text(form, "note"),
        )

    return await _change(request, form, change, "note")
