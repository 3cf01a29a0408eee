from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from server.db import Base, CreatedAtMixin, IdMixin


class ApiToken(IdMixin, CreatedAtMixin, Base):
    """A bearer token for API clients. Only a SHA-256 of the secret is kept."""

    __tablename__ = "api_tokens"
    __table_args__ = (
        CheckConstraint(
            "cardinality(scopes) > 0 AND scopes <@ "
            "ARRAY['read', 'write', 'introspect', 'persisted-only']::varchar[]",
            name="scopes_known",
        ),
    )

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))
    prefix: Mapped[str] = mapped_column(String(24), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(ARRAY(String(16)))
    expires_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class BrowserSession(IdMixin, CreatedAtMixin, Base):
    """A signed-in browser. The cookie carries a random id; only its SHA-256 is kept."""

    __tablename__ = "browser_sessions"

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    method: Mapped[str] = mapped_column(String(32))
    expires_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]


class ExternalIdentity(IdMixin, CreatedAtMixin, Base):
    """A person's account at an OpenID Connect provider or a JWT issuer (by subject)."""

    __tablename__ = "external_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(255))
    last_used_at: Mapped[datetime | None]


class OAuthState(Base):
    """An OpenID Connect sign-in in progress (state, nonce, PKCE verifier), kept
    server-side so the browser only holds a signed marker."""

    __tablename__ = "oauth_states"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]


class PersonalCode(Base):
    """A join-code person's way back in after signing out (they have no email or
    password): a random code shown to them once. Only its SHA-256 is kept."""

    __tablename__ = "personal_codes"

    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())


class ConversationJoin(IdMixin, Base):
    """Someone joining a conversation with its code: who, when, from which browser, and
    whether the join made them (a new person with no other way to sign in). Facilitators
    see these to spot duplicates; a removed or merged duplicate's join stays, marked."""

    __tablename__ = "conversation_joins"
    __table_args__ = (
        UniqueConstraint("conversation_id", "person_id"),
        CheckConstraint(
            "merged_into_id IS NULL OR removed_at IS NOT NULL", name="merged_is_removed"
        ),
        # "One new person per browser" looks here: live joins from a browser, by area.
        Index(
            "conversation_joins_live_device_idx",
            "device_hash",
            postgresql_where=text("created_person AND removed_at IS NULL"),
        ),
    )

    conversation_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("conversations.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="CASCADE"), index=True
    )
    # SHA-256 of the browser's random device cookie, if it had one.
    device_hash: Mapped[str | None] = mapped_column(String(64))
    created_person: Mapped[bool] = mapped_column(Boolean)
    joined_at: Mapped[datetime] = mapped_column(server_default=func.now())
    removed_at: Mapped[datetime | None]
    removed_by_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
    merged_into_id: Mapped[int | None] = mapped_column(
        BigInteger, ForeignKey("people.id", ondelete="SET NULL")
    )
