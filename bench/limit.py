"""The limit: what Levelground's requests cost without GraphQL and without the ORM.

A minimal Starlette app on asyncpg, run by ``python -m bench`` under uvicorn, doing what
the services do for each scenario with the same rules and the same data, in as few
round trips as a careful hand-written endpoint would:

- ``POST /cast``: a bearer token found by its hash (with the person's roles, noting its
  use every few minutes), both write limits counted, then one transaction: the round's
  gate and the voter's lock, the round with its ballot and the areas above it, the
  ballot upserted, its entries replaced, the cast logged, the tally notified.
  The ballot is checked by the app's own rules (``server.voting.rules``).
- ``POST /proposals``: an area's 50 newest proposals with author names, comment counts
  and the total.
- ``POST /priorities``: the latest closed round's priorities of an area and every area
  beneath it, in the app's tree order, with their proposals and areas.
- ``POST /board``: ``examples/board_report.py``'s board paper for an area: every action
  beneath it with the facts its health needs (judged by the app's own rules,
  ``server.actions.health``), the open blockers and asks shown, the priorities, the
  milestones and latest updates of the plan's first page, and the activity feed.

Each answers a JSON body shaped like Levelground's GraphQL ``data``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import asyncpg
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from server.access import SATISFIES, Scope
from server.actions.health import Facts, Health, assess
from server.actions.models import ActionStatus, Rag
from server.areas.tree import AreaTree
from server.auth.tokens import TOKEN_PREFIX, USE_RECORDED_EVERY, hash_token
from server.config import RateLimits
from server.errors import DomainError, ErrorCode, Forbidden, NotFound
from server.events import ROUND_TALLY, asyncpg_dsn
from server.ids import from_global_id, to_global_id
from server.limits.service import Limit
from server.people.models import Role
from server.voting import rules
from server.voting.models import RoundState, VotingMethod

FIND_BEARER = """
SELECT t.id, t.person_id, t.scopes, t.last_used_at,
       coalesce(array_agg(r.area_id) FILTER (WHERE r.id IS NOT NULL), '{}') AS areas,
       coalesce(array_agg(r.role::text) FILTER (WHERE r.id IS NOT NULL), '{}') AS roles
  FROM api_tokens t LEFT JOIN area_roles r ON r.person_id = t.person_id
 WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > $2)
 GROUP BY t.id
"""
TOUCH = """
UPDATE api_tokens SET last_used_at = $2
 WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < $3)
"""
COUNT_WRITES = """
INSERT INTO rate_limit_counts AS c (bucket, key_hash, window_start, count)
VALUES ($1, $2, $5, 1), ($3, $4, $5, 1)
ON CONFLICT (bucket, key_hash, window_start) DO UPDATE SET count = c.count + 1
RETURNING bucket, count
"""
FORGET_WINDOWS = "DELETE FROM rate_limit_counts WHERE bucket = $1 AND window_start < $2"
LOCKS = """
SELECT pg_advisory_xact_lock_shared(hashtextextended($1, 0)),
       pg_advisory_xact_lock(hashtextextended($2, 0))
"""
ROUND = """
SELECT r.area_id, r.method, r.state, r.closes_at, r.dots_per_person, r.max_dots_per_item,
       ARRAY(SELECT proposal_id FROM ballot_items WHERE round_id = r.id) AS candidates,
       ARRAY(WITH RECURSIVE up AS (
                 SELECT id, parent_id FROM areas WHERE id = r.area_id
                 UNION ALL
                 SELECT a.id, a.parent_id FROM areas a JOIN up ON a.id = up.parent_id)
             SELECT id FROM up) AS ancestors
  FROM voting_rounds r WHERE r.id = $1
"""
UPSERT_BALLOT = """
INSERT INTO ballots (round_id, person_id) VALUES ($1, $2)
ON CONFLICT (round_id, person_id)
DO UPDATE SET assisted_by_id = excluded.assisted_by_id, updated_at = now()
RETURNING id, updated_at
"""
CLEAR_ENTRIES = "DELETE FROM ballot_entries WHERE ballot_id = $1"
DEADLOCK_ATTEMPTS = 5
ADD_ENTRIES = """
INSERT INTO ballot_entries (ballot_id, round_id, proposal_id, points, rank)
SELECT $1, $2, proposal_id, points, rank
  FROM unnest($3::bigint[], $4::int[], $5::int[]) AS e (proposal_id, points, rank)
