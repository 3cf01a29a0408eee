"""action plan: ownership history, resolutions of blockers and asks

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-23 10:22:42.394834
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "action_ownerships",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=True),
        sa.Column("lead_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "since", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("changed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("action_ownerships_action_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["people.id"],
            name=op.f("action_ownerships_changed_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"],
            ["people.id"],
            name=op.f("action_ownerships_lead_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["core_teams.id"],
            name=op.f("action_ownerships_team_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("action_ownerships_pkey")),
    )
    op.create_index(
        "action_ownerships_action_id_since_idx",
        "action_ownerships",
        ["action_id", "since", "id"],
        unique=False,
    )
    # Existing actions have been owned as they are since they were adopted.
    op.execute(
        "INSERT INTO action_ownerships (action_id, team_id, lead_id, since, changed_by_id) "
        "SELECT id, team_id, lead_id, created_at, created_by_id FROM actions"
    )
    op.add_column("updates", sa.Column("resolution", sa.Text(), nullable=True))
    op.execute("UPDATE updates SET resolution = '' WHERE resolved_at IS NOT NULL")
    op.create_check_constraint(
        op.f("updates_only_blockers_and_asks_resolve_check"),
        "updates",
        "resolved_at IS NULL OR kind IN ('blocker', 'ask_for_help')",
    )
    op.create_check_constraint(
        op.f("updates_resolved_says_how_check"),
        "updates",
        "(resolved_at IS NULL) = (resolution IS NULL)",
    )


def downgrade() -> None:
    op.drop_constraint(op.f("updates_resolved_says_how_check"), "updates", type_="check")
    op.drop_constraint(
        op.f("updates_only_blockers_and_asks_resolve_check"), "updates", type_="check"
    )
    op.drop_column("updates", "resolution")
    op.drop_index("action_ownerships_action_id_since_idx", table_name="action_ownerships")
    op.drop_table("action_ownerships")
