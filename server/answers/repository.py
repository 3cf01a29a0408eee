from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from server.answers.models import Answer, AnswerTheme, Theme
from server.conversations.models import Conversation
from server.pagination import page_per_parent


async def themes_by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Theme]:
    return list(await session.scalars(select(Theme).where(Theme.id.in_(ids))))


async def themes_for_areas(session: AsyncSession, area_ids: Sequence[int]) -> list[Theme]:
    return list(
        await session.scalars(
            select(Theme)
            .where(Theme.area_id.in_(area_ids))
            .order_by(Theme.area_id, func.lower(Theme.name), Theme.id)
        )
    )


async def theme_named(session: AsyncSession, area_id: int, name: str) -> Theme | None:
    return await session.scalar(
        select(Theme).where(Theme.area_id == area_id, func.lower(Theme.name) == name.lower())
    )


async def add_themes(session: AsyncSession, area_id: int, names: Sequence[str]) -> list[Theme]:
    themes = [Theme(area_id=area_id, name=name) for name in names]
    session.add_all(themes)
    await session.flush()
    return themes


async def add(session: AsyncSession, answer: Answer) -> None:
    session.add(answer)
    await session.flush()


async def by_id(session: AsyncSession, answer_id: int) -> Answer | None:
    return await session.get(Answer, answer_id)


async def by_ids(session: AsyncSession, ids: Sequence[int]) -> list[Answer]:
    return list(await session.scalars(select(Answer).where(Answer.id.in_(ids))))


async def count_by_author(session: AsyncSession, conversation_id: int, author_id: int) -> int:
    found: int = (
        await session.scalar(
            select(func.count()).where(
                Answer.conversation_id == conversation_id, Answer.author_id == author_id
            )
        )
        or 0
    )
    return found


async def page_for_conversations(
    session: AsyncSession,
    conversation_ids: Sequence[int],
    *,
    author_id: int | None,
    after_id: int | None,
    limit: int,
) -> list[Answer]:
    """Newest first, up to ``limit`` per conversation; only ``author_id``'s when given."""
    where = [Answer.author_id == author_id] if author_id is not None else []
    return await page_per_parent(
        session,
        Answer,
        Answer.conversation_id,
        conversation_ids,
        after_id=after_id,
        limit=limit,
        where=where,
    )


async def counts_for_conversations(
    session: AsyncSession, conversation_ids: Sequence[int], author_id: int | None
) -> dict[int, int]:
    statement = (
        select(Answer.conversation_id, func.count())
        .where(Answer.conversation_id.in_(conversation_ids))
        .group_by(Answer.conversation_id)
    )
    if author_id is not None:
        statement = statement.where(Answer.author_id == author_id)
    return dict((await session.execute(statement)).all())


async def for_conversation(session: AsyncSession, conversation_id: int) -> list[Answer]:
    return list(
        await session.scalars(
            select(Answer).where(Answer.conversation_id == conversation_id).order_by(Answer.id)
        )
    )


async def tags_for(session: AsyncSession, answer_ids: Sequence[int]) -> list[tuple[int, Theme]]:
    rows = await session.execute(
        select(AnswerTheme.answer_id, Theme)
        .join(Theme, Theme.id == AnswerTheme.theme_id)
        .where(AnswerTheme.answer_id.in_(answer_ids))
        .order_by(AnswerTheme.answer_id, func.lower(Theme.name))
    )
    return [(answer_id, theme) for answer_id, theme in rows]


async def set_tags(session: AsyncSession, answer_id: int, theme_ids: Sequence[int]) -> None:
    await session.execute(delete(AnswerTheme).where(AnswerTheme.answer_id == answer_id))
    if theme_ids:
        await session.execute(
            insert(AnswerTheme), [{"answer_id": answer_id, "theme_id": t} for t in theme_ids]
        )


@dataclass(frozen=True)
class Tally:
    theme_id: int
    theme_name: str
    theme_area_id: int
    answers: int


async def tallies(
    session: AsyncSession,
    *,
    conversation_ids: Sequence[int] | None = None,
    area_ids: Sequence[int] | None = None,
) -> list[Tally]:
    """Answers per theme (hidden answers left out), over some conversations or over
    every conversation in some areas; every theme of the areas is listed, even at 0."""
    scope = select(Answer.id, AnswerTheme.theme_id).join(
        AnswerTheme, AnswerTheme.answer_id == Answer.id
    )
    if conversation_ids is not None:
        scope = scope.where(Answer.conversation_id.in_(conversation_ids))
        theme_areas = select(Conversation.area_id).where(Conversation.id.in_(conversation_ids))
    else:
        assert area_ids is not None
        scope = scope.join(Conversation, Conversation.id == Answer.conversation_id).where(
            Conversation.area_id.in_(area_ids)
        )
        theme_areas = select(Theme.area_id).where(Theme.area_id.in_(area_ids))
    tagged = scope.where(Answer.hidden_at.is_(None)).subquery()
    rows = await session.execute(
        select(Theme.id, Theme.name, Theme.area_id, func.count(tagged.c.id))
        .outerjoin(tagged, tagged.c.theme_id == Theme.id)
        .where(Theme.area_id.in_(theme_areas))
        .group_by(Theme.id)
        .order_by(func.count(tagged.c.id).desc(), func.lower(Theme.name), Theme.id)
    )
    return [Tally(*row) for row in rows]


async def examples(
    session: AsyncSession,
    theme_ids: Sequence[int],
    *,
    conversation_ids: Sequence[int] | None = None,
    area_ids: Sequence[int] | None = None,
    per_theme: int,
) -> list[tuple[int, str]]:
    """A few (theme id, words) of the newest answers whose authors agreed to be quoted,
    not hidden; never who said them."""
    position = (
        func.row_number()
        .over(partition_by=AnswerTheme.theme_id, order_by=Answer.id.desc())
        .label("position")
    )
    inner = (
        select(AnswerTheme.theme_id, Answer.body, position)
        .join(Answer, Answer.id == AnswerTheme.answer_id)
        .where(
            AnswerTheme.theme_id.in_(theme_ids),
            Answer.may_quote.is_(True),
            Answer.hidden_at.is_(None),
        )
    )
    if conversation_ids is not None:
        inner = inner.where(Answer.conversation_id.in_(conversation_ids))
    if area_ids is not None:
        inner = inner.join(Conversation, Conversation.id == Answer.conversation_id).where(
            Conversation.area_id.in_(area_ids)
        )
    ranked = inner.subquery()
    rows = await session.execute(
        select(ranked.c.theme_id, ranked.c.body)
        .where(ranked.c.position <= per_theme)
        .order_by(ranked.c.theme_id, ranked.c.position)
    )
    return list(rows)
