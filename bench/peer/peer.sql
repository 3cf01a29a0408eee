-- PostGraphile's side of the benchmark: the SQL functions it needs to answer the same
-- questions as Levelground, with the same rules. Applied by `python -m bench` to the
-- bench database only (never part of Levelground's migrations). PostGraphile turns each
-- into GraphQL: a STABLE function taking a row is a field on that row's type, a STABLE
-- root function a query field, a VOLATILE one a mutation.

-- Who is asking: the bearer token PostGraphile passes in the `bench.token` setting,
-- found by its SHA-256 like Levelground's tokens. A wrong token is an error.
CREATE OR REPLACE FUNCTION bench_viewer() RETURNS bigint
LANGUAGE plpgsql STABLE AS $$
DECLARE
    found bigint;
BEGIN
    SELECT person_id INTO found FROM api_tokens
     WHERE token_hash = encode(sha256(convert_to(
               coalesce(current_setting('bench.token', true), ''), 'UTF8')), 'hex')
       AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());
    IF found IS NULL THEN
        RAISE EXCEPTION 'The token is unknown, revoked or expired.' USING ERRCODE = '28000';
    END IF;
    RETURN found;
END
$$;

-- The way in for reads: an area by its slug, for someone signed in.
CREATE OR REPLACE FUNCTION bench_area(slug text) RETURNS areas
LANGUAGE sql STABLE AS $$
    SELECT a.* FROM areas a WHERE a.slug = bench_area.slug AND bench_viewer() IS NOT NULL
$$;

-- Proposal.commentCount: comments not hidden by moderation, replies included.
CREATE OR REPLACE FUNCTION proposals_comment_count(p proposals) RETURNS integer
LANGUAGE sql STABLE AS $$
    SELECT count(*)::integer FROM comments c WHERE c.proposal_id = p.id AND c.hidden_at IS NULL
$$;

-- Area.prioritiesWithChildren: the latest closed round's priorities of the area and of
-- every area beneath it, parents before children (breadth first, siblings by id), then
-- by rank: Levelground's `priorities(includeChildren: true)`.
CREATE OR REPLACE FUNCTION areas_priorities_with_children(a areas) RETURNS SETOF priorities
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE tree AS (
        SELECT a.id, 1 AS depth, ARRAY[a.id] AS path
        UNION ALL
        SELECT c.id, t.depth + 1, t.path || c.id FROM areas c JOIN tree t ON c.parent_id = t.id
    ), latest AS (
        SELECT DISTINCT ON (r.area_id) r.id, r.area_id
          FROM voting_rounds r JOIN tree t ON t.id = r.area_id
         WHERE r.state = 'closed'
         ORDER BY r.area_id, r.closed_at DESC, r.id DESC
    )
    SELECT p.*
      FROM latest l
      JOIN tree t ON t.id = l.area_id
      JOIN priorities p ON p.round_id = l.id
     ORDER BY t.depth, t.path, p.rank
$$;