"""
LOG_CAST = """
INSERT INTO ballot_casts (round_id, person_id, cast_by_id, assisted) VALUES ($1, $2, $2, false)
"""
NOTIFY = "SELECT pg_notify($1, $2)"
PROPOSALS = """
SELECT (SELECT count(*) FROM proposals WHERE area_id = a.id) AS total,
       p.id, p.title, p.display_name, p.comments
  FROM areas a
  LEFT JOIN LATERAL (
      SELECT p.id, p.title, pe.display_name,
             (SELECT count(*) FROM comments c
               WHERE c.proposal_id = p.id AND c.hidden_at IS NULL) AS comments
        FROM proposals p JOIN people pe ON pe.id = p.author_id
       WHERE p.area_id = a.id
       ORDER BY p.id DESC
       LIMIT $2) p ON true
 WHERE a.slug = $1
 ORDER BY p.id DESC
"""
# The area named by $1 and every area beneath it (parents first, siblings by id: the
# app's tree order), and the latest closed round of each.
LATEST_CLOSED = """
WITH RECURSIVE tree AS (
    SELECT id, 1 AS depth, ARRAY[id] AS path FROM areas WHERE slug = $1
    UNION ALL
    SELECT a.id, t.depth + 1, t.path || a.id FROM areas a JOIN tree t ON a.parent_id = t.id
), latest AS (
    SELECT DISTINCT ON (r.area_id) r.id, r.area_id
      FROM voting_rounds r JOIN tree t ON t.id = r.area_id
     WHERE r.state = 'closed'
     ORDER BY r.area_id, r.closed_at DESC, r.id DESC
)
"""
PRIORITIES = (
    LATEST_CLOSED
    + """
SELECT p.rank, p.score, p.supporters, pr.id, pr.title, a.name
  FROM latest l
  JOIN tree t ON t.id = l.area_id
  JOIN priorities p ON p.round_id = l.id
  JOIN proposals pr ON pr.id = p.proposal_id
  JOIN areas a ON a.id = pr.area_id
 ORDER BY t.depth, t.path, p.rank
"""
)
PAGE = 50
AREAS = "SELECT id, parent_id, name, slug FROM areas"
ACTIONS = """
SELECT a.id, a.area_id, a.title, a.status, a.rag, a.percent_complete, a.target_date,
       a.team_id, a.lead_id, a.round_id, a.proposal_id, a.closing_statement, a.created_at,
       a.last_update_at, ar.name AS area_name, t.name AS team_name, pe.display_name AS lead_name,
       (SELECT count(*) FROM updates u WHERE u.action_id = a.id AND u.kind = 'blocker'
           AND u.resolved_at IS NULL) AS open_blockers,
       (SELECT count(*) FROM updates u WHERE u.action_id = a.id AND u.kind = 'ask_for_help'
           AND u.resolved_at IS NULL) AS open_asks,
       (SELECT count(*) FROM milestones m WHERE m.action_id = a.id AND m.done_at IS NULL
           AND m.due_at < $2) AS overdue_milestones,
       CASE WHEN a.lead_id IS NULL OR a.team_id IS NULL THEN NULL
            ELSE EXISTS (SELECT FROM team_memberships tm WHERE tm.team_id = a.team_id
                            AND tm.person_id = a.lead_id AND tm.left_at IS NULL)
       END AS lead_on_team
  FROM actions a
  JOIN areas ar ON ar.id = a.area_id
  LEFT JOIN core_teams t ON t.id = a.team_id
  LEFT JOIN people pe ON pe.id = a.lead_id
 WHERE a.area_id = any($1::bigint[])
 ORDER BY a.id
"""
OPEN_UPDATES = """
SELECT action_id, kind, body, display_name FROM (
    SELECT u.action_id, u.kind, u.body, pe.display_name,
           row_number() OVER (PARTITION BY u.action_id, u.kind ORDER BY u.id DESC) AS position
      FROM updates u JOIN people pe ON pe.id = u.author_id
     WHERE u.action_id = any($1::bigint[]) AND u.kind IN ('blocker', 'ask_for_help')
       AND u.resolved_at IS NULL) open
 WHERE position <= CASE WHEN kind = 'blocker' THEN 1 ELSE 3 END
 ORDER BY action_id, kind, position
