from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from server.persisted.models import PersistedDocument


async def by_sha256(session: AsyncSession, sha256: str) -> PersistedDocument | None:
    found: PersistedDocument | None = await session.scalar(
        select(PersistedDocument).where(PersistedDocument.sha256 == sha256)
    )
    return found


async def live_text(session: AsyncSession, sha256: str) -> str | None:
    """The text of a registered, unrevoked document."""
    found: str | None = await session.scalar(
        select(PersistedDocument.document).where(
            PersistedDocument.sha256 == sha256, PersistedDocument.revoked_at.is_(None)
        )
    )
    return found


async def add(session: AsyncSession, *, sha256: str, name: str, document: str) -> PersistedDocument:
    created = PersistedDocument(sha256=sha256, name=name, document=document)
    session.add(created)
    await session.flush()
    return created


async def all_documents(session: AsyncSession) -> list[PersistedDocument]:
    return list(
        await session.scalars(select(PersistedDocument).order_by(PersistedDocument.created_at))
    )


async def revoke_by_prefix(session: AsyncSession, prefix: str, at: datetime) -> list[str]:
    """Revoke the live documents whose hash starts with ``prefix``; their hashes."""
    rows = await session.scalars(
        update(PersistedDocument)
        .where(
            PersistedDocument.sha256.startswith(prefix, autoescape=True),
            PersistedDocument.revoked_at.is_(None),
        )
        .values(revoked_at=at)
        .returning(PersistedDocument.sha256)
    )
    return list(rows)
