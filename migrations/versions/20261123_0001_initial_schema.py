"""initial schema

Revision ID: 0001
Revises:
Create Date: 2026-11-23 09:25:57.511359
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rules the database itself enforces, whatever code path writes.
TRIGGERS_UP = [
    """
CREATE FUNCTION ballot_entries_obey_round() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    r voting_rounds%ROWTYPE;
    n integer;
    total integer;
    biggest integer;
    not_one integer;
    with_rank integer;
    with_points integer;
    top_rank integer;
    distinct_ranks integer;
BEGIN
    SELECT * INTO r FROM voting_rounds WHERE id = NEW.round_id;
    SELECT count(*), coalesce(sum(points), 0), coalesce(max(points), 0),
           count(*) FILTER (WHERE points IS DISTINCT FROM 1),
           count(rank), count(points), coalesce(max(rank), 0), count(DISTINCT rank)
      INTO n, total, biggest, not_one, with_rank, with_points, top_rank, distinct_ranks
      FROM ballot_entries WHERE ballot_id = NEW.ballot_id;
    IF r.method = 'approval' AND not_one > 0 THEN
        RAISE EXCEPTION 'approval ballot % gives other than 1 point', NEW.ballot_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ballot_entries_approval_check';
    ELSIF r.method = 'dots' AND (with_rank > 0 OR total > r.dots_per_person
            OR biggest > coalesce(r.max_dots_per_item, r.dots_per_person)) THEN
        RAISE EXCEPTION 'dots ballot % exceeds the round''s budget', NEW.ballot_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ballot_entries_budget_check';
    ELSIF r.method = 'ranked' AND (with_points > 0 OR top_rank <> n OR distinct_ranks <> n) THEN
        RAISE EXCEPTION 'ranked ballot % is not ranked 1..n', NEW.ballot_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ballot_entries_ranks_check';
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE CONSTRAINT TRIGGER ballot_entries_obey_round
    AFTER INSERT OR UPDATE ON ballot_entries DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ballot_entries_obey_round()
""",
    """
CREATE FUNCTION ballots_need_open_round() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    round_state text;
BEGIN
    SELECT state INTO round_state FROM voting_rounds
     WHERE id = CASE WHEN TG_OP = 'DELETE' THEN OLD.round_id ELSE NEW.round_id END;
    IF round_state IS NOT NULL AND round_state <> 'open' THEN
        RAISE EXCEPTION 'round is %, ballots cannot change', round_state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ballots_round_open_check';
    END IF;
    RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
END
$$
""",
    """
CREATE TRIGGER ballots_need_open_round BEFORE INSERT OR UPDATE OR DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION ballots_need_open_round()
""",
    """
CREATE TRIGGER ballot_entries_need_open_round BEFORE INSERT OR UPDATE OR DELETE ON ballot_entries
    FOR EACH ROW EXECUTE FUNCTION ballots_need_open_round()
""",
    """
CREATE FUNCTION voting_rounds_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IS DISTINCT FROM OLD.state AND NOT (
        (OLD.state = 'draft' AND NEW.state = 'open')
        OR (OLD.state = 'open' AND NEW.state = 'closed')) THEN
        RAISE EXCEPTION 'round cannot go from % to %', OLD.state, NEW.state
            USING ERRCODE = 'check_violation', CONSTRAINT = 'voting_rounds_state_check';
    END IF;
    IF OLD.state <> 'draft' AND (NEW.method, NEW.dots_per_person, NEW.max_dots_per_item)
            IS DISTINCT FROM (OLD.method, OLD.dots_per_person, OLD.max_dots_per_item) THEN
        RAISE EXCEPTION 'rules of an opened round cannot change'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'voting_rounds_rules_check';
    END IF;
    RETURN NEW;
END
$$
""",
    """
CREATE TRIGGER voting_rounds_forward_only BEFORE UPDATE ON voting_rounds
    FOR EACH ROW EXECUTE FUNCTION voting_rounds_forward_only()
""",
    """