"""
PLAN_DETAILS = """
SELECT m.action_id, 'milestone' AS what, m.title AS text, NULL AS kind, m.due_at AS at,
       m.done_at, m.id
  FROM milestones m WHERE m.action_id = any($1::bigint[])
UNION ALL
SELECT * FROM (
    SELECT DISTINCT ON (u.action_id) u.action_id, 'update', u.body, u.kind, u.created_at,
           NULL::timestamptz, u.id
      FROM updates u WHERE u.action_id = any($1::bigint[])
     ORDER BY u.action_id, u.id DESC) latest
 ORDER BY action_id, what, at ASC NULLS LAST, id
"""
ACTIVITY = """
SELECT feed.kind, feed.occurred_at, ar.name AS area_name, a.title AS action_title,
       u.kind AS update_kind, u.body AS update_body, pe.display_name AS author_name,
       r.title AS round_title
  FROM (
      SELECT 'update_posted' AS kind, u.created_at AS occurred_at, u.id, a.area_id,
             a.id AS action_id, u.id AS update_id, NULL::bigint AS round_id
        FROM updates u JOIN actions a ON a.id = u.action_id WHERE a.area_id = any($1::bigint[])
      UNION ALL
      SELECT 'priority_adopted', a.created_at, a.id, a.area_id, a.id, NULL, a.round_id
        FROM actions a WHERE a.area_id = any($1::bigint[])
      UNION ALL
      SELECT 'round_closed', r.closed_at, r.id, r.area_id, NULL, NULL, r.id
        FROM voting_rounds r WHERE r.state = 'closed' AND r.area_id = any($1::bigint[])
      ORDER BY occurred_at DESC, kind DESC, id DESC
      LIMIT $2) feed
  JOIN areas ar ON ar.id = feed.area_id
  LEFT JOIN actions a ON a.id = feed.action_id
  LEFT JOIN updates u ON u.id = feed.update_id
  LEFT JOIN people pe ON pe.id = u.author_id
  LEFT JOIN voting_rounds r ON r.id = feed.round_id
 ORDER BY feed.occurred_at DESC, feed.kind DESC, feed.id DESC
"""
BOARD_PRIORITIES = (
    LATEST_CLOSED
    + """
SELECT p.rank, p.supporters, pr.title, a.name, ac.id AS action_id
  FROM latest l
  JOIN tree t ON t.id = l.area_id
  JOIN priorities p ON p.round_id = l.id
  JOIN proposals pr ON pr.id = p.proposal_id
  JOIN areas a ON a.id = pr.area_id
  LEFT JOIN actions ac ON ac.round_id = p.round_id AND ac.proposal_id = p.proposal_id
 ORDER BY t.depth, t.path, p.rank