-- Mutation.benchCastBallot: Levelground's castBallot for a DOTS round (the benchmark's),
-- in one transaction: the token (its use noted every few minutes), both write limits
-- (in Levelground's own rows), the round's gate, the role, the open round, the voter's
-- lock, the ballot's rules, the upserted ballot, its entries, the cast log, the notice.
-- The database's own triggers check every method's rules again, as they do for the app.
CREATE OR REPLACE FUNCTION bench_cast_ballot(round_id bigint, entries jsonb) RETURNS ballots
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    token api_tokens%ROWTYPE;
    voter bigint;
    r voting_rounds%ROWTYPE;
    current_window timestamptz := to_timestamp(floor(extract(epoch FROM now()) / 60) * 60);
    counted record;
    n integer;
    distinct_n integer;
    on_ballot integer;
    spent integer;
    biggest integer;
    smallest integer;
    ballot ballots%ROWTYPE;
BEGIN
    SELECT * INTO token FROM api_tokens
     WHERE token_hash = encode(sha256(convert_to(
               coalesce(current_setting('bench.token', true), ''), 'UTF8')), 'hex')
       AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now());
    IF NOT FOUND THEN
        RAISE EXCEPTION 'The token is unknown, revoked or expired.' USING ERRCODE = '28000';
    END IF;
    IF NOT 'write' = ANY (token.scopes) THEN
        RAISE EXCEPTION 'FORBIDDEN: this token does not have the write scope.';
    END IF;
    voter := token.person_id;
    IF token.last_used_at IS NULL OR token.last_used_at < now() - interval '5 minutes' THEN
        UPDATE api_tokens SET last_used_at = now() WHERE id = token.id;
    END IF;

    FOR counted IN
        INSERT INTO rate_limit_counts AS c (bucket, key_hash, window_start, count)
        VALUES ('writes-person', encode(sha256(convert_to('writes-person', 'UTF8') || '\x00'::bytea
                    || convert_to(voter::text, 'UTF8')), 'hex'), current_window, 1),
               ('writes-ip', encode(sha256(convert_to('writes-ip', 'UTF8') || '\x00'::bytea
                    || convert_to(current_setting('bench.ip', true), 'UTF8')), 'hex'),
                current_window, 1)
        ON CONFLICT (bucket, key_hash, window_start) DO UPDATE SET count = c.count + 1
        RETURNING c.bucket, c.count
    LOOP
        IF counted.count = 1 THEN
            DELETE FROM rate_limit_counts c
             WHERE c.bucket = counted.bucket AND c.window_start < current_window;
        END IF;
        IF counted.bucket = 'writes-person' AND counted.count > 60 THEN
            RAISE EXCEPTION 'RATE_LIMITED: wait a minute and try again.';
        END IF;
    END LOOP;

    PERFORM pg_advisory_xact_lock_shared(hashtextextended('round:' || round_id, 0));
    SELECT * INTO r FROM voting_rounds WHERE id = round_id;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'NOT_FOUND: voting round not found.';
    END IF;
    IF NOT EXISTS (
        WITH RECURSIVE up AS (
            SELECT id, parent_id FROM areas WHERE id = r.area_id
            UNION ALL
            SELECT p.id, p.parent_id FROM areas p JOIN up ON p.id = up.parent_id
        )
        SELECT 1 FROM area_roles g JOIN up ON g.area_id = up.id
         WHERE g.person_id = voter AND g.role IN ('participant', 'facilitator', 'admin')
    ) THEN
        RAISE EXCEPTION 'FORBIDDEN: you need to be a participant here to do that.';
    END IF;
    IF r.state <> 'open' OR (r.closes_at IS NOT NULL AND r.closes_at <= now()) THEN
        RAISE EXCEPTION 'ROUND_NOT_OPEN: this round is not open for voting.';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended('ballot:' || round_id || ':' || voter, 0));

    SELECT count(*), count(DISTINCT e."proposalId"), count(i.proposal_id),
           coalesce(sum(e.points), 0), coalesce(max(e.points), 0), min(e.points)
      INTO n, distinct_n, on_ballot, spent, biggest, smallest
      FROM jsonb_to_recordset(entries) AS e ("proposalId" bigint, points integer)
      LEFT JOIN ballot_items i ON i.round_id = r.id AND i.proposal_id = e."proposalId";
    IF n = 0 THEN
        RAISE EXCEPTION 'INVALID_INPUT: choose at least one proposal.';
    ELSIF on_ballot < n THEN
        RAISE EXCEPTION 'NOT_ON_BALLOT: that proposal is not on this round''s ballot.';
    ELSIF distinct_n < n THEN
        RAISE EXCEPTION 'DUPLICATE_ENTRY: a proposal can appear only once on a ballot.';
    ELSIF r.method = 'dots' AND (smallest IS NULL OR smallest < 1) THEN
        RAISE EXCEPTION 'INVALID_INPUT: give each chosen proposal at least 1 dot.';
    ELSIF r.method = 'dots' AND biggest > coalesce(r.max_dots_per_item, r.dots_per_person) THEN
        RAISE EXCEPTION 'OVER_ITEM_CAP: too many dots on one proposal.';
    ELSIF r.method = 'dots' AND spent > r.dots_per_person THEN
        RAISE EXCEPTION 'OVER_BUDGET: more dots than you have.';
    END IF;

    INSERT INTO ballots (round_id, person_id) VALUES (r.id, voter)
    ON CONFLICT ON CONSTRAINT ballots_round_id_person_id_key
    DO UPDATE SET assisted_by_id = excluded.assisted_by_id, updated_at = now()
    RETURNING * INTO ballot;
    DELETE FROM ballot_entries WHERE ballot_id = ballot.id;
    INSERT INTO ballot_entries (ballot_id, round_id, proposal_id, points)
    SELECT ballot.id, r.id, e."proposalId", e.points
      FROM jsonb_to_recordset(entries) AS e ("proposalId" bigint, points integer);
    INSERT INTO ballot_casts (round_id, person_id, cast_by_id, assisted)
    VALUES (r.id, voter, voter, false);
    PERFORM pg_notify('levelground_round_tally', r.id::text);
    RETURN ballot;
END
$$;

-- Ballot.entries: a ballot's entries, ranks first then by proposal (Levelground's order).
-- PostGraphile makes no relation from ballot_entries' foreign key to ballots(id,
-- round_id), a unique key rather than the primary key.
CREATE OR REPLACE FUNCTION ballots_entries(b ballots) RETURNS SETOF ballot_entries
LANGUAGE sql STABLE AS $$
    SELECT * FROM ballot_entries e WHERE e.ballot_id = b.id
     ORDER BY e.rank NULLS LAST, e.proposal_id
$$;