CREATE FUNCTION refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END
$$
""",
    """
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION refuse_change()
""",
    """
CREATE TRIGGER round_snapshots_frozen BEFORE UPDATE OR DELETE ON round_snapshots
    FOR EACH ROW EXECUTE FUNCTION refuse_change()
""",
    """
CREATE TRIGGER priorities_frozen BEFORE UPDATE OR DELETE ON priorities
    FOR EACH ROW EXECUTE FUNCTION refuse_change()
""",
]

TRIGGERS_DOWN = [
    "DROP TRIGGER priorities_frozen ON priorities",
    "DROP TRIGGER round_snapshots_frozen ON round_snapshots",
    "DROP TRIGGER audit_events_append_only ON audit_events",
    "DROP FUNCTION refuse_change()",
    "DROP TRIGGER voting_rounds_forward_only ON voting_rounds",
    "DROP FUNCTION voting_rounds_forward_only()",
    "DROP TRIGGER ballot_entries_need_open_round ON ballot_entries",
    "DROP TRIGGER ballots_need_open_round ON ballots",
    "DROP FUNCTION ballots_need_open_round()",
    "DROP TRIGGER ballot_entries_obey_round ON ballot_entries",
    "DROP FUNCTION ballot_entries_obey_round()",
]


def upgrade() -> None:
    op.create_table(
        "areas",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("slug", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'", name=op.f("areas_slug_format_check")
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("areas_name_not_blank_check")),
        sa.CheckConstraint("parent_id <> id", name=op.f("areas_not_own_parent_check")),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["areas.id"], name=op.f("areas_parent_id_fkey"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("areas_pkey")),
        sa.UniqueConstraint("slug", name=op.f("areas_slug_key")),
    )
    op.create_index(op.f("areas_parent_id_idx"), "areas", ["parent_id"], unique=False)
    op.create_table(
        "people",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("display_name", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column(
            "kind",
            sa.Enum(
                "resident",
                "professional",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("affiliation", sa.String(length=200), nullable=True),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "length(btrim(display_name)) > 0", name=op.f("people_display_name_not_blank_check")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("people_pkey")),
    )
    op.create_index(
        "people_email_lower_key", "people", [sa.literal_column("lower(email)")], unique=True
    )
    op.create_table(
        "api_tokens",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("prefix", sa.String(length=24), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", postgresql.ARRAY(sa.String(length=16)), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "cardinality(scopes) > 0 AND scopes <@ ARRAY['read', 'write']::varchar[]",
            name=op.f("api_tokens_scopes_known_check"),
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("api_tokens_person_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("api_tokens_pkey")),
        sa.UniqueConstraint("prefix", name=op.f("api_tokens_prefix_key")),
        sa.UniqueConstraint("token_hash", name=op.f("api_tokens_token_hash_key")),
    )
    op.create_index(op.f("api_tokens_person_id_idx"), "api_tokens", ["person_id"], unique=False)
    op.create_table(
        "area_roles",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "participant",
                "facilitator",
                "board",
                "admin",
                name="role",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("granted_by_id", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("area_roles_area_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by_id"],
            ["people.id"],
            name=op.f("area_roles_granted_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("area_roles_person_id_fkey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("area_roles_pkey")),
        sa.UniqueConstraint(
            "person_id", "area_id", "role", name=op.f("area_roles_person_id_area_id_role_key")
        ),
    )
    op.create_index(op.f("area_roles_area_id_idx"), "area_roles", ["area_id"], unique=False)
    op.create_index(op.f("area_roles_person_id_idx"), "area_roles", ["person_id"], unique=False)
    op.create_table(
        "audit_events",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column(
            "occurred_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("verb", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=True),
        sa.Column("data", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"],
            ["people.id"],
            name=op.f("audit_events_actor_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("audit_events_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("audit_events_pkey")),
    )
    op.create_index(op.f("audit_events_actor_id_idx"), "audit_events", ["actor_id"], unique=False)
    op.create_index("audit_events_area_id_id_idx", "audit_events", ["area_id", "id"], unique=False)
    op.create_index(
        "audit_events_subject_idx", "audit_events", ["subject_type", "subject_id"], unique=False
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("prompt", sa.String(length=500), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "planned",
                "open",
                "closed",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            nullable=False,
        ),
        sa.Column("join_code", sa.String(length=12), nullable=False),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status <> 'closed' OR closed_at IS NOT NULL",
            name=op.f("conversations_closed_has_time_check"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("conversations_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("conversations_created_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("conversations_pkey")),
    )
    op.create_index(
        "conversations_area_id_id_idx", "conversations", ["area_id", "id"], unique=False
    )
    op.create_index(
        "conversations_live_join_code_key",
        "conversations",
        ["join_code"],
        unique=True,
        postgresql_where=sa.text("status <> 'closed'"),
    )
    op.create_table(
        "core_teams",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint("length(btrim(name)) > 0", name=op.f("core_teams_name_not_blank_check")),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("core_teams_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("core_teams_pkey")),
    )
    op.create_index(
        "core_teams_area_id_name_key",
        "core_teams",
        ["area_id", sa.literal_column("lower(name)")],
        unique=True,
    )
    op.create_table(
        "voting_rounds",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "method",
            sa.Enum(
                "approval",
                "dots",
                "ranked",
                name="method",
                native_enum=False,
                create_constraint=True,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column(
            "ranked_tally",
            sa.Enum(
                "borda",
                "schulze",
                name="ranked_tally",
                native_enum=False,
                create_constraint=True,
                length=15,
            ),
            server_default="borda",
            nullable=False,
        ),
        sa.Column(
            "state",
            sa.Enum(
                "draft",
                "open",
                "closed",
                name="state",
                native_enum=False,
                create_constraint=True,
                length=14,
            ),
            nullable=False,
        ),
        sa.Column("dots_per_person", sa.Integer(), nullable=True),
        sa.Column("max_dots_per_item", sa.Integer(), nullable=True),
        sa.Column(
            "result_visibility",
            sa.Enum(
                "live",
                "after_own_ballot",
                "after_close",
                name="result_visibility",
                native_enum=False,
                create_constraint=True,
                length=24,
            ),
            nullable=False,
        ),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(method = 'dots') = (dots_per_person IS NOT NULL) AND (dots_per_person IS NULL OR dots_per_person BETWEEN 1 AND 1000)",
            name=op.f("voting_rounds_dots_budget_check"),
        ),
        sa.CheckConstraint(
            "(state = 'closed') = (closed_at IS NOT NULL)",
            name=op.f("voting_rounds_closed_has_time_check"),
        ),
        sa.CheckConstraint(
            "(state = 'draft') = (opened_at IS NULL)",
            name=op.f("voting_rounds_opened_has_time_check"),
        ),
        sa.CheckConstraint(
            "max_dots_per_item IS NULL OR (method = 'dots' AND max_dots_per_item BETWEEN 1 AND dots_per_person)",
            name=op.f("voting_rounds_item_cap_check"),
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("voting_rounds_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("voting_rounds_created_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("voting_rounds_pkey")),
    )
    op.create_index(
        "voting_rounds_area_id_id_idx", "voting_rounds", ["area_id", "id"], unique=False
    )
    op.create_index(
        "voting_rounds_due_idx",
        "voting_rounds",
        ["closes_at"],
        unique=False,
        postgresql_where=sa.text("state = 'open' AND closes_at IS NOT NULL"),
    )
    op.create_table(
        "ballot_casts",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("cast_by_id", sa.BigInteger(), nullable=False),
        sa.Column("assisted", sa.Boolean(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=200), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["cast_by_id"],
            ["people.id"],
            name=op.f("ballot_casts_cast_by_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("ballot_casts_person_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("ballot_casts_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("ballot_casts_pkey")),
    )
    op.create_index(
        "ballot_casts_idempotency_key",
        "ballot_casts",
        ["round_id", "person_id", "idempotency_key"],
        unique=True,
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.create_table(
        "ballots",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column("assisted_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["assisted_by_id"],
            ["people.id"],
            name=op.f("ballots_assisted_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name=op.f("ballots_person_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("ballots_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("ballots_pkey")),
        sa.UniqueConstraint("id", "round_id", name=op.f("ballots_id_round_id_key")),
        sa.UniqueConstraint("round_id", "person_id", name=op.f("ballots_round_id_person_id_key")),
    )
    op.create_index(op.f("ballots_person_id_idx"), "ballots", ["person_id"], unique=False)
    op.create_table(
        "round_snapshots",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("canonical_json", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "sha256 ~ '^[0-9a-f]{64}$'", name=op.f("round_snapshots_sha256_hex_check")
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("round_snapshots_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", name=op.f("round_snapshots_pkey")),
    )
    op.create_table(
        "stories",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=False),
        sa.Column("teller_pseudonym", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=True),
        sa.Column(
            "consent_scope",
            sa.Enum(
                "facilitators",
                "participants",
                "public",
                name="consent_scope",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("consent_given_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(withdrawn_at IS NULL) = (body IS NOT NULL)",
            name=op.f("stories_withdrawn_erases_body_check"),
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("stories_conversation_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["people.id"],
            name=op.f("stories_recorded_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("stories_pkey")),
    )
    op.create_index(
        op.f("stories_conversation_id_idx"), "stories", ["conversation_id"], unique=False
    )
    op.create_table(
        "team_memberships",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("team_id", sa.BigInteger(), nullable=False),
        sa.Column("person_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "joined_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False
        ),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("left_reason", sa.Text(), nullable=True),
        sa.Column("added_by_id", sa.BigInteger(), nullable=True),
        sa.CheckConstraint(
            "left_at IS NULL OR left_at >= joined_at",
            name=op.f("team_memberships_left_after_joined_check"),
        ),
        sa.ForeignKeyConstraint(
            ["added_by_id"],
            ["people.id"],
            name=op.f("team_memberships_added_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name=op.f("team_memberships_person_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["core_teams.id"],
            name=op.f("team_memberships_team_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("team_memberships_pkey")),
    )
    op.create_index(
        "team_memberships_current_key",
        "team_memberships",
        ["team_id", "person_id"],
        unique=True,
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_index(
        op.f("team_memberships_person_id_idx"), "team_memberships", ["person_id"], unique=False
    )
    op.create_index(
        op.f("team_memberships_team_id_idx"), "team_memberships", ["team_id"], unique=False
    )
    op.create_table(
        "proposals",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "open",
                "shortlisted",
                "adopted",
                "merged",
                "declined",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("story_id", sa.BigInteger(), nullable=True),
        sa.Column("merged_into_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "themes",
            postgresql.ARRAY(sa.String(length=40)),
            server_default=sa.text("'{}'::varchar[]"),
            nullable=False,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "(status = 'merged') = (merged_into_id IS NOT NULL)",
            name=op.f("proposals_merged_has_target_check"),
        ),
        sa.CheckConstraint(
            "status <> 'declined' OR status_reason IS NOT NULL",
            name=op.f("proposals_declined_has_reason_check"),
        ),
        sa.CheckConstraint(
            "merged_into_id <> id", name=op.f("proposals_not_merged_into_self_check")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("proposals_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("proposals_author_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("proposals_conversation_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["merged_into_id"],
            ["proposals.id"],
            name=op.f("proposals_merged_into_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("proposals_story_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("proposals_pkey")),
    )
    op.create_index("proposals_area_id_id_idx", "proposals", ["area_id", "id"], unique=False)
    op.create_index(op.f("proposals_author_id_idx"), "proposals", ["author_id"], unique=False)
    op.create_index(
        op.f("proposals_conversation_id_idx"), "proposals", ["conversation_id"], unique=False
    )
    op.create_index(
        "proposals_themes_idx", "proposals", ["themes"], unique=False, postgresql_using="gin"
    )
    op.create_table(
        "actions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("area_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "not_started",
                "in_progress",
                "blocked",
                "done",
                "dropped",
                name="status",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=False,
        ),
        sa.Column(
            "rag",
            sa.Enum(
                "red",
                "amber",
                "green",
                name="rag",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=False,
        ),
        sa.Column("percent_complete", sa.SmallInteger(), nullable=False),
        sa.Column("target_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("team_id", sa.BigInteger(), nullable=True),
        sa.Column("lead_id", sa.BigInteger(), nullable=True),
        sa.Column("round_id", sa.BigInteger(), nullable=True),
        sa.Column("proposal_id", sa.BigInteger(), nullable=True),
        sa.Column("priority_rank", sa.Integer(), nullable=True),
        sa.Column("conversation_id", sa.BigInteger(), nullable=True),
        sa.Column("story_id", sa.BigInteger(), nullable=True),
        sa.Column("closing_statement", sa.Text(), nullable=True),
        sa.Column("created_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.Column("last_update_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "status NOT IN ('done', 'dropped') OR closing_statement IS NOT NULL",
            name=op.f("actions_closed_has_statement_check"),
        ),
        sa.CheckConstraint(
            "percent_complete BETWEEN 0 AND 100", name=op.f("actions_percent_range_check")
        ),
        sa.ForeignKeyConstraint(
            ["area_id"], ["areas.id"], name=op.f("actions_area_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("actions_conversation_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["people.id"],
            name=op.f("actions_created_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["people.id"], name=op.f("actions_lead_id_fkey"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("actions_proposal_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("actions_round_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["story_id"], ["stories.id"], name=op.f("actions_story_id_fkey"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["core_teams.id"], name=op.f("actions_team_id_fkey"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("actions_pkey")),
        sa.UniqueConstraint(
            "round_id", "proposal_id", name=op.f("actions_round_id_proposal_id_key")
        ),
    )
    op.create_index("actions_area_id_id_idx", "actions", ["area_id", "id"], unique=False)
    op.create_index(op.f("actions_proposal_id_idx"), "actions", ["proposal_id"], unique=False)
    op.create_index(op.f("actions_team_id_idx"), "actions", ["team_id"], unique=False)
    op.create_table(
        "ballot_items",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("ballot_items_proposal_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("ballot_items_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "proposal_id", name=op.f("ballot_items_pkey")),
    )
    op.create_index(
        op.f("ballot_items_proposal_id_idx"), "ballot_items", ["proposal_id"], unique=False
    )
    op.create_table(
        "priorities",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("supporters", sa.Integer(), nullable=False),
        sa.CheckConstraint("rank >= 1", name=op.f("priorities_rank_positive_check")),
        sa.CheckConstraint(
            "supporters >= 0", name=op.f("priorities_supporters_non_negative_check")
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("priorities_proposal_id_fkey"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("priorities_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("round_id", "proposal_id", name=op.f("priorities_pkey")),
        sa.UniqueConstraint("round_id", "rank", name=op.f("priorities_round_id_rank_key")),
    )
    op.create_index(op.f("priorities_proposal_id_idx"), "priorities", ["proposal_id"], unique=False)
    op.create_table(
        "proposal_revisions",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("edited_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["edited_by_id"],
            ["people.id"],
            name=op.f("proposal_revisions_edited_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("proposal_revisions_proposal_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("proposal_revisions_pkey")),
    )
    op.create_index(
        op.f("proposal_revisions_proposal_id_idx"),
        "proposal_revisions",
        ["proposal_id"],
        unique=False,
    )
    op.create_table(
        "ballot_entries",
        sa.Column("ballot_id", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("points", sa.Integer(), nullable=True),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "num_nonnulls(points, rank) = 1", name=op.f("ballot_entries_points_or_rank_check")
        ),
        sa.CheckConstraint("points >= 1", name=op.f("ballot_entries_points_positive_check")),
        sa.CheckConstraint("rank >= 1", name=op.f("ballot_entries_rank_positive_check")),
        sa.ForeignKeyConstraint(
            ["ballot_id", "round_id"],
            ["ballots.id", "ballots.round_id"],
            name=op.f("ballot_entries_ballot_id_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["round_id", "proposal_id"],
            ["ballot_items.round_id", "ballot_items.proposal_id"],
            name=op.f("ballot_entries_round_id_proposal_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "proposal_id", name=op.f("ballot_entries_pkey")),
    )
    op.create_index(
        "ballot_entries_round_id_proposal_id_idx",
        "ballot_entries",
        ["round_id", "proposal_id"],
        unique=False,
    )
    op.create_table(
        "comments",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=True),
        sa.Column("action_id", sa.BigInteger(), nullable=True),
        sa.Column("parent_id", sa.BigInteger(), nullable=True),
        sa.Column("depth", sa.SmallInteger(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
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
            name=op.f("comments_hidden_has_reason_check"),
        ),
        sa.CheckConstraint(
            "(parent_id IS NULL) = (depth = 1)", name=op.f("comments_depth_matches_parent_check")
        ),
        sa.CheckConstraint("depth BETWEEN 1 AND 3", name=op.f("comments_depth_range_check")),
        sa.CheckConstraint(
            "num_nonnulls(proposal_id, action_id) = 1", name=op.f("comments_one_subject_check")
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("comments_action_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("comments_author_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["hidden_by_id"],
            ["people.id"],
            name=op.f("comments_hidden_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["comments.id"], name=op.f("comments_parent_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["proposal_id"],
            ["proposals.id"],
            name=op.f("comments_proposal_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("comments_pkey")),
    )
    op.create_index("comments_action_id_id_idx", "comments", ["action_id", "id"], unique=False)
    op.create_index(op.f("comments_author_id_idx"), "comments", ["author_id"], unique=False)
    op.create_index(op.f("comments_parent_id_idx"), "comments", ["parent_id"], unique=False)
    op.create_index("comments_proposal_id_id_idx", "comments", ["proposal_id", "id"], unique=False)
    op.create_table(
        "milestones",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["action_id"],
            ["actions.id"],
            name=op.f("milestones_action_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("milestones_pkey")),
    )
    op.create_index(op.f("milestones_action_id_idx"), "milestones", ["action_id"], unique=False)
    op.create_table(
        "updates",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("action_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "progress",
                "blocker",
                "learning",
                "ask_for_help",
                name="kind",
                native_enum=False,
                create_constraint=True,
                length=20,
            ),
            nullable=False,
        ),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.BigInteger(), nullable=False),
        sa.Column(
            "status_after",
            sa.Enum(
                "not_started",
                "in_progress",
                "blocked",
                "done",
                "dropped",
                name="status_after",
                native_enum=False,
                create_constraint=True,
                length=19,
            ),
            nullable=True,
        ),
        sa.Column(
            "rag_after",
            sa.Enum(
                "red",
                "amber",
                "green",
                name="rag_after",
                native_enum=False,
                create_constraint=True,
                length=13,
            ),
            nullable=True,
        ),
        sa.Column("percent_after", sa.SmallInteger(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved_by_id", sa.BigInteger(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.CheckConstraint(
            "percent_after IS NULL OR percent_after BETWEEN 0 AND 100",
            name=op.f("updates_percent_range_check"),
        ),
        sa.ForeignKeyConstraint(
            ["action_id"], ["actions.id"], name=op.f("updates_action_id_fkey"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["author_id"], ["people.id"], name=op.f("updates_author_id_fkey"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["resolved_by_id"],
            ["people.id"],
            name=op.f("updates_resolved_by_id_fkey"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("updates_pkey")),
    )
    op.create_index("updates_action_id_id_idx", "updates", ["action_id", "id"], unique=False)
    op.create_index(op.f("updates_author_id_idx"), "updates", ["author_id"], unique=False)
    for statement in TRIGGERS_UP:
        op.execute(statement)


def downgrade() -> None:
    for statement in TRIGGERS_DOWN:
        op.execute(statement)
    op.drop_index(op.f("updates_author_id_idx"), table_name="updates")
    op.drop_index("updates_action_id_id_idx", table_name="updates")
    op.drop_table("updates")
    op.drop_index(op.f("milestones_action_id_idx"), table_name="milestones")
    op.drop_table("milestones")
    op.drop_index("comments_proposal_id_id_idx", table_name="comments")
    op.drop_index(op.f("comments_parent_id_idx"), table_name="comments")
    op.drop_index(op.f("comments_author_id_idx"), table_name="comments")
    op.drop_index("comments_action_id_id_idx", table_name="comments")
    op.drop_table("comments")
    op.drop_index("ballot_entries_round_id_proposal_id_idx", table_name="ballot_entries")
    op.drop_table("ballot_entries")
    op.drop_index(op.f("proposal_revisions_proposal_id_idx"), table_name="proposal_revisions")
    op.drop_table("proposal_revisions")
    op.drop_index(op.f("priorities_proposal_id_idx"), table_name="priorities")
    op.drop_table("priorities")
    op.drop_index(op.f("ballot_items_proposal_id_idx"), table_name="ballot_items")
    op.drop_table("ballot_items")
    op.drop_index(op.f("actions_team_id_idx"), table_name="actions")
    op.drop_index(op.f("actions_proposal_id_idx"), table_name="actions")
    op.drop_index("actions_area_id_id_idx", table_name="actions")
    op.drop_table("actions")
    op.drop_index("proposals_themes_idx", table_name="proposals", postgresql_using="gin")
    op.drop_index(op.f("proposals_conversation_id_idx"), table_name="proposals")
    op.drop_index(op.f("proposals_author_id_idx"), table_name="proposals")
    op.drop_index("proposals_area_id_id_idx", table_name="proposals")
    op.drop_table("proposals")
    op.drop_index(op.f("team_memberships_team_id_idx"), table_name="team_memberships")
    op.drop_index(op.f("team_memberships_person_id_idx"), table_name="team_memberships")
    op.drop_index(
        "team_memberships_current_key",
        table_name="team_memberships",
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.drop_table("team_memberships")
    op.drop_index(op.f("stories_conversation_id_idx"), table_name="stories")
    op.drop_table("stories")
    op.drop_table("round_snapshots")
    op.drop_index(op.f("ballots_person_id_idx"), table_name="ballots")
    op.drop_table("ballots")
    op.drop_index(
        "ballot_casts_idempotency_key",
        table_name="ballot_casts",
        postgresql_where=sa.text("idempotency_key IS NOT NULL"),
    )
    op.drop_table("ballot_casts")
    op.drop_index(
        "voting_rounds_due_idx",
        table_name="voting_rounds",
        postgresql_where=sa.text("state = 'open' AND closes_at IS NOT NULL"),
    )
    op.drop_index("voting_rounds_area_id_id_idx", table_name="voting_rounds")
    op.drop_table("voting_rounds")
    op.drop_index("core_teams_area_id_name_key", table_name="core_teams")
    op.drop_table("core_teams")
    op.drop_index(
        "conversations_live_join_code_key",
        table_name="conversations",
        postgresql_where=sa.text("status <> 'closed'"),
    )
    op.drop_index("conversations_area_id_id_idx", table_name="conversations")
    op.drop_table("conversations")
    op.drop_index("audit_events_subject_idx", table_name="audit_events")
    op.drop_index("audit_events_area_id_id_idx", table_name="audit_events")
    op.drop_index(op.f("audit_events_actor_id_idx"), table_name="audit_events")
    op.drop_table("audit_events")
    op.drop_index(op.f("area_roles_person_id_idx"), table_name="area_roles")
    op.drop_index(op.f("area_roles_area_id_idx"), table_name="area_roles")
    op.drop_table("area_roles")
    op.drop_index(op.f("api_tokens_person_id_idx"), table_name="api_tokens")
    op.drop_table("api_tokens")
    op.drop_index("people_email_lower_key", table_name="people")
    op.drop_table("people")
    op.drop_index(op.f("areas_parent_id_idx"), table_name="areas")
    op.drop_table("areas")
