"""What the room said: answers to a conversation's question, the area's themes they are
tagged with, and the theme summaries (counts and a few consented examples, never who
said what).

Answer consent: an answer may be quoted as an example only when its author ticked
"you may quote my words, without my name" (``may_quote``); for a paper card, when the
card's own box was ticked and the facilitator typing it says so. Everything else is
counted, never shown to anyone but its author and the area's facilitators.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from server import validation
from server.access import Actor
from server.answers import repository
from server.answers.models import DEFAULT_THEMES, Answer, Theme
from server.areas import service as areas
from server.audit import service as audit
from server.conversations import service as conversations
from server.conversations.models import Conversation, ConversationStatus
from server.errors import DomainError, ErrorCode, InvalidInput, InvalidState, NotFound
from server.people.models import Role

MAX_ANSWER_LENGTH = 500
# "Several answers each", not a way to flood the count.
MAX_ANSWERS_PER_PERSON = 20
MAX_THEMES_PER_ANSWER = 5
EXAMPLES_PER_THEME = 3


@dataclass(frozen=True)
class ThemeCount:
    theme: Theme
    answers: int
    examples: list[str]


def clean_theme_name(name: str, field: Sequence[str | int]) -> str:
    return validation.text(name, field, max_length=60, label="Theme").lower()


async def seed_themes(
    session: AsyncSession, area_id: int, names: Sequence[str] = DEFAULT_THEMES
) -> None:
    await repository.add_themes(session, area_id, list(names))


async def create_theme(session: AsyncSession, actor: Actor, *, area_slug: str, name: str) -> Theme:
    area = await areas.get_by_slug(session, area_slug, ["areaSlug"])
    await actor.require(session, area.id, Role.FACILITATOR)
    name = clean_theme_name(name, ["name"])
    if await repository.theme_named(session, area.id, name) is not None:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"{area.name} has a theme '{name}'.", ["name"])
    (theme,) = await repository.add_themes(session, area.id, [name])
    await audit.record(
        session, actor.person_id, "theme.created", ("Theme", theme.id), area_id=area.id
    )
    return theme


async def rename_theme(session: AsyncSession, actor: Actor, theme_id: int, name: str) -> Theme:
    found = await repository.themes_by_ids(session, [theme_id])
    if not found:
        raise NotFound("Theme", ["themeId"])
    theme = found[0]
    await actor.require(session, theme.area_id, Role.FACILITATOR)
    name = clean_theme_name(name, ["name"])
    other = await repository.theme_named(session, theme.area_id, name)
    if other is not None and other.id != theme.id:
        raise DomainError(ErrorCode.ALREADY_EXISTS, f"There is a theme '{name}' already.", ["name"])
    before = theme.name
    theme.name = name
    await session.flush()
    await audit.record(
        session,
        actor.person_id,
        "theme.renamed",
        ("Theme", theme.id),
        area_id=theme.area_id,
        before=before,
    )
    return theme


async def add_answer(
    session: AsyncSession,
    actor: Actor,
    *,
    conversation_id: int,
    body: str,
    from_paper: bool = False,
    may_quote: bool = False,
) -> Answer:
    """A participant answers an open conversation's question; a facilitator types a
    paper card (also after the conversation closed), which then has no author."""
    conversation = await conversations.get(session, conversation_id, ["conversationId"])
    if from_paper:
        await actor.require(session, conversation.area_id, Role.FACILITATOR)
    else:
        await actor.require(session, conversation.area_id, Role.PARTICIPANT)
        if conversation.status is not ConversationStatus.OPEN:
            raise InvalidState("Answers are taken while the conversation is open.")
        if (
            await repository.count_by_author(session, conversation.id, actor.person_id)
            >= MAX_ANSWERS_PER_PERSON
        ):
            raise InvalidInput(
                f"You have given {MAX_ANSWERS_PER_PERSON} answers here already.", ["body"]
            )
    answer = Answer(
        conversation_id=conversation.id,
        author_id=None if from_paper else actor.person_id,
        entered_by_id=actor.person_id if from_paper else None,
        body=validation.text(body, ["body"], max_length=MAX_ANSWER_LENGTH, label="Answer"),
        from_paper=from_paper,
        may_quote=may_quote,
    )
    await repository.add(session, answer)
    await audit.record(
        session,
        actor.person_id,
        "answer.added",
        ("Answer", answer.id),
        area_id=conversation.area_id,
        from_paper=from_paper,
    )
    return answer


async def answer_with_conversation(
    session: AsyncSession, answer_id: int, field: Sequence[str]
) -> tuple[Answer, Conversation]:
    answer = await repository.by_id(session, answer_id)
    if answer is None:
        raise NotFound("Answer", field)
    conversation = await conversations.get(session, answer.conversation_id, list(field))
    return answer, conversation


async def tag_answer(
    session: AsyncSession, actor: Actor, answer_id: int, theme_ids: Sequence[int | None]
) -> Answer:
    """Facilitators tag an answer with themes of its conversation's area (replacing
    the tags it had; an empty list clears them)."""
    answer, conversation = await answer_with_conversation(session, answer_id, ["answerId"])
    await actor.require(session, conversation.area_id, Role.FACILITATOR)
    if len(theme_ids) > MAX_THEMES_PER_ANSWER:
        raise InvalidInput(f"Choose at most {MAX_THEMES_PER_ANSWER} themes.", ["themeIds"])
    known = {
        t.id: t
        for t in await repository.themes_by_ids(session, [t for t in theme_ids if t is not None])
    }
    chosen: list[int] = []
    for index, theme_id in enumerate(theme_ids):
        theme = known.get(theme_id) if theme_id is not None else None
        if theme is None or theme.area_id != conversation.area_id:
            raise NotFound("Theme of this area", ["themeIds", index])
        if theme.id not in chosen:
            chosen.append(theme.id)
    await repository.set_tags(session, answer.id, chosen)
    await audit.record(
        session,
        actor.person_id,
        "answer.tagged",
        ("Answer", answer.id),
        area_id=conversation.area_id,
        theme_ids=chosen,
    )
    return answer


async def sees_every_answer(session: AsyncSession, actor: Actor, area_id: int) -> bool:
    return await actor.has_role(session, area_id, Role.FACILITATOR)


async def can_read(session: AsyncSession, actor: Actor, answer: Answer, area_id: int) -> bool:
    """Facilitators of the area read every answer; anyone else only their own."""
    return answer.author_id == actor.person_id or await sees_every_answer(session, actor, area_id)


def _summarise(
    tallies: Sequence[repository.Tally],
    themes: dict[int, Theme],
    examples: Sequence[tuple[int, str]],
    prefer_area: int,
) -> list[ThemeCount]:
    """One row per theme name: areas beneath count towards the area's own theme of that
    name (a template copies the names, so a city's "housing" adds up its areas')."""
    by_name: dict[str, list[repository.Tally]] = {}
    for tally in tallies:
        by_name.setdefault(tally.theme_name.lower(), []).append(tally)
    quoted: dict[int, list[str]] = {}
    for theme_id, body in examples:
        quoted.setdefault(theme_id, []).append(body)
    rows = []
    for group in by_name.values():
        shown = next((t for t in group if t.theme_area_id == prefer_area), group[0])
        words = [w for t in group for w in quoted.get(t.theme_id, [])][:EXAMPLES_PER_THEME]
        rows.append(ThemeCount(themes[shown.theme_id], sum(t.answers for t in group), words))
    rows.sort(key=lambda row: (-row.answers, row.theme.name))
    return rows


async def conversation_summary(
    session: AsyncSession, conversation: Conversation
) -> list[ThemeCount]:
    tallies = await repository.tallies(session, conversation_ids=[conversation.id])
    ids = [t.theme_id for t in tallies]
    themes = {t.id: t for t in await repository.themes_by_ids(session, ids)}
    examples = await repository.examples(
        session, ids, conversation_ids=[conversation.id], per_theme=EXAMPLES_PER_THEME
    )
    return _summarise(tallies, themes, examples, conversation.area_id)


async def area_summary(
    session: AsyncSession, actor: Actor, area_id: int, *, include_children: bool
) -> list[ThemeCount]:
    tree = await actor.tree(session)
    area_ids = tree.descendants(area_id) if include_children else [area_id]
    tallies = await repository.tallies(session, area_ids=area_ids)
    ids = [t.theme_id for t in tallies]
    themes = {t.id: t for t in await repository.themes_by_ids(session, ids)}
    examples = await repository.examples(
        session, ids, area_ids=area_ids, per_theme=EXAMPLES_PER_THEME
    )
    return _summarise(tallies, themes, examples, area_id)
