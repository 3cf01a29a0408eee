"""hardening: persisted documents; token scopes introspect and persisted-only

Revision ID: 0006
Revises: 0007
Create Date: 2026-11-30 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_SCOPES = "cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write']::varchar[]"
NEW_SCOPES = (
    "cardinality(scopes) > 0 AND scopes <@ "
    "ARRAY['read', 'write', 'introspect', 'persisted-only']::varchar[]"
)


def upgrade() -> None:
    op.create_table(
        "persisted_documents",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False
        ),
        sa.CheckConstraint(
            "length(document) > 0", name=op.f("persisted_documents_document_not_empty_check")
        ),
        sa.CheckConstraint(
            "sha256 ~ '^[0-9a-f]{64}$'", name=op.f("persisted_documents_sha256_hex_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("persisted_documents_pkey")),
        sa.UniqueConstraint("sha256", name=op.f("persisted_documents_sha256_key")),
    )
    op.drop_constraint(op.f("api_tokens_scopes_known_check"), "api_tokens", type_="check")
    op.create_check_constraint(op.f("api_tokens_scopes_known_check"), "api_tokens", NEW_SCOPES)


def downgrade() -> None:
    op.execute(
        "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()), "
        "scopes = array_remove(array_remove(scopes, 'introspect'), 'persisted-only') "
        "WHERE scopes && ARRAY['introspect', 'persisted-only']::varchar[]"
    )
    op.execute(
        "UPDATE api_tokens SET scopes = ARRAY['read']::varchar[] WHERE cardinality(scopes) = 0"
    )
    op.drop_constraint(op.f("api_tokens_scopes_known_check"), "api_tokens", type_="check")
    op.create_check_constraint(op.f("api_tokens_scopes_known_check"), "api_tokens", OLD_SCOPES)
    op.drop_table("persisted_documents")
