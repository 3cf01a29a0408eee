from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin


class PersistedDocument(IdMixin, CreatedAtMixin, Base):
    """A GraphQL document a board client may run by its SHA-256 (``sha256:<hex>``) without
    sending its text; tokens with the ``persisted-only`` scope may run nothing else.
    Revoked documents stay for the record and answer as unknown."""

    __tablename__ = "persisted_documents"
    __table_args__ = (
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256_hex"),
        CheckConstraint("length(document) > 0", name="document_not_empty"),
    )

    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    document: Mapped[str] = mapped_column(Text)
    revoked_at: Mapped[datetime | None]
