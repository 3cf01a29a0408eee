"""Conversations, their stories and ideas; proposing an idea; a proposal and its comments."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import AsyncSession
from starlette.datastructures import FormData
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from server.access import Actor
from server.areas import repository as areas_repo
from server.areas.models import Area
from server.comments import repository as comments_repo
from server.comments import service as comments
from server.comments.models import MAX_DEPTH, Comment
from server.conversations import repository as conversations_repo
from server.conversations import service as conversations
from server.conversations.models import Conversation, Story
from server.errors import DomainError
from server.inputs import parse_id
from server.people import repository as people_repo
from server.people.models import Role
from server.proposals import repository as proposals_repo
from server.proposals import service as proposals
from server.proposals.models import Proposal
from web.auth import FieldError, form_text, transaction
from web.resident.common import (
    exists,
    field_error,
    form_page,
    is_htmx,
    page,
    path_id,
    show,
    write,
)
from web.resident.talk import conversation_context as talk_context

COMMENT_LIMIT = 100


@dataclass(frozen=True)
class StoryView:
    story: Story
    # None when the viewer may not read it (consent), or it was withdrawn.
    body: str | None


async def _conversation(session: AsyncSession, request: Request) -> tuple[Conversation, Area]:
    conversation = exists(await conversations_repo.by_id(session, path_id(request)))
    (area,) = await areas_repo.by_ids(session, [conversation.area_id])
    return conversation, area


@page
async def conversation_page(request: Request, actor: Actor) -> Response:
    return await conversation_page_with(request, actor)


async def conversation_page_with(
    request: Request,
    actor: Actor,
    *,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        conversation, area = await _conversation(session, request)
        stories = [
            StoryView(
                story,
                story.body
                if await conversations.can_read_story_body(session, actor, story, area.id)
                else None,
            )
            for story in await conversations_repo.stories_for(session, [conversation.id])
        ]
        ideas = await proposals_repo.for_conversations(session, [conversation.id])
        taking_part = await actor.has_role(session, area.id, Role.PARTICIPANT)
        talk = await talk_context(session, actor, conversation)
    return await show(
        request,
        "resident/conversation.html",
        {
            "conversation": conversation,
            "area": area,
            "stories": stories,
            "ideas": ideas,
            "taking_part": taking_part,
            **talk,
            "form": values or {},
            "answered": request.query_params.get("answered") == "1",
        },
        errors=errors or [],
        status_code=status_code,
    )


async def _propose_form(
    request: Request,
    actor: Actor,
    values: dict[str, str],
    errors: list[FieldError],
    status_code: int = 200,
) -> Response:
    async with transaction(request) as session:
        conversation, area = await _conversation(session, request)
        taking_part = await actor.has_role(session, area.id, Role.PARTICIPANT)
    return await show(
        request,
        "resident/propose.html",
        {"conversation": conversation, "area": area, "form": values, "taking_part": taking_part},
        errors=errors,
        status_code=status_code,
    )


@page
async def propose_page(request: Request, actor: Actor) -> Response:
    return await _propose_form(request, actor, {"title": "", "description": ""}, [])


@form_page
async def propose(request: Request, actor: Actor, form: FormData) -> Response:
    values = {"title": form_text(form, "title"), "description": form_text(form, "description")}
    conversation_id = path_id(request)

    async def work(session: AsyncSession) -> Proposal:
        conversation = exists(await conversations_repo.by_id(session, conversation_id))
        (area,) = await areas_repo.by_ids(session, [conversation.area_id])
        return await proposals.propose_item(
            session,
            actor,
            area_slug=area.slug,
            title=values["title"],
            description=values["description"],
            conversation_id=conversation.id,
        )

    try:
        proposal = await write(request, actor, work)
    except DomainError as error:
        where = error.field[0] if error.field and error.field[0] in values else "title"
        return await _propose_form(
            request, actor, values, [field_error(error, where)], status_code=400
        )
    return RedirectResponse(f"/proposals/{proposal.id}?shared=1", status_code=303)


@dataclass
class Thread:
    comment: Comment
    author: str
    replies: list[Thread] = field(default_factory=list)


async def _threads(session: AsyncSession, proposal_id: int) -> list[Thread]:
    """Top-level comments oldest first, replies beneath (one statement per level)."""
    top = await comments_repo.threads_for_proposals(
        session, [proposal_id], after_id=None, limit=COMMENT_LIMIT
    )
    levels = [top]
    for _ in range(MAX_DEPTH - 1):
        parents = [c.id for c in levels[-1]]
        levels.append(await comments_repo.replies_to(session, parents) if parents else [])
    everyone = {c.author_id for level in levels for c in level}
    # Display names only, never kind, role or organisation ("lanyards off").
    names = {p.id: p.display_name for p in await people_repo.by_ids(session, list(everyone))}
    made = {c.id: Thread(c, names[c.author_id]) for level in levels for c in level}
    for level in levels[1:]:
        for reply in level:
            assert reply.parent_id is not None
            made[reply.parent_id].replies.append(made[reply.id])
    return [made[c.id] for c in top]


async def _proposal_page(
    request: Request,
    actor: Actor,
    *,
    errors: list[FieldError] | None = None,
    values: dict[str, str] | None = None,
    added: int | None = None,
    status_code: int = 200,
) -> Response:
    proposal_id = path_id(request)
    async with transaction(request) as session:
        proposal = exists(await proposals_repo.by_id(session, proposal_id))
        (area,) = await areas_repo.by_ids(session, [proposal.area_id])
        (author,) = await people_repo.by_ids(session, [proposal.author_id])
        conversation = (
            await conversations_repo.by_id(session, proposal.conversation_id)
            if proposal.conversation_id is not None
            else None
        )
        merged_into = (
            await proposals_repo.by_id(session, proposal.merged_into_id)
            if proposal.merged_into_id is not None
            else None
        )
        threads = await _threads(session, proposal.id)
        taking_part = await actor.has_role(session, area.id, Role.PARTICIPANT)
    context = {
        "proposal": proposal,
        "area": area,
        "author": author.display_name,
        "conversation": conversation,
        "merged_into": merged_into,
        "threads": threads,
        "max_depth": MAX_DEPTH,
        "taking_part": taking_part,
        "form": values or {},
        "shared": request.query_params.get("shared") == "1",
        "added": added,
        "fragment": is_htmx(request),
    }
    template = "resident/_comments.html" if is_htmx(request) else "resident/proposal.html"
    return await show(request, template, context, errors=errors or [], status_code=status_code)


@page
async def proposal_page(request: Request, actor: Actor) -> Response:
    return await _proposal_page(request, actor)


@form_page
async def comment(request: Request, actor: Actor, form: FormData) -> Response:
    proposal_id = path_id(request)
    body = form_text(form, "body")
    parent_id = parse_id(form_text(form, "parent"))
    # The field the error summary links to: the box that was typed in.
    box = f"body-{parent_id}" if parent_id else "body"

    async def work(session: AsyncSession) -> Comment:
        return await comments.add_comment(
            session, actor, proposal_id=proposal_id, parent_id=parent_id, body=body
        )

    try:
        added = await write(request, actor, work)
    except DomainError as error:
        return await _proposal_page(
            request,
            actor,
            errors=[field_error(error, box)],
            values={box: body},
            # htmx swaps only successful answers unless told otherwise (see resident.js).
            status_code=400,
        )
    if is_htmx(request):
        return await _proposal_page(request, actor, added=added.id)
    return RedirectResponse(f"/proposals/{proposal_id}#comment-{added.id}", status_code=303)
