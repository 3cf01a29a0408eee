"""notifications: notifications, email preferences, background jobs, people's language

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30 00:42:09.932560
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "jobs",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("task", sa.String(length=100), nullable=False),
        sa.Column(
            "args",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("key", sa.String(length=200), nullable=True),
        sa.Column(
            "state",
            sa.Enum(
                "queued",
                "done",
                "failed",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            server_default="queued",
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), server_default="0", nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default="12", nullable=False),
        sa.Column(
            "run_after", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(state = 'queued') = (finished_at IS NULL)", name=op.f("jobs_finished_has_time_check")
        ),
        sa.CheckConstraint(
            "attempts >= 0 AND max_attempts >= 1", name=op.f("jobs_attempts_range_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("jobs_pkey")),
        sa.UniqueConstraint("key", name=op.f("jobs_key_key")),
    )
    op.create_index(
        "jobs_ready_idx",
        "jobs",
        ["run_after", "id"],
        unique=False,
        postgresql_where=sa.text("state = 'queued'"),
    )
    op.create_table(
        "notification_preferences",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "round_opened",
                "results_published",
                "proposal_adopted",
                "proposal_declined",
                "proposal_merged",
                "content_hidden",
                "action_updated",
                "action_closed",
                "help_answered",
                "comment_reply",
                "report_waiting",
                "action_needs_lead",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=25,
            ),
            nullable=False,
        ),
        sa.Column(
            "email",
            sa.Enum(
                "immediate",
                "daily",
                "weekly",
                "off",
                name="email",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("notification_preferences_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", "kind", name=op.f("notification_preferences_pkey")),
    )
    op.create_table(
        "notifications",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "round_opened",
                "results_published",
                "proposal_adopted",
                "proposal_declined",
                "proposal_merged",
                "content_hidden",
                "action_updated",
                "action_closed",
                "help_answered",
                "comment_reply",
                "report_waiting",
                "action_needs_lead",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=25,
            ),
            nullable=False,
        ),
        sa.Column("subject_type", sa.String(length=40), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("link", sa.String(length=300), nullable=False),
        sa.Column(
            "params",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
        ),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "email_route",
            sa.Enum(
                "immediate",
                "daily",
                "weekly",
                "off",
                name="email_route",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=True,
        ),
        sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "email_route IS NULL OR email_route <> 'off'",
            name=op.f("notifications_route_sends_check"),
        ),
        sa.CheckConstraint(
            "emailed_at IS NULL OR email_route IS NOT NULL",
            name=op.f("notifications_emailed_has_route_check"),
        ),
        sa.CheckConstraint(
            "link LIKE '/%' AND link NOT LIKE '//%'", name=op.f("notifications_link_is_local_check")
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("notifications_actor_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("notifications_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("notifications_pkey")),
    )
    op.create_index(
        "notifications_person_id_id_idx", "notifications", ["person_id", "id"], unique=False
    )
    op.create_index(
        "notifications_unread_idx",
        "notifications",
        ["person_id"],
        unique=False,
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.create_index(
        "notifications_unsent_idx",
        "notifications",
        ["email_route", "person_id"],
        unique=False,
        postgresql_where=sa.text("emailed_at IS NULL AND email_route IS NOT NULL"),
    )
    op.add_column("people", sa.Column("language", sa.String(length=8), nullable=True))
    op.create_check_constraint(
        op.f("people_language_known_check"), "people", "language IN ('en', 'pl')"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("people_language_known_check"), "people", type_="check")
    op.drop_column("people", "language")
    op.drop_index(
        "notifications_unsent_idx",
        table_name="notifications",
        postgresql_where=sa.text("emailed_at IS NULL AND email_route IS NOT NULL"),
    )
    op.drop_index(
        "notifications_unread_idx",
        table_name="notifications",
        postgresql_where=sa.text("read_at IS NULL"),
    )
    op.drop_index("notifications_person_id_id_idx", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_preferences")
    op.drop_index("jobs_ready_idx", table_name="jobs", postgresql_where=sa.text("state = 'queued'"))
    op.drop_table("jobs")
