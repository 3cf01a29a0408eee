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

-- The board paper (examples/board_report.py). Levelground judges each action by the rules
-- in server/actions/health.py; these functions say the same in SQL.

-- An area and every area beneath it.
CREATE OR REPLACE FUNCTION bench_scope(area_id bigint) RETURNS SETOF bigint
LANGUAGE sql STABLE AS $$
    WITH RECURSIVE tree AS (
        SELECT bench_scope.area_id AS id
        UNION ALL
        SELECT c.id FROM areas c JOIN tree t ON c.parent_id = t.id
    )
    SELECT id FROM tree
$$;

DO $$ BEGIN
    CREATE TYPE bench_health AS (
        rag text, overdue boolean, blocked boolean, stale boolean, needs_lead boolean,
        open_blockers integer, open_asks integer);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Action.health: the effective RAG (the declared one raised by the rules: overdue or
-- blocked -> at least AMBER, both -> RED, stale or a late milestone -> at least AMBER;
-- DONE is GREEN, DROPPED keeps its RAG, closed actions carry no flags) and the flags.
CREATE OR REPLACE FUNCTION actions_health(a actions) RETURNS bench_health
LANGUAGE sql STABLE AS $$
    WITH facts AS (
        SELECT (SELECT count(*) FROM updates u WHERE u.action_id = a.id AND u.kind = 'blocker'
                   AND u.resolved_at IS NULL)::integer AS blockers,
               (SELECT count(*) FROM updates u WHERE u.action_id = a.id
                   AND u.kind = 'ask_for_help' AND u.resolved_at IS NULL)::integer AS asks,
               (SELECT count(*) FROM milestones m WHERE m.action_id = a.id
                   AND m.done_at IS NULL AND m.due_at < now())::integer AS late_steps,
               a.lead_id IS NULL OR (a.team_id IS NOT NULL AND NOT EXISTS (
                   SELECT FROM team_memberships tm WHERE tm.team_id = a.team_id
                      AND tm.person_id = a.lead_id AND tm.left_at IS NULL)) AS needs_lead,
               a.target_date IS NOT NULL AND a.target_date < now() AS overdue,
               now() - coalesce(a.last_update_at, a.created_at) >= interval '30 days' AS stale
    ), judged AS (
        SELECT f.*, a.status = 'blocked' OR f.blockers > 0 AS blocked FROM facts f
    )
    SELECT CASE
        WHEN a.status = 'done' THEN ROW('green', false, false, false, false, 0, 0)::bench_health
        WHEN a.status = 'dropped' THEN ROW(a.rag, false, false, false, false, 0, 0)::bench_health
        ELSE ROW(
            CASE WHEN (j.overdue AND j.blocked) OR a.rag = 'red' THEN 'red'
                 WHEN j.overdue OR j.blocked OR j.stale OR j.late_steps > 0 OR a.rag = 'amber'
                     THEN 'amber'
                 ELSE 'green' END,
            j.overdue, j.blocked, j.stale, j.needs_lead, j.blockers, j.asks)::bench_health
        END
      FROM judged j
$$;

-- Area.plan: every action in the area and beneath it, oldest adoption first.
CREATE OR REPLACE FUNCTION areas_plan(a areas) RETURNS SETOF actions
LANGUAGE sql STABLE AS $$
    SELECT x.* FROM actions x WHERE x.area_id IN (SELECT bench_scope(a.id)) ORDER BY x.id
$$;

-- Area.planFlagged(flag): the plan's blocked, stale, overdue, needs_lead or open_asks
-- actions, in plan order.
CREATE OR REPLACE FUNCTION areas_plan_flagged(a areas, flag text) RETURNS SETOF actions
LANGUAGE sql STABLE AS $$
    SELECT x.* FROM areas_plan(a) x, LATERAL actions_health(x) h
     WHERE CASE flag WHEN 'blocked' THEN h.blocked WHEN 'stale' THEN h.stale
                     WHEN 'overdue' THEN h.overdue WHEN 'needs_lead' THEN h.needs_lead
                     WHEN 'open_asks' THEN h.open_asks > 0 ELSE false END
     ORDER BY x.id
$$;

