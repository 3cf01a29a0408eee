"""conversations: answers and themes, the conversation's record, moderation, area
templates and settings, erasure tombstones

Revision ID: 0007
Revises: 0009
Create Date: 2026-11-30 00:36:50.688772
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# As in server/answers/models.py at the time of this migration.
DEFAULT_THEMES = (
    "family and friends",
    "work and money",
    "housing",
    "pets",
    "groups and clubs",
    "services",
    "places to go",
    "health",
)


def upgrade() -> None:
    op.create_table(
        "area_settings",
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("prompts", postgresql.ARRAY(sa.String(length=500)), nullable=False),
        sa.Column(
            "round_method",
            sa.Enum(
                "approval",
                "dots",
                "ranked",
                name="round_method",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("dots_per_person", sa.Integer(), nullable=False),
        sa.Column("max_dots_per_item", sa.Integer(), nullable=True),
        sa.Column(
            "round_result_visibility",
            sa.Enum(
                "live",
                "after_own_ballot",
                "after_close",
                name="round_result_visibility",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cardinality(prompts) BETWEEN 1 AND 10", name=op.f("area_settings_prompts_count_check")
        ),
        sa.CheckConstraint(
            "dots_per_person BETWEEN 1 AND 1000 AND (max_dots_per_item IS NULL OR max_dots_per_item BETWEEN 1 AND dots_per_person)",
            name=op.f("area_settings_dots_range_check"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("area_settings_area_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("area_id", name=op.f("area_settings_pkey")),
    )
    op.create_table(
        "reports",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "subject_kind",
            sa.Enum(
                "comment",
                "proposal",
                "answer",
                name="subject_kind",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("reporter_id", sa.BigInteger(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "open",
                "hidden",
                "dismissed",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=17,
            ),
            nullable=False,
        ),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("reports_area_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["reporter_id"],
            ["people.id"],
            name=op.f("reports_reporter_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["people.id"],
            name=op.f("reports_resolved_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("reports_pkey")),
    )
    op.create_index("reports_area_id_state_idx", "reports", ["area_id", "state"], unique=False)
    op.create_index(
        "reports_one_open_per_reporter_key",
        "reports",
        ["subject_kind", "subject_id", "reporter_id"],
        unique=True,
        postgresql_where=sa.text("state = 'open'"),
    )
    op.create_index(op.f("reports_reporter_id_idx"), "reports", ["reporter_id"], unique=False)
    op.create_index("reports_subject_idx", "reports", ["subject_kind", "subject_id"], unique=False)
    op.create_table(
        "themes",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("themes_name_not_blank_check")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("themes_area_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("themes_pkey")),
    )
    op.create_index(op.f("themes_area_id_idx"), "themes", ["area_id"], unique=False)
    op.create_index(
        "themes_area_id_lower_name_key",
        "themes",
        ["area_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.create_table(
        "answers",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=True),
        sa.Column("entered_by_id", sa.BigInteger(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("from_paper", sa.Boolean(), nullable=False),
        sa.Column("may_quote", sa.Boolean(), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hidden_reason", sa.Text(), nullable=True),
        sa.Column("hidden_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(hidden_at IS NULL) = (hidden_reason IS NULL)",
            name=op.f("answers_hidden_has_reason_check"),
        ),
        sa.CheckConstraint(
            "NOT from_paper OR author_id IS NULL", name=op.f("answers_paper_has_no_author_check")
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("answers_author_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("answers_conversation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["entered_by_id"],
            ["people.id"],
            name=op.f("answers_entered_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["people.id"],
            name=op.f("answers_hidden_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("answers_pkey")),
    )
    op.create_index(op.f("answers_author_id_idx"), "answers", ["author_id"], unique=False)
    op.create_index(
        "answers_conversation_id_id_idx", "answers", ["conversation_id", "id"], unique=False
    )
    op.create_table(
        "conversation_facilitators",
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("conversation_facilitators_conversation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("conversation_facilitators_person_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "person_id", name=op.f("conversation_facilitators_pkey")
        ),
    )
    op.create_index(
        op.f("conversation_facilitators_person_id_idx"),
        "conversation_facilitators",
        ["person_id"],
        unique=False,
    )
    op.create_table(
        "answer_themes",
        sa.Column("answer_id", sa.BigInteger(), nullable=False),
        sa.Column("theme_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["answer_id"],
            ["answers.id"],
            name=op.f("answer_themes_answer_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["themes.id"],
            name=op.f("answer_themes_theme_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("answer_id", "theme_id", name=op.f("answer_themes_pkey")),
    )
    op.create_index(op.f("answer_themes_theme_id_idx"), "answer_themes", ["theme_id"], unique=False)
    op.add_column("conversations", sa.Column("headcount", sa.Integer(), nullable=True))
    op.add_column("conversations", sa.Column("closing_summary", sa.Text(), nullable=True))
    op.add_column("people", sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("proposals", sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("proposals", sa.Column("hidden_reason", sa.Text(), nullable=True))
    op.add_column("proposals", sa.Column("hidden_by_id", sa.BigInteger(), nullable=True))
    op.add_column("proposals", sa.Column("answer_id", sa.BigInteger(), nullable=True))
    op.add_column("proposals", sa.Column("theme_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("proposals_answer_id_idx"), "proposals", ["answer_id"], unique=False)
    op.create_index(op.f("proposals_theme_id_idx"), "proposals", ["theme_id"], unique=False)
    op.create_foreign_key(
        op.f("proposals_answer_id_fkey"),
        "proposals",
        "answers",
        ["answer_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("proposals_theme_id_fkey"),
        "proposals",
        "themes",
        ["theme_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_foreign_key(
        op.f("proposals_hidden_by_id_fkey"),
        "proposals",
        "people",
        ["hidden_by_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.add_column("stories", sa.Column("teller_id", sa.BigInteger(), nullable=True))
    op.create_index(op.f("stories_teller_id_idx"), "stories", ["teller_id"], unique=False)
    op.create_foreign_key(
        op.f("stories_teller_id_fkey"),
        "stories",
        "people",
        ["teller_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_check_constraint(
        op.f("conversations_headcount_range_check"),
        "conversations",
        "headcount BETWEEN 0 AND 100000",
    )
    op.create_check_constraint(
        op.f("proposals_hidden_has_reason_check"),
        "proposals",
        "(hidden_at IS NULL) = (hidden_reason IS NULL)",
    )
    # Areas that exist already get what a new area gets: the seeded themes and the
    # default settings; conversations credit the facilitator who started them.
    op.execute(
        sa.text(
            "INSERT INTO themes (area_id, name) SELECT areas.id, theme FROM areas "
            "CROSS JOIN unnest(CAST(:themes AS varchar[])) AS theme"
        ).bindparams(themes=list(DEFAULT_THEMES))
    )
    op.execute(
        "INSERT INTO area_settings (area_id, prompts, round_method, dots_per_person, "
        "max_dots_per_item, round_result_visibility) SELECT id, "
        "ARRAY['What keeps you well?']::varchar[], 'approval', 10, 3, 'after_close' FROM areas"
    )
    op.execute(
        "INSERT INTO conversation_facilitators (conversation_id, person_id) "
        "SELECT id, created_by_id FROM conversations WHERE created_by_id IS NOT NULL"
    )


def downgrade() -> None:
    op.drop_constraint(op.f("proposals_hidden_has_reason_check"), "proposals", type_="check")
    op.drop_constraint(op.f("conversations_headcount_range_check"), "conversations", type_="check")
    op.drop_constraint(op.f("stories_teller_id_fkey"), "stories", type_="foreignkey")
    op.drop_index(op.f("stories_teller_id_idx"), table_name="stories")
    op.drop_column("stories", "teller_id")
    op.drop_constraint(op.f("proposals_hidden_by_id_fkey"), "proposals", type_="foreignkey")
    op.drop_constraint(op.f("proposals_theme_id_fkey"), "proposals", type_="foreignkey")
    op.drop_constraint(op.f("proposals_answer_id_fkey"), "proposals", type_="foreignkey")
    op.drop_index(op.f("proposals_theme_id_idx"), table_name="proposals")
    op.drop_index(op.f("proposals_answer_id_idx"), table_name="proposals")
    op.drop_column("proposals", "theme_id")
    op.drop_column("proposals", "answer_id")
    op.drop_column("proposals", "hidden_by_id")
    op.drop_column("proposals", "hidden_reason")
    op.drop_column("proposals", "hidden_at")
    op.drop_column("people", "erased_at")
    op.drop_column("conversations", "closing_summary")
    op.drop_column("conversations", "headcount")
    op.drop_index(op.f("answer_themes_theme_id_idx"), table_name="answer_themes")
    op.drop_table("answer_themes")
    op.drop_index(
        op.f("conversation_facilitators_person_id_idx"), table_name="conversation_facilitators"
    )
    op.drop_table("conversation_facilitators")
    op.drop_index("answers_conversation_id_id_idx", table_name="answers")
    op.drop_index(op.f("answers_author_id_idx"), table_name="answers")
    op.drop_table("answers")
    op.drop_index("themes_area_id_lower_name_key", table_name="themes")
    op.drop_index(op.f("themes_area_id_idx"), table_name="themes")
    op.drop_table("themes")
    op.drop_index("reports_subject_idx", table_name="reports")
    op.drop_index(op.f("reports_reporter_id_idx"), table_name="reports")
    op.drop_index(
        "reports_one_open_per_reporter_key",
        table_name="reports",
        postgresql_where=sa.text("state = 'open'"),
    )
    op.drop_index("reports_area_id_state_idx", table_name="reports")
    op.drop_table("reports")
    op.drop_table("area_settings")
