"""Keyset pages for many parents in one statement (used by request-scoped loaders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

T = TypeVar("T")

MAX_PAGE = 100


async def page_per_parent(
    session: AsyncSession,
    model: type[T],
    parent: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    *,
    after_id: int | None,
    limit: int,
    newest_first: bool = True,
    where: Sequence[ColumnElement[bool]] = (),
) -> list[T]:
    """Up to ``limit`` rows per parent, keyed on ``id`` after ``after_id``.

    Ordered by parent, then id (descending when ``newest_first``).
    """
    ident: InstrumentedAttribute[int] = model.id  # type: ignore[attr-defined]
    order = ident.desc() if newest_first else ident.asc()
    position = func.row_number().over(partition_by=parent, order_by=order).label("position")
    inner = select(ident.label("id"), position).where(parent.in_(parent_ids), *where)
    if after_id is not None:
        inner = inner.where(ident < after_id if newest_first else ident > after_id)
    ranked = inner.subquery()
    statement = (
        select(model)
        .join(ranked, ident == ranked.c.id)
        .where(ranked.c.position <= limit)
        .order_by(parent, order)
    )
    return list(await session.scalars(statement))
