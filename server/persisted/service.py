"""Registering, listing and revoking persisted documents (the CLI's ``queries``)."""

from __future__ import annotations

import hashlib
import re

from sqlalchemy.ext.asyncio import AsyncSession

from server import clock
from server.errors import DomainError, ErrorCode, InvalidInput
from server.persisted import repository
from server.persisted.models import PersistedDocument

PREFIX = "sha256:"
_HEX = re.compile(r"[0-9a-f]{64}")


def document_id(text: str) -> str:
    """What a client sends instead of the text: ``sha256:`` and the hex of its UTF-8."""
    return PREFIX + hashlib.sha256(text.encode()).hexdigest()


def parse_document_id(value: str) -> str | None:
    """The hex digest in ``sha256:<hex>`` (or a bare hex, as Apollo clients send)."""
    digest = value.removeprefix(PREFIX).lower()
    return digest if _HEX.fullmatch(digest) else None


async def register(session: AsyncSession, text: str, name: str) -> tuple[PersistedDocument, bool]:
    """The document for ``text``, registered now unless it already was (True if new).
    Registering a revoked document again is refused: revocation is deliberate."""
    digest = hashlib.sha256(text.encode()).hexdigest()
    existing = await repository.by_sha256(session, digest)
    if existing is not None:
        if existing.revoked_at is not None:
            raise DomainError(
                ErrorCode.ALREADY_EXISTS,
                f"{PREFIX}{digest} was revoked; change the document to register it again.",
            )
        return existing, False
    if not name.strip() or len(name) > 200:
        raise InvalidInput("Name the document in at most 200 characters.", ["name"])
    return await repository.add(session, sha256=digest, name=name.strip(), document=text), True


async def documents(session: AsyncSession) -> list[PersistedDocument]:
    return await repository.all_documents(session)


async def revoke(session: AsyncSession, prefix: str) -> str:
    """Revoke the one live document whose id starts with ``prefix`` (at least 8 hex)."""
    digest = prefix.removeprefix(PREFIX).lower()
    if not re.fullmatch(r"[0-9a-f]{8,64}", digest):
        raise InvalidInput("Give at least 8 hex digits of the document's id.", ["id"])
    revoked = await repository.revoke_by_prefix(session, digest, clock.now())
    if not revoked:
        raise DomainError(ErrorCode.NOT_FOUND, f"No live document starts with {prefix}.")
    if len(revoked) > 1:
        raise InvalidInput(f"{prefix} names more than one document; give more digits.", ["id"])
    return PREFIX + revoked[0]