"""
)
ACTIVITY_SHOWN = 10
PLAN_SHOWN = 100


class Unauthorized(Exception):
    pass


class Actor:
    def __init__(self, person_id: int, scopes: list[str], areas: list[int], roles: list[str]):
        self.person_id = person_id
        self.scopes = {Scope(s) for s in scopes}
        self.grants = list(zip(areas, (Role(r) for r in roles), strict=True))

    def require(self, ancestors: list[int], role: Role) -> None:
        """The app's rule (``server.access``): the role, or one including it, held in the
        area or any area above it; writes need the write scope."""
        if Scope.WRITE not in self.scopes:
            raise Forbidden(f"This token does not have the '{Scope.WRITE}' scope.")
        accepted = SATISFIES[role]
        if not any(area in ancestors and held in accepted for area, held in self.grants):
            raise Forbidden(f"You need to be a {role.value} here to do that.")


async def authenticate(connection: asyncpg.Connection, request: Request) -> Actor:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        raise Unauthorized
    now = datetime.now(UTC)
    row = await connection.fetchrow(FIND_BEARER, hash_token(token), now)
    if row is None:
        raise Unauthorized
    last_used = row["last_used_at"]
    if last_used is None or last_used < now - USE_RECORDED_EVERY:
        await connection.execute(TOUCH, row["id"], now, now - USE_RECORDED_EVERY)
    return Actor(row["person_id"], row["scopes"], row["areas"], row["roles"])


async def within_write_limits(
    connection: asyncpg.Connection, config: RateLimits, person_id: int, ip: str
) -> bool:
    now = datetime.now(UTC)
    person = Limit("writes-person", config.writes_per_person, config.write_window_seconds)
    address = Limit("writes-ip", config.writes_per_ip, config.write_window_seconds)
    start = person.window_start(now)
    counts = dict(
        await connection.fetch(
            COUNT_WRITES,
            person.bucket,
            _key_hash(person, str(person_id)),
            address.bucket,
            _key_hash(address, ip),
            start,
        )
    )
    for bucket, count in counts.items():
        if count == 1:
            await connection.execute(FORGET_WINDOWS, bucket, start)
    within: bool = counts[person.bucket] <= person.limit and counts[address.bucket] <= address.limit
    return within


def _key_hash(limit: Limit, key: str) -> str:
    # The app's derivation, so both count in the same rows.
    return hashlib.sha256(f"{limit.bucket}\x00{key}".encode()).hexdigest()


def _entries(raw: Any) -> list[rules.EntryInput]:
    entries = []
    for entry in raw if isinstance(raw, list) else []:
        decoded = from_global_id(str(entry.get("proposalId", "")))
        entries.append(
            rules.EntryInput(
                decoded[1] if decoded and decoded[0] == "Proposal" else None,
                entry.get("points"),
                entry.get("rank"),
            )
        )
    return entries


async def cast_ballot(
    connection: asyncpg.Connection, actor: Actor, round_id: int, entries: list[rules.EntryInput]
) -> dict[str, Any]:
    async with connection.transaction():
        await connection.execute(LOCKS, f"round:{round_id}", f"ballot:{round_id}:{actor.person_id}")
        found = await connection.fetchrow(ROUND, round_id)
        if found is None:
            raise NotFound("Voting round", ["roundId"])
        actor.require(found["ancestors"], Role.PARTICIPANT)
        closes_at = found["closes_at"]
        if found["state"] != RoundState.OPEN or (
            closes_at is not None and closes_at <= datetime.now(UTC)
        ):
            raise DomainError(
                ErrorCode.ROUND_NOT_OPEN, "This round is not open for voting.", ["roundId"]
            )
        marks = rules.check(
            rules.Rules(
                method=VotingMethod(found["method"]),
                ballot=set(found["candidates"]),
                dots_per_person=found["dots_per_person"],
                max_dots_per_item=found["max_dots_per_item"],
            ),
            entries,
        )
        ballot = await connection.fetchrow(UPSERT_BALLOT, round_id, actor.person_id)
        await connection.execute(CLEAR_ENTRIES, ballot["id"])
        # In proposal order, as the services write them (fewer deadlocks on the counters).
        in_order = sorted(marks, key=lambda m: m.proposal_id)
        await connection.execute(
            ADD_ENTRIES,
            ballot["id"],
            round_id,
            [m.proposal_id for m in in_order],
            [m.points for m in in_order],
            [m.rank for m in in_order],
        )
        await connection.execute(LOG_CAST, round_id, actor.person_id)
        await connection.execute(NOTIFY, ROUND_TALLY, str(round_id))
    ordered = sorted(marks, key=lambda m: (m.rank is None, m.rank or 0, m.proposal_id))
    return {
        "updatedAt": ballot["updated_at"].isoformat(),
        "entries": [
            {
                "points": m.points,
                "rank": m.rank,
                "proposal": {"id": to_global_id("Proposal", m.proposal_id)},
            }
            for m in ordered
        ],
    }


async def cast(request: Request) -> Response:
    body = await request.json()
    client = request.client
    async with request.app.state.pool.acquire() as connection:
        try:
            actor = await authenticate(connection, request)
        except Unauthorized:
            return _unauthorized()
        limits: RateLimits = request.app.state.limits
        if not await within_write_limits(
            connection, limits, actor.person_id, client.host if client else "unknown"
        ):
            return _failed(DomainError(ErrorCode.RATE_LIMITED, "Wait a minute and try again."))
        decoded = from_global_id(str(body.get("roundId", "")))
        if decoded is None or decoded[0] != "VotingRound":
            return _failed(NotFound("Voting round", ["roundId"]))
        entries = _entries(body.get("entries"))
        # Retried on a deadlock, as the services' mutations are (server.db_errors): casts in
        # one counter shard can meet on its rows in opposite orders.
        for attempt in range(1, DEADLOCK_ATTEMPTS + 1):
            try:
                ballot = await cast_ballot(connection, actor, decoded[1], entries)
                break
            except DomainError as error:
                return _failed(error)
            except (asyncpg.DeadlockDetectedError, asyncpg.SerializationError):
                if attempt == DEADLOCK_ATTEMPTS:
                    return _failed(DomainError(ErrorCode.RATE_LIMITED, "Try again."))
    return JSONResponse({"castBallot": {"ballot": ballot, "errors": []}})


async def proposals_of(connection: asyncpg.Connection, slug: str) -> dict[str, Any]:
    rows = await connection.fetch(PROPOSALS, slug, PAGE + 1)
    if not rows:
        return {"area": None}
    page = [row for row in rows if row["id"] is not None]
    edges = [
        {
            "node": {
                "id": to_global_id("Proposal", row["id"]),
                "title": row["title"],
                "author": {"displayName": row["display_name"]},
                "commentCount": row["comments"],
            }
        }
        for row in page[:PAGE]
    ]
    return {
        "area": {
            "proposals": {
                "totalCount": rows[0]["total"],
                "pageInfo": {"hasNextPage": len(page) > PAGE},
                "edges": edges,
            }
        }
    }


async def priorities_of(connection: asyncpg.Connection, slug: str) -> dict[str, Any]:
    rows = await connection.fetch(PRIORITIES, slug)
    return {
        "area": {
            "priorities": [
                {
                    "rank": row["rank"],
                    "score": row["score"],
                    "supporters": row["supporters"],
                    "proposal": {
                        "id": to_global_id("Proposal", row["id"]),
                        "title": row["title"],
                        "area": {"name": row["name"]},
                    },
                }
                for row in rows
            ]
        }
    }


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _name(value: str | None) -> dict[str, str] | None:
    return {"name": value} if value is not None else None


class Summary:
    """What the board paper says about a set of actions (server.actions.board's sums)."""

    def __init__(self) -> None:
        self.adopted = 0
        self.percent_sum = 0
        self.by_status = dict.fromkeys(ActionStatus, 0)
        self.by_rag = dict.fromkeys(Rag, 0)
        self.flagged: dict[str, list[Any]] = {
            k: [] for k in ("blocked", "stale", "overdue", "needsLead", "openAsks")
        }

    def add(self, row: Any, health: Health) -> None:
        status = ActionStatus(row["status"])
        self.adopted += 1
        self.by_status[status] += 1
        self.by_rag[health.rag] += 1
        if status is not ActionStatus.DROPPED:
            self.percent_sum += row["percent_complete"]
        for key, flagged in (
            ("stale", health.stale),
            ("blocked", health.blocked),
            ("overdue", health.overdue),
            ("needsLead", health.needs_lead),
            ("openAsks", health.open_asks > 0),
        ):
            if flagged:
                self.flagged[key].append(row)

    def counts(self) -> dict[str, Any]:
        done = self.by_status[ActionStatus.DONE]
        counted = self.adopted - self.by_status[ActionStatus.DROPPED]
        return {
            "adopted": self.adopted,
            "done": done,
            "percentDone": round(100 * done / self.adopted, 1) if self.adopted else None,
            "averagePercentComplete": round(self.percent_sum / counted, 1) if counted else None,
        }

    def by_rag_json(self) -> list[dict[str, Any]]:
        return [{"rag": rag.name, "count": n} for rag, n in self.by_rag.items()]


def _health(row: Any, now: datetime) -> Health:
    return assess(
        Facts(
            status=ActionStatus(row["status"]),
            declared_rag=Rag(row["rag"]),
            adopted_at=row["created_at"],
            last_update_at=row["last_update_at"],
            target_date=row["target_date"],
            open_blockers=row["open_blockers"],
            open_asks=row["open_asks"],
            overdue_milestones=row["overdue_milestones"],
            has_lead=row["lead_id"] is not None,
            lead_on_team=row["lead_on_team"],
        ),
        now,
    )


async def board_paper(connection: asyncpg.Connection, slug: str) -> dict[str, Any] | None:
    now = datetime.now(UTC)
    areas = {row["id"]: row for row in await connection.fetch(AREAS)}
    tree = AreaTree({area_id: row["parent_id"] for area_id, row in areas.items()})
    root = next((row for row in areas.values() if row["slug"] == slug), None)
    if root is None:
        return None
    scope = tree.descendants(root["id"])
    actions = await connection.fetch(ACTIONS, scope, now)
    health = {row["id"]: _health(row, now) for row in actions}
    summary = Summary()
    children = sorted(
        (areas[a] for a in tree.descendants(root["id"]) if areas[a]["parent_id"] == root["id"]),
        key=lambda area: (area["name"], area["id"]),
    )
    within = {child["id"]: set(tree.descendants(child["id"])) for child in children}
    by_child = {child["id"]: Summary() for child in children}
    for row in actions:
        summary.add(row, health[row["id"]])
        for child_id, areas_beneath in within.items():
            if row["area_id"] in areas_beneath:
                by_child[child_id].add(row, health[row["id"]])
    shown_updates: dict[tuple[int, str], list[Any]] = {}
    flagged_ids = [r["id"] for key in ("blocked", "openAsks") for r in summary.flagged[key]]
    for update in await connection.fetch(OPEN_UPDATES, flagged_ids):
        shown_updates.setdefault((update["action_id"], update["kind"]), []).append(update)
    page = actions[:PLAN_SHOWN]
    milestones: dict[int, list[Any]] = {}
    latest: dict[int, Any] = {}
    for detail in await connection.fetch(PLAN_DETAILS, [row["id"] for row in page]):
        if detail["what"] == "milestone":
            milestones.setdefault(detail["action_id"], []).append(detail)
        else:
            latest[detail["action_id"]] = detail
    by_id = {row["id"]: row for row in actions}
    priorities = await connection.fetch(BOARD_PRIORITIES, slug)
    activity = await connection.fetch(ACTIVITY, scope, ACTIVITY_SHOWN)

    def updates(row: Any, kind: str, author: bool) -> dict[str, Any]:
        found = shown_updates.get((row["id"], kind), [])
        nodes = [
            {
                "body": u["body"],
                **({"author": {"displayName": u["display_name"]}} if author else {}),
            }
            for u in found
        ]
        return {"edges": [{"node": node} for node in nodes]}

    def listed(key: str, more: Callable[[Any], dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {"title": row["title"], "area": _name(row["area_name"]), **more(row)}
            for row in summary.flagged[key]
        ]

    return {
        "area": {
            "name": root["name"],
            "children": [
                {
                    "name": child["name"],
                    "actionPlanSummary": {
                        **{
                            k: v
                            for k, v in by_child[child["id"]].counts().items()
                            if k != "averagePercentComplete"
                        },
                        "byRag": by_child[child["id"]].by_rag_json(),
                    },
                }
                for child in children
            ],
            "actionPlanSummary": {
                "asOf": now.isoformat(),
                **summary.counts(),
                "byStatus": [{"status": s.name, "count": n} for s, n in summary.by_status.items()],
                "byRag": summary.by_rag_json(),
                "blocked": listed(
                    "blocked",
                    lambda row: {
                        "team": _name(row["team_name"]),
                        "openBlockers": health[row["id"]].open_blockers,
                        "updateConnection": updates(row, "blocker", author=False),
                    },
                ),
                "stale": listed(
                    "stale",
                    lambda row: {
                        "lastUpdateAt": _when(row["last_update_at"]),
                        "createdAt": _when(row["created_at"]),
                    },
                ),
                "overdue": listed("overdue", lambda row: {"targetDate": _when(row["target_date"])}),
                "needsLead": listed("needsLead", lambda row: {"team": _name(row["team_name"])}),
                "openAsks": listed(
                    "openAsks",
                    lambda row: {"updateConnection": updates(row, "ask_for_help", author=True)},
                ),
            },
            "priorities": [
                {
                    "rank": p["rank"],
                    "supporters": p["supporters"],
                    "proposal": {"title": p["title"], "area": {"name": p["name"]}},
                    "action": (
                        None
                        if p["action_id"] is None
                        else {
                            "status": ActionStatus(by_id[p["action_id"]]["status"]).name,
                            "rag": health[p["action_id"]].rag.name,
                            "percentComplete": by_id[p["action_id"]]["percent_complete"],
                            "closingStatement": by_id[p["action_id"]]["closing_statement"],
                        }
                    ),
                }
                for p in priorities
            ],
            "actionPlan": {
                "totalCount": len(actions),
                "pageInfo": {"hasNextPage": len(actions) > PLAN_SHOWN},
                "edges": [
                    {"node": _plan_node(row, health[row["id"]], milestones, latest)} for row in page
                ],
            },
            "activity": {
                "edges": [
                    {
                        "node": {
                            "kind": event["kind"].upper(),
                            "occurredAt": _when(event["occurred_at"]),
                            "area": {"name": event["area_name"]},
                            "action": {"title": event["action_title"]}
                            if event["action_title"]
                            else None,
                            "update": (
                                None
                                if event["update_kind"] is None
                                else {
                                    "kind": event["update_kind"].upper(),
                                    "body": event["update_body"],
                                    "author": {"displayName": event["author_name"]},
                                }
                            ),
                            "round": {"title": event["round_title"]}
                            if event["round_title"]
                            else None,
                        }
                    }
                    for event in activity
                ]
            },
        }
    }


def _plan_node(
    row: Any, health: Health, milestones: dict[int, list[Any]], latest: dict[int, Any]
) -> dict[str, Any]:
    update = latest.get(row["id"])
    return {
        "title": row["title"],
        "status": ActionStatus(row["status"]).name,
        "rag": health.rag.name,
        "percentComplete": row["percent_complete"],
        "targetDate": _when(row["target_date"]),
        "stale": health.stale,
        "overdue": health.overdue,
        "needsLead": health.needs_lead,
        "openAsks": health.open_asks,
        "area": {"name": row["area_name"]},
        "team": _name(row["team_name"]),
        "lead": {"displayName": row["lead_name"]} if row["lead_name"] is not None else None,
        "milestones": [
            {"title": m["text"], "dueAt": _when(m["at"]), "doneAt": _when(m["done_at"])}
            for m in milestones.get(row["id"], [])
        ],
        "latestUpdate": (
            None
            if update is None
            else {
                "kind": update["kind"].upper(),
                "body": update["text"],
                "createdAt": _when(update["at"]),
            }
        ),
    }


def read(
    answer: Callable[[asyncpg.Connection, str], Awaitable[dict[str, Any] | None]],
) -> Callable[[Request], Awaitable[Response]]:
    """An endpoint answering, for anyone signed in, about the area the body names."""

    async def endpoint(request: Request) -> Response:
        body = await request.json()
        async with request.app.state.pool.acquire() as connection:
            try:
                await authenticate(connection, request)
            except Unauthorized:
                return _unauthorized()
            found = await answer(connection, str(body.get("area", "")))
        return JSONResponse(found or {"area": None})

    return endpoint


def _failed(error: DomainError) -> Response:
    errors = [{"code": error.code.value, "message": error.message, "field": error.field}]
    return JSONResponse({"castBallot": {"ballot": None, "errors": errors}})


def _unauthorized() -> Response:
    return JSONResponse(
        {"errors": [{"message": "The token is unknown, revoked or expired."}]}, status_code=401
    )


async def healthz(request: Request) -> Response:
    return PlainTextResponse("ok")


async def _nothing_to_reset(connection: asyncpg.Connection) -> None:
    """Requests leave no session state behind (their locks end with their transaction,
    nothing LISTENs), so a released connection needs no RESET ALL round trip."""


@contextlib.asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    size = int(os.environ.get("BENCH_POOL", "20"))
    dsn = asyncpg_dsn(os.environ["BENCH_DATABASE_URL"])
    async with asyncpg.create_pool(
        dsn, min_size=size // 2, max_size=size, reset=_nothing_to_reset
    ) as pool:
        app.state.pool = pool
        # The same limits as the Levelground under test (servers.RATE_LIMITS).
        app.state.limits = RateLimits.model_validate_json(os.environ["LEVELGROUND_RATE_LIMITS"])
        yield


app = Starlette(
    routes=[
        Route("/cast", cast, methods=["POST"]),
        Route("/proposals", read(proposals_of), methods=["POST"]),
        Route("/priorities", read(priorities_of), methods=["POST"]),
        Route("/board", read(board_paper), methods=["POST"]),
        Route("/healthz", healthz),
    ],
    lifespan=lifespan,
)
