from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor
from server.answers import repository as answers_repo
from server.answers import service as answers
from server.areas import service as areas
from server.audit import service as audit
from server.conversations import repository as conversations_repo
from server.errors import InvalidInput, InvalidState, NotFound
from server.people.models import Role
from server.proposals import repository
from server.proposals.models import Proposal, ProposalRevision, ProposalStatus

MAX_THEMES = 5


def clean_themes(themes: list[str] | None) -> list[str]:
    if not themes:
        return []
    cleaned: list[str] = []
    for index, theme in enumerate(themes):
        value = validation.text(theme, ["themes", index], max_length=40, label="Theme").lower()
        if value not in cleaned:
            cleaned.append(value)
    if len(cleaned) > MAX_THEMES:
        raise InvalidInput(f"Choose at most {MAX_THEMES} themes.", ["themes"])
    return cleaned


async def get(session: AsyncSession, proposal_id: int, field: list[str]) -> Proposal:
    proposal = await repository.by_id(session, proposal_id)
    if proposal is None:
        raise NotFound("Proposal", field)
    return proposal


async def propose_item(
    session: AsyncSession,
    actor: Actor,
    *,
    area_slug: str,
    title: str,
    description: str,
    conversation_id: int | None,
    story_id: int | None = None,
    themes: list[str] | None = None,
    answer_id: int | None = None,
    theme_id: int | None = None,
) -> Proposal:
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.PARTICIPANT)
    title = validation.text(title, ["title"], max_length=200, label="Title")
    description = validation.text(
        description, ["description"], max_length=10_000, label="Description", multiline=True
    )
    # Every reference is checked against the target area: a story brings its
    # conversation with it, so both must have taken place here or in an area above.
    conversation_field = ["conversationId"]
    if story_id is not None:
        story = await conversations_repo.story_by_id(session, story_id)
        if story is None:
            raise NotFound("Story", ["storyId"])
        if conversation_id is None:
            conversation_id, conversation_field = story.conversation_id, ["storyId"]
        elif story.conversation_id != conversation_id:
            raise InvalidInput("That story was told at another conversation.", ["storyId"])
    themes = clean_themes(themes)
    if answer_id is not None:
        answer = await answers_repo.by_id(session, answer_id)
        answer_conversation = (
            await conversations_repo.by_id(session, answer.conversation_id) if answer else None
        )
        if (
            answer is None
            or answer_conversation is None
            or not await answers.can_read(session, actor, answer, answer_conversation.area_id)
        ):
            raise NotFound("Answer", ["answerId"])
        if conversation_id is None:
            conversation_id, conversation_field = answer.conversation_id, ["answerId"]
        elif answer.conversation_id != conversation_id:
            raise InvalidInput("That answer was given at another conversation.", ["answerId"])
    if conversation_id is not None:
        conversation = await conversations_repo.by_id(session, conversation_id)
        if conversation is None:
            raise NotFound("Conversation", conversation_field)
        tree = await actor.tree(session)
        if conversation.area_id not in tree.ancestors(area.id):
            raise InvalidInput("That conversation took place in another area.", conversation_field)
    if theme_id is not None:
        found = await answers_repo.themes_by_ids(session, [theme_id])
        tree = await actor.tree(session)
        if not found or found[0].area_id not in tree.ancestors(area.id):
            raise NotFound("Theme of this area", ["themeId"])
        if found[0].name not in themes and len(themes) < MAX_THEMES:
            themes.append(found[0].name[:40])
    proposal = Proposal(
        area_id=area.id,
        title=title,
        description=description,
        author_id=actor.person_id,
        conversation_id=conversation_id,
        story_id=story_id,
        themes=themes,
        status=ProposalStatus.OPEN,
        answer_id=answer_id,
        theme_id=theme_id,
    )
    await repository.add(session, proposal)
    await audit.record(
        session, actor.person_id, "proposal.created", ("Proposal", proposal.id), area_id=area.id
    )
    return proposal


async def edit_proposal(
    session: AsyncSession,
    actor: Actor,
    proposal_id: int,
    *,
    title: str | None,
    description: str | None,
    themes: list[str] | None,
) -> Proposal:
    """Authors (and facilitators) edit open proposals; the old text is kept as a revision."""
    proposal = await repository.for_update(session, proposal_id)
    if proposal is None:
        raise NotFound("Proposal", ["proposalId"])
    if proposal.author_id == actor.person_id:
        await actor.require(session, proposal.area_id, Role.PARTICIPANT)
    else:
        await actor.require(session, proposal.area_id, Role.FACILITATOR)
    if proposal.status not in (ProposalStatus.OPEN, ProposalStatus.SHORTLISTED):
        raise InvalidState(f"A {proposal.status.value} proposal can no longer be edited.")
    await repository.add(
        session,
        ProposalRevision(
            proposal_id=proposal.id,
            title=proposal.title,
            description=proposal.description,
            edited_by_id=actor.person_id,
        ),
    )
    if title is not None:
        proposal.title = validation.text(title, ["title"], max_length=200, label="Title")
    if description is not None:
        proposal.description = validation.text(
            description, ["description"], max_length=10_000, label="Description", multiline=True
        )
    if themes is not None:
        proposal.themes = clean_themes(themes)
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "proposal.edited",
        ("Proposal", proposal.id),
        area_id=proposal.area_id,
    )
    return proposal


async def set_status(
    session: AsyncSession, actor: Actor, proposal_id: int, status: ProposalStatus
) -> Proposal:
    """Facilitators shortlist a proposal, or reopen a shortlisted or declined one.

    Declining and merging are moderation (``server.moderation.service``); ADOPTED is
    reached only by adopting a priority; a merged proposal stays merged, since its
    comments and marks have moved to its target.
    """
    proposal = await repository.for_update(session, proposal_id)
    if proposal is None:
        raise NotFound("Proposal", ["proposalId"])
    await actor.require(session, proposal.area_id, Role.FACILITATOR)
    if status not in (ProposalStatus.OPEN, ProposalStatus.SHORTLISTED):
        raise InvalidInput("Adopt a priority from a closed round instead.", ["status"])
    if proposal.status is ProposalStatus.ADOPTED:
        raise InvalidState("An adopted proposal's status follows its action.")
    if proposal.status is ProposalStatus.MERGED:
        raise InvalidState("A merged proposal stays merged.")
    proposal.status = status
    proposal.status_reason = None
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        f"proposal.{status.value}",
        ("Proposal", proposal.id),
        area_id=proposal.area_id,
    )
    return proposal
