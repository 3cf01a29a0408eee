"""identity: browser sessions, external identities, OIDC sign-in state, rate limits

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23 10:19:37.684365
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "oauth_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("oauth_states_pkey")),
    )
    op.create_table(
        "rate_limit_counts",
        sa.Column("bucket", sa.String(length=40), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket", "key_hash", "window_start", name=op.f("rate_limit_counts_pkey")
        ),
    )
    op.create_table(
        "browser_sessions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=32), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("browser_sessions_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("browser_sessions_pkey")),
        sa.UniqueConstraint("id_hash", name=op.f("browser_sessions_id_hash_key")),
    )
    op.create_index(
        op.f("browser_sessions_person_id_idx"), "browser_sessions", ["person_id"], unique=False
    )
    op.create_table(
        "external_identities",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("issuer", sa.String(length=300), nullable=False),
        sa.Column("subject", sa.String(length=255), nullable=False),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("external_identities_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("external_identities_pkey")),
        sa.UniqueConstraint(
            "issuer", "subject", name=op.f("external_identities_issuer_subject_key")
        ),
    )
    op.create_index(
        op.f("external_identities_person_id_idx"),
        "external_identities",
        ["person_id"],
        unique=False,
    )
    op.add_column(
        "people", sa.Column("email_verified_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade() -> None:
    op.drop_column("people", "email_verified_at")
    op.drop_index(op.f("external_identities_person_id_idx"), table_name="external_identities")
    op.drop_table("external_identities")
    op.drop_index(op.f("browser_sessions_person_id_idx"), table_name="browser_sessions")
    op.drop_table("browser_sessions")
    op.drop_table("rate_limit_counts")
    op.drop_table("oauth_states")