DO $$ BEGIN
    CREATE TYPE bench_plan_summary AS (
        adopted integer, done integer, percent_done double precision,
        average_percent_complete double precision, by_status jsonb, by_rag jsonb);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Area.planSummary: the counts of a board paper (statuses and RAGs in Levelground's
-- order; percentages rounded half to even, as Python's round does).
CREATE OR REPLACE FUNCTION areas_plan_summary(a areas) RETURNS bench_plan_summary
LANGUAGE sql STABLE AS $$
    WITH judged AS (
        SELECT x.status, x.percent_complete, h.rag FROM areas_plan(a) x, LATERAL actions_health(x) h
    ), totals AS (
        SELECT count(*)::integer AS adopted,
               count(*) FILTER (WHERE status = 'done')::integer AS done,
               count(*) FILTER (WHERE status <> 'dropped')::integer AS counted,
               coalesce(sum(percent_complete) FILTER (WHERE status <> 'dropped'), 0) AS percent_sum
          FROM judged
    )
    SELECT t.adopted, t.done,
           CASE WHEN t.adopted > 0 THEN round(1000.0::float8 * t.done / t.adopted) / 10 END,
           CASE WHEN t.counted > 0 THEN round(10.0::float8 * t.percent_sum / t.counted) / 10 END,
           (SELECT jsonb_agg(jsonb_build_object('status', upper(s), 'count',
                       (SELECT count(*) FROM judged WHERE status = s)) ORDER BY n)
              FROM unnest(ARRAY['not_started', 'in_progress', 'blocked', 'done', 'dropped'])
                   WITH ORDINALITY AS v(s, n)),
           (SELECT jsonb_agg(jsonb_build_object('rag', upper(r), 'count',
                       (SELECT count(*) FROM judged WHERE rag = r)) ORDER BY n)
              FROM unnest(ARRAY['red', 'amber', 'green']) WITH ORDINALITY AS v(r, n))
      FROM totals t
$$;

-- Action.openUpdates(kind): unresolved blockers or unanswered asks, newest first.
CREATE OR REPLACE FUNCTION actions_open_updates(a actions, kind text) RETURNS SETOF updates
LANGUAGE sql STABLE AS $$
    SELECT u.* FROM updates u
     WHERE u.action_id = a.id AND u.kind = actions_open_updates.kind AND u.resolved_at IS NULL
     ORDER BY u.id DESC
$$;

-- Action.latestUpdate.
CREATE OR REPLACE FUNCTION actions_latest_update(a actions) RETURNS updates
LANGUAGE sql STABLE AS $$
    SELECT u.* FROM updates u WHERE u.action_id = a.id ORDER BY u.id DESC LIMIT 1
$$;

-- Priority.action: the action the priority became, if adopted.
CREATE OR REPLACE FUNCTION priorities_action(p priorities) RETURNS actions
LANGUAGE sql STABLE AS $$
    SELECT x.* FROM actions x WHERE x.round_id = p.round_id AND x.proposal_id = p.proposal_id
$$;

DO $$ BEGIN
    CREATE TYPE bench_activity AS (
        kind text, occurred_at timestamptz, area_name text, action_title text,
        update_kind text, update_body text, author_name text, round_title text);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$;

-- Area.activity(latest): the latest updates posted, priorities adopted and rounds closed
-- in the area and beneath it, newest first.
CREATE OR REPLACE FUNCTION areas_activity(a areas, latest integer) RETURNS SETOF bench_activity
LANGUAGE sql STABLE AS $$
    SELECT upper(feed.kind), feed.occurred_at, ar.name, x.title, upper(u.kind), u.body,
           pe.display_name, r.title
      FROM (
          SELECT 'update_posted' AS kind, u.created_at AS occurred_at, u.id, x.area_id,
                 x.id AS action_id, u.id AS update_id, NULL::bigint AS round_id
            FROM updates u JOIN actions x ON x.id = u.action_id
           WHERE x.area_id IN (SELECT bench_scope(a.id))
          UNION ALL
          SELECT 'priority_adopted', x.created_at, x.id, x.area_id, x.id, NULL, x.round_id
            FROM actions x WHERE x.area_id IN (SELECT bench_scope(a.id))
          UNION ALL
          SELECT 'round_closed', r.closed_at, r.id, r.area_id, NULL, NULL, r.id
            FROM voting_rounds r
           WHERE r.state = 'closed' AND r.area_id IN (SELECT bench_scope(a.id))
          ORDER BY occurred_at DESC, kind DESC, id DESC
          LIMIT latest) feed
      JOIN areas ar ON ar.id = feed.area_id
      LEFT JOIN actions x ON x.id = feed.action_id
      LEFT JOIN updates u ON u.id = feed.update_id
      LEFT JOIN people pe ON pe.id = u.author_id
      LEFT JOIN voting_rounds r ON r.id = feed.round_id
     ORDER BY feed.occurred_at DESC, feed.kind DESC, feed.id DESC
$$;

-- Area.neighbourhoods and Action.steps: children by name, milestones soonest first (plain
-- relations order only by indexed columns).
CREATE OR REPLACE FUNCTION areas_neighbourhoods(a areas) RETURNS SETOF areas
LANGUAGE sql STABLE AS $$
    SELECT c.* FROM areas c WHERE c.parent_id = a.id ORDER BY c.name, c.id
$$;

CREATE OR REPLACE FUNCTION actions_steps(a actions) RETURNS SETOF milestones
LANGUAGE sql STABLE AS $$
    SELECT m.* FROM milestones m WHERE m.action_id = a.id ORDER BY m.due_at, m.id
$$;
