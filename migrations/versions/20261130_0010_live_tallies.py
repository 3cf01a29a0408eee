"""live tallies kept by triggers; the voter's kind at cast

Revision ID: 0010
Revises: 0006
Create Date: 2026-11-30 04:01:10

Counters per round (``round_tallies``, ``round_turnouts``, ``round_pairs``) kept by row
triggers on ``ballots`` and ``ballot_entries`` in the transaction that writes them, so
every writer (casts, paper ballots, withdrawals, moderation merges in plain SQL, erasure,
merged accounts, COPY) keeps them exact without knowing they exist. Each ballot counts
in the shard ``ballot id % 16``, so concurrent casts rarely queue on one row.

Entry triggers run BEFORE each row: PostgreSQL shows a BEFORE row trigger the rows the
same statement changed before it, never the row itself, so a multi-row insert or delete
counts each pair of a ballot's entries exactly once. A deleted ballot subtracts all of
its entries at once; its entries' cascaded deletes then find no ballot and count
nothing. A session may set ``levelground.uncounted_round`` to a round id to load that
round's ballots in bulk without counting, then call ``lg_rebuild_round_counters``.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _kind() -> sa.Enum:
    return sa.Enum(
        "resident",
        "professional",
        name="voter_kind",
        native_enum=False,
        create_constraint=True,
        length=20,
    )


FUNCTIONS = [
    # The voter's kind when the ballot is first cast, kept for the ballot's life: a
    # re-cast (or a merged account's ballot) keeps it, so no change of kind moves a
    # ballot between groups, and a re-cast's entries count under the kind its earlier
    # entries did, whichever order one statement's rows are written in.
    """
    CREATE FUNCTION lg_ballot_voter_kind() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        SELECT kind INTO NEW.voter_kind FROM people WHERE id = NEW.person_id;
      ELSE
        NEW.voter_kind := OLD.voter_kind;
      END IF;
      RETURN NEW;
    END $$
    """,
    """
    CREATE FUNCTION lg_counting(round bigint) RETURNS boolean LANGUAGE sql STABLE AS $$
      SELECT coalesce(current_setting('levelground.uncounted_round', true), '')
             IS DISTINCT FROM round::text
    $$
    """,
    # One entry's contribution, times sign (1 or -1). ``skip_*`` names the row being
    # changed, so it never pairs with itself (a BEFORE DELETE/UPDATE trigger still sees it).
    """
    CREATE FUNCTION lg_count_entry(
      e ballot_entries, sign integer, skip_ballot bigint, skip_proposal bigint
    ) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      kind text;
      slot smallint := (e.ballot_id % 16)::smallint;
    BEGIN
      SELECT voter_kind INTO kind FROM ballots WHERE id = e.ballot_id;
      IF NOT FOUND OR NOT lg_counting(e.round_id) THEN
        RETURN;
      END IF;
      INSERT INTO round_tallies AS t
             (round_id, proposal_id, voter_kind, shard, supporters, points, rank_sum)
      VALUES (e.round_id, e.proposal_id, kind, slot, sign,
              sign * coalesce(e.points, 0), sign * coalesce(e.rank, 0))
      ON CONFLICT (round_id, proposal_id, voter_kind, shard) DO UPDATE
         SET supporters = t.supporters + excluded.supporters,
             points = t.points + excluded.points,
             rank_sum = t.rank_sum + excluded.rank_sum;
      IF e.rank IS NOT NULL THEN
        INSERT INTO round_pairs AS p (round_id, ahead_id, behind_id, shard, ballots)
        SELECT e.round_id,
               CASE WHEN o.rank < e.rank THEN o.proposal_id ELSE e.proposal_id END,
               CASE WHEN o.rank < e.rank THEN e.proposal_id ELSE o.proposal_id END,
               slot, sign
          FROM ballot_entries o
         WHERE o.ballot_id = e.ballot_id
           AND o.rank IS NOT NULL AND o.rank <> e.rank
           AND NOT (o.ballot_id = skip_ballot AND o.proposal_id = skip_proposal)
        ON CONFLICT (round_id, ahead_id, behind_id, shard) DO UPDATE
           SET ballots = p.ballots + excluded.ballots;
      END IF;
    END $$
    """,
    """
    CREATE FUNCTION lg_ballot_entry_counters() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM lg_count_entry(OLD, -1, OLD.ballot_id, OLD.proposal_id);
      END IF;
      IF TG_OP = 'UPDATE' THEN
        PERFORM lg_count_entry(NEW, 1, OLD.ballot_id, OLD.proposal_id);
      ELSIF TG_OP = 'INSERT' THEN
        PERFORM lg_count_entry(NEW, 1, NEW.ballot_id, NEW.proposal_id);
      END IF;
      IF TG_OP = 'DELETE' THEN
        RETURN OLD;
      END IF;
      RETURN NEW;
    END $$
    """,
    # A whole ballot's contribution (turnout, every entry, every pair), times sign.
    """
    CREATE FUNCTION lg_count_ballot(b ballots, sign integer) RETURNS void LANGUAGE plpgsql AS $$
    DECLARE
      slot smallint := (b.id % 16)::smallint;
    BEGIN
      IF NOT lg_counting(b.round_id)
         OR NOT EXISTS (SELECT 1 FROM voting_rounds WHERE id = b.round_id) THEN
        RETURN;  -- being loaded in bulk, or its round is being deleted with it
      END IF;
      INSERT INTO round_turnouts AS t (round_id, voter_kind, shard, voters)
      VALUES (b.round_id, b.voter_kind, slot, sign)
      ON CONFLICT (round_id, voter_kind, shard) DO UPDATE SET voters = t.voters + excluded.voters;
      INSERT INTO round_tallies AS t
             (round_id, proposal_id, voter_kind, shard, supporters, points, rank_sum)
      SELECT b.round_id, e.proposal_id, b.voter_kind, slot, sign,
             sign * coalesce(e.points, 0), sign * coalesce(e.rank, 0)
        FROM ballot_entries e WHERE e.ballot_id = b.id
      ON CONFLICT (round_id, proposal_id, voter_kind, shard) DO UPDATE
         SET supporters = t.supporters + excluded.supporters,
             points = t.points + excluded.points,
             rank_sum = t.rank_sum + excluded.rank_sum;
      INSERT INTO round_pairs AS p (round_id, ahead_id, behind_id, shard, ballots)
      SELECT b.round_id, a.proposal_id, z.proposal_id, slot, sign
        FROM ballot_entries a JOIN ballot_entries z ON z.ballot_id = a.ballot_id
       WHERE a.ballot_id = b.id AND a.rank < z.rank
      ON CONFLICT (round_id, ahead_id, behind_id, shard) DO UPDATE
         SET ballots = p.ballots + excluded.ballots;
    END $$
    """,
    # A new ballot has no entries yet: only its turnout. A deleted one takes everything
    # with it, before its entries' cascaded deletes (which then find no ballot). A ballot
    # whose kind changed (a re-cast after changing kind) moves its figures between kinds.
    """
    CREATE FUNCTION lg_ballot_counters() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF lg_counting(NEW.round_id) THEN
          INSERT INTO round_turnouts AS t (round_id, voter_kind, shard, voters)
          VALUES (NEW.round_id, NEW.voter_kind, (NEW.id % 16)::smallint, 1)
          ON CONFLICT (round_id, voter_kind, shard) DO UPDATE SET voters = t.voters + 1;
        END IF;
        RETURN NEW;
      ELSIF TG_OP = 'DELETE' THEN
        PERFORM lg_count_ballot(OLD, -1);
        RETURN OLD;
      END IF;
      IF (OLD.voter_kind, OLD.round_id) IS DISTINCT FROM (NEW.voter_kind, NEW.round_id) THEN
        PERFORM lg_count_ballot(OLD, -1);
        PERFORM lg_count_ballot(NEW, 1);
      END IF;
      RETURN NEW;
    END $$
    """,
    # Recount one round's counters from its ballots in three statements: after a bulk
    # load (seed-scale) and for the backfill below.
    """
    CREATE FUNCTION lg_rebuild_round_counters(round bigint) RETURNS void LANGUAGE sql AS $$
      DELETE FROM round_tallies WHERE round_id = round;
      DELETE FROM round_turnouts WHERE round_id = round;
      DELETE FROM round_pairs WHERE round_id = round;
      INSERT INTO round_turnouts (round_id, voter_kind, shard, voters)
      SELECT round_id, voter_kind, (id % 16)::smallint, count(*)
        FROM ballots WHERE round_id = round GROUP BY 1, 2, 3;
      INSERT INTO round_tallies
             (round_id, proposal_id, voter_kind, shard, supporters, points, rank_sum)
      SELECT e.round_id, e.proposal_id, b.voter_kind, (b.id % 16)::smallint, count(*),
             coalesce(sum(e.points), 0), coalesce(sum(e.rank), 0)
        FROM ballot_entries e JOIN ballots b ON b.id = e.ballot_id
       WHERE e.round_id = round GROUP BY 1, 2, 3, 4;
      INSERT INTO round_pairs (round_id, ahead_id, behind_id, shard, ballots)
      SELECT a.round_id, a.proposal_id, z.proposal_id, (a.ballot_id % 16)::smallint, count(*)
        FROM ballot_entries a JOIN ballot_entries z ON z.ballot_id = a.ballot_id
       WHERE a.round_id = round AND a.rank < z.rank GROUP BY 1, 2, 3, 4;
    $$
    """,
]

TRIGGERS = [
    """
    CREATE TRIGGER ballots_voter_kind BEFORE INSERT OR UPDATE ON ballots
    FOR EACH ROW EXECUTE FUNCTION lg_ballot_voter_kind()
    """,
    # After ballots_voter_kind has set the kind; a delete before its entries cascade.
    """
    CREATE TRIGGER ballots_counters AFTER INSERT OR UPDATE ON ballots
    FOR EACH ROW EXECUTE FUNCTION lg_ballot_counters()
    """,
    """
    CREATE TRIGGER ballots_counters_delete BEFORE DELETE ON ballots
    FOR EACH ROW EXECUTE FUNCTION lg_ballot_counters()
    """,
    """
    CREATE TRIGGER ballot_entries_counters BEFORE INSERT OR UPDATE OR DELETE ON ballot_entries
    FOR EACH ROW EXECUTE FUNCTION lg_ballot_entry_counters()
    """,
]


def upgrade() -> None:
    op.create_table(
        "round_pairs",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("ahead_id", sa.BigInteger(), nullable=False),
        sa.Column("behind_id", sa.BigInteger(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("ballots", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("round_pairs_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "round_id", "ahead_id", "behind_id", "shard", name=op.f("round_pairs_pkey")
        ),
    )
    op.create_table(
        "round_tallies",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("proposal_id", sa.BigInteger(), nullable=False),
        sa.Column("voter_kind", _kind(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("supporters", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("points", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("rank_sum", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("round_tallies_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "round_id", "proposal_id", "voter_kind", "shard", name=op.f("round_tallies_pkey")
        ),
    )
    op.create_table(
        "round_turnouts",
        sa.Column("round_id", sa.BigInteger(), nullable=False),
        sa.Column("voter_kind", _kind(), nullable=False),
        sa.Column("shard", sa.SmallInteger(), nullable=False),
        sa.Column("voters", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["voting_rounds.id"],
            name=op.f("round_turnouts_round_id_fkey"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "round_id", "voter_kind", "shard", name=op.f("round_turnouts_pkey")
        ),
    )
    # Backfill: the kind each voter has now is the best record of it there is.
    op.add_column("ballots", sa.Column("voter_kind", _kind(), nullable=True))
    op.execute("UPDATE ballots b SET voter_kind = p.kind FROM people p WHERE p.id = b.person_id")
    op.alter_column("ballots", "voter_kind", nullable=False)
    for statement in FUNCTIONS:
        op.execute(statement)
    op.execute("SELECT lg_rebuild_round_counters(id) FROM voting_rounds")
    for statement in TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER ballot_entries_counters ON ballot_entries")
    op.execute("DROP TRIGGER ballots_counters_delete ON ballots")
    op.execute("DROP TRIGGER ballots_counters ON ballots")
    op.execute("DROP TRIGGER ballots_voter_kind ON ballots")
    op.execute("DROP FUNCTION lg_rebuild_round_counters(bigint)")
    op.execute("DROP FUNCTION lg_ballot_counters()")
    op.execute("DROP FUNCTION lg_count_ballot(ballots, integer)")
    op.execute("DROP FUNCTION lg_ballot_entry_counters()")
    op.execute("DROP FUNCTION lg_count_entry(ballot_entries, integer, bigint, bigint)")
    op.execute("DROP FUNCTION lg_counting(bigint)")
    op.execute("DROP FUNCTION lg_ballot_voter_kind()")
    op.drop_column("ballots", "voter_kind")
    op.drop_table("round_turnouts")
    op.drop_table("round_tallies")
    op.drop_table("round_pairs")
