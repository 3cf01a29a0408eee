"""identity: join limits and joins, personal codes, notes, verified online ballots

Revision ID: 0008
Revises: 0004
Create Date: 2026-11-30 00:43:50.311440
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The join limit holds whatever writes a join: new people made by a conversation's
# code, not removed as duplicates, never outnumber it. Joins to one conversation queue
# on its row, so two at once cannot both take the last place.
JOIN_LIMIT_TRIGGER = """
CREATE FUNCTION conversation_joins_within_limit() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    cap integer;
    taken integer;
BEGIN
    IF NOT NEW.created_person OR NEW.removed_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    SELECT join_limit INTO cap FROM conversations WHERE id = NEW.conversation_id FOR UPDATE;
    IF cap IS NULL THEN
        RETURN NEW;
    END IF;
    SELECT count(*) INTO taken FROM conversation_joins
     WHERE conversation_id = NEW.conversation_id AND created_person AND removed_at IS NULL;
    IF taken >= cap THEN
        RAISE EXCEPTION 'conversation % has no places left to join', NEW.conversation_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'conversation_joins_within_limit';
    END IF;
    RETURN NEW;
END $$
"""
JOIN_LIMIT_TRIGGER_ON = """
CREATE TRIGGER conversation_joins_within_limit
BEFORE INSERT ON conversation_joins
FOR EACH ROW EXECUTE FUNCTION conversation_joins_within_limit()
"""


def upgrade() -> None:
    op.create_table(
        "personal_codes",
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("personal_codes_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("personal_codes_pkey")),
        sa.UniqueConstraint("code_hash", name=op.f("personal_codes_code_hash_key")),
    )
    op.create_table(
        "conversation_joins",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("device_hash", sa.String(length=64), nullable=True),
        sa.Column("created_person", sa.Boolean(), nullable=False),
        sa.Column(
            "joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_id", sa.BigInteger(), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "merged_into_id IS NULL OR removed_at IS NOT NULL",
            name=op.f("conversation_joins_merged_is_removed_check"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("conversation_joins_conversation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["people.id"],
            name=op.f("conversation_joins_merged_into_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("conversation_joins_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_id"],
            ["people.id"],
            name=op.f("conversation_joins_removed_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("conversation_joins_pkey")),
        sa.UniqueConstraint(
            "conversation_id",
            "person_id",
            name=op.f("conversation_joins_conversation_id_person_id_key"),
        ),
    )
    op.create_index(
        "conversation_joins_live_device_idx",
        "conversation_joins",
        ["device_hash"],
        unique=False,
        postgresql_where=sa.text("created_person AND removed_at IS NULL"),
    )
    op.create_index(
        op.f("conversation_joins_person_id_idx"), "conversation_joins", ["person_id"], unique=False
    )
    op.add_column("conversations", sa.Column("join_limit", sa.Integer(), nullable=True))
    op.create_check_constraint(
        op.f("conversations_join_limit_range_check"),
        "conversations",
        "join_limit BETWEEN 1 AND 10000",
    )
    op.execute(JOIN_LIMIT_TRIGGER)
    op.execute(JOIN_LIMIT_TRIGGER_ON)
    op.add_column("people", sa.Column("facilitator_note", sa.String(length=120), nullable=True))
    op.add_column(
        "voting_rounds",
        sa.Column(
            "online_sign_in",
            sa.Enum(
                "any",
                "verified",
                name="online_sign_in",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            server_default="any",
            nullable=False,
        ),
    )


def downgrade() -> None:
    op.drop_column("voting_rounds", "online_sign_in")
    op.drop_column("people", "facilitator_note")
    op.execute("DROP TRIGGER conversation_joins_within_limit ON conversation_joins")
    op.execute("DROP FUNCTION conversation_joins_within_limit()")
    op.drop_constraint(op.f("conversations_join_limit_range_check"), "conversations", type_="check")
    op.drop_column("conversations", "join_limit")
    op.drop_index(op.f("conversation_joins_person_id_idx"), table_name="conversation_joins")
    op.drop_index(
        "conversation_joins_live_device_idx",
        table_name="conversation_joins",
        postgresql_where=sa.text("created_person AND removed_at IS NULL"),
    )
    op.drop_table("conversation_joins")
    op.drop_table("personal_codes")
