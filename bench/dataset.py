"""The benchmark's city: 20 areas, 50,000 people, 5,000 proposals, 100 rounds, 1,000,000
ballot entries, 100,000 comments and 2,000 actions at scale 1, built with COPY.

Every row obeys the schema's constraints and triggers, which stay switched on while the
data goes in (ballots within their round's budget and rank rules, comment depths, RAG
and closing statements...). Closed rounds are closed by the app's own service, so their
snapshots and priorities are exactly what Levelground would have frozen. The same seed
gives the same city, tokens included.

The bench keeps what it needs to drive requests (each person's API token in plain text,
the open round, the areas to read) in a ``bench`` schema of the same database, so a
kept database can be benchmarked again without rebuilding it.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import itertools
import json
import math
import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from server.auth.tokens import TOKEN_PREFIX, hash_token
from server.db import create_engine, create_sessionmaker, unit_of_work
from server.events import asyncpg_dsn
from server.voting import service as voting_service

VERSION = 1
DOTS_PER_PERSON, MAX_DOTS_PER_ITEM = 10, 4
MAX_BALLOT_ITEMS = 30

NEIGHBOURHOODS = {
    "North": ["Foleshill", "Holbrooks", "Radford", "Longford"],
    "East": ["Wood End", "Bell Green", "Wyken", "Binley"],
    "South": ["Willenhall", "Stoke Aldermoor", "Cheylesmore", "Whitley"],
    "West": ["Tile Hill", "Canley", "Earlsdon"],
}
FIRST = [
    "Amira",
    "Ben",
    "Chloe",
    "Dev",
    "Ewa",
    "Farah",
    "Grace",
    "Hassan",
    "Ines",
    "Jack",
    "Kofi",
    "Leah",
    "Mohammed",
    "Nadia",
    "Oliver",
    "Priya",
    "Qasim",
    "Rosa",
    "Sam",
    "Tomasz",
    "Uma",
    "Vikram",
    "Wendy",
    "Xin",
    "Yusuf",
    "Zofia",
    "Aisha",
    "Callum",
    "Deepa",
    "Eilidh",
]
LAST = [
    "Ahmed",
    "Brown",
    "Chowdhury",
    "Davies",
    "Evans",
    "Fernandes",
    "Green",
    "Hughes",
    "Igwe",
    "Jones",
    "Kaur",
    "Lewis",
    "Mistry",
    "Nowak",
    "Okafor",
    "Patel",
    "Quinn",
    "Roberts",
    "Singh",
    "Taylor",
    "Usman",
    "Vasquez",
    "Walker",
    "Xu",
    "Young",
    "Zielinski",
]
AFFILIATIONS = ["Coventry City Council", "GP practice", "NHS trust", "Voluntary sector", "Police"]
THEMES = ["wellbeing", "housing", "transport", "food", "youth", "older-people", "green-spaces"]
IDEAS = [
    "A walking group",
    "A warm space on winter evenings",
    "A community fridge",
    "Free bike repairs",
    "A youth club night",
    "A men's shed",
    "Cooking on a budget sessions",
    "A befriending phone line",
    "Safer crossings near the school",
    "A tenants' drop-in",
    "A community garden",
    "Benefits advice at the library",
]
REMARKS = [
    "I would come along to this.",
    "We tried something like it in 2019; the room was the hard part.",
    "Could it be in the evenings for people who work?",
    "Yes, and it should be free.",
    "My neighbour would love this.",
    "Who would run it week to week?",
]
JOIN_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TOKEN_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # noqa: S105 (not a secret)


@dataclass(frozen=True)
class Sizes:
    people: int
    proposals: int
    rounds: int
    entries: int
    comments: int
    actions: int

    @classmethod
    def at(cls, scale: float) -> Sizes:
        def scaled(full: int, least: int) -> int:
            return max(least, round(full * scale))

        return cls(
            people=scaled(50_000, 100),
            proposals=scaled(5_000, 40),
            rounds=scaled(100, 3),
            entries=scaled(1_000_000, 1_000),
            comments=scaled(100_000, 200),
            actions=scaled(2_000, 10),
        )


@dataclass(frozen=True)
class Dataset:
    """What the scenarios need to know about the city."""

    scale: float
    seed: int
    counts: dict[str, int]
    city_slug: str
    page_area_slug: str
    open_round_id: int
    open_round_candidates: list[int]
    dots_per_person: int
    max_dots_per_item: int
    people: list[tuple[int, str]]
    board: list[tuple[int, str]]


@dataclass
class _Area:
    id: int
    slug: str
    name: str
    parent_id: int | None


# Rows for one table: its name, the columns given, the rows.
_Rows = tuple[str, tuple[str, ...], list[tuple[Any, ...]]]


class _Ids:
    def __init__(self) -> None:
        self._next: dict[str, itertools.count[int]] = {}

    def __call__(self, table: str) -> int:
        return next(self._next.setdefault(table, itertools.count(1)))


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    batch: list[tuple[Any, ...]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


@functools.cache
def _popularity(n: int) -> list[float]:
    """Cumulative weights making earlier items likelier (so results are not a flat tie)."""
    return list(itertools.accumulate(1 / (i + 1) ** 0.7 for i in range(n)))


def _weighted_sample(rng: random.Random, items: Sequence[int], k: int) -> list[int]:
    """``k`` distinct items, earlier ones likelier."""
    cumulative = _popularity(len(items))
    chosen: dict[int, None] = {}
    while len(chosen) < k:
        chosen[rng.choices(items, cum_weights=cumulative)[0]] = None
    return list(chosen)


def _marks(
    rng: random.Random, method: str, candidates: Sequence[int]
) -> list[tuple[int, int | None, int | None]]:
    """One valid ballot: (proposal, points, rank) rows obeying the round's rules."""
    n = len(candidates)
    if method == "dots":
        left, marks = DOTS_PER_PERSON, list[tuple[int, int | None, int | None]]()
        for proposal in _weighted_sample(rng, candidates, rng.randint(1, min(4, n))):
            if left == 0:
                break
            points = rng.randint(1, min(MAX_DOTS_PER_ITEM, left))
            left -= points
            marks.append((proposal, points, None))
        return marks
    if method == "approval":
        return [(p, 1, None) for p in _weighted_sample(rng, candidates, rng.randint(1, min(6, n)))]
    ranked = _weighted_sample(rng, candidates, rng.randint(1, min(5, n)))
    return [(p, None, position + 1) for position, p in enumerate(ranked)]


def _token(rng: random.Random, used: set[str]) -> str:
    while True:
        prefix = "".join(rng.choice(TOKEN_ALPHABET) for _ in range(10))
        if prefix not in used:
            used.add(prefix)
            secret = base64.urlsafe_b64encode(rng.randbytes(32)).decode().rstrip("=")
            return f"{TOKEN_PREFIX}{prefix}_{secret}"


def _slug(name: str) -> str:
    return name.lower().replace("'", "").replace(" ", "-")


class Builder:
    """Generates and loads the city, table by table, with a progress bar for each."""

    def __init__(self, connection: asyncpg.Connection, scale: float, seed: int) -> None:
        self.db = connection
        self.scale = scale
        self.seed = seed
        self.sizes = Sizes.at(scale)
        self.rng = random.Random(seed)
        self.ids = _Ids()
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.start = self.now - timedelta(days=365)
        self.counts: dict[str, int] = {}
        self.progress = Progress(
            TextColumn("{task.description:<18}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
        )

    def at(self, share: float) -> datetime:
        """A moment ``share`` of the way through the past year."""
        return self.start + (self.now - self.start) * share

    async def copy(
        self, table: str, columns: Sequence[str], rows: Iterable[tuple[Any, ...]], total: int
    ) -> int:
        task = self.progress.add_task(table, total=total)
        done = 0
        for batch in _chunks(rows, 20_000):
            await self.db.copy_records_to_table(table, records=batch, columns=list(columns))
            done += len(batch)
            self.progress.update(task, completed=done, total=max(total, done))
        self.counts[table] = self.counts.get(table, 0) + done
        return done

    async def build_votes(self, second: asyncpg.Connection) -> None:
        """Everything up to the ballots, with every round that takes ballots still open."""
        async with self.db.transaction():
            await self._areas()
            await self._people()
            await self._conversations()
            await self._proposals()
            await self._rounds()
        await self._ballots(second)

    # --- areas, people, tokens -------------------------------------------------------

    async def _areas(self) -> None:
        city = _Area(self.ids("areas"), "coventry", "Coventry", None)
        self.areas = [city]
        for ward, places in NEIGHBOURHOODS.items():
            parent = _Area(self.ids("areas"), _slug(f"{ward} Coventry"), f"{ward} Coventry", 1)
            self.areas.append(parent)
            self.areas.extend(
                _Area(self.ids("areas"), _slug(place), place, parent.id) for place in places
            )
        await self.copy(
            "areas",
            ("id", "slug", "name", "parent_id", "created_at"),
            ((a.id, a.slug, a.name, a.parent_id, self.start) for a in self.areas),
            len(self.areas),
        )

    async def _people(self) -> None:
        rng, n = self.rng, self.sizes.people
        self.person_ids = list(range(1, n + 1))

        def people() -> Iterator[tuple[Any, ...]]:
            for pid in self.person_ids:
                professional = rng.random() < 0.25
                joined = self.at(rng.random() * 0.5)
                yield (
                    pid,
                    f"{rng.choice(FIRST)} {rng.choice(LAST)}",
                    f"person{pid}@bench.levelground.example",
                    "professional" if professional else "resident",
                    rng.choice(AFFILIATIONS) if professional else None,
                    joined if rng.random() < 0.5 else None,
                    joined,
                    joined,
                )

        await self.copy(
            "people",
            (
                "id",
                "display_name",
                "email",
                "kind",
                "affiliation",
                "email_verified_at",
                "created_at",
                "updated_at",
            ),
            people(),
            n,
        )
        # Everyone takes part city-wide (so any of them may vote in the city's round);
        # each area has two facilitators, the city an admin and a board.
        self.facilitators = {
            area.id: rng.sample(self.person_ids, 2) for area in self.areas if area.parent_id
        }
        self.board_ids = self.person_ids[1:11]
        roles = [(pid, 1, "participant") for pid in self.person_ids]
        roles += [
            (pid, aid, "facilitator") for aid, pids in self.facilitators.items() for pid in pids
        ]
        roles += [(self.person_ids[0], 1, "admin")]
        roles += [(pid, 1, "board") for pid in self.board_ids]
        await self.copy(
            "area_roles",
            ("id", "person_id", "area_id", "role", "granted_at"),
            ((self.ids("area_roles"), pid, aid, role, self.start) for pid, aid, role in roles),
            len(roles),
        )
        used: set[str] = set()
        self.tokens = {pid: _token(rng, used) for pid in self.person_ids}
        expires = self.now + timedelta(days=30)
        await self.copy(
            "api_tokens",
            ("id", "person_id", "name", "prefix", "token_hash", "scopes", "expires_at"),
            (
                (
                    self.ids("api_tokens"),
                    pid,
                    "bench",
                    token.split("_")[1],
                    hash_token(token),
                    ["read", "write"],
                    expires,
                )
                for pid, token in self.tokens.items()
            ),
            n,
        )

    # --- conversations, stories, proposals ------------------------------------------

    async def _conversations(self) -> None:
        rng = self.rng
        codes: set[str] = set()
        conversations, stories = [], []
        self.conversations: dict[int, list[tuple[int, list[int]]]] = {}
        for area in self.areas:
            for k in range(3):
                cid = self.ids("conversations")
                while (code := "".join(rng.choice(JOIN_ALPHABET) for _ in range(6))) in codes:
                    pass
                codes.add(code)
                started = self.at(0.1 + 0.3 * k + 0.2 * rng.random())
                live = k == 2
                conversations.append(
                    (
                        cid,
                        area.id,
                        f"What keeps {area.name} well? ({k + 1})",
                        "What keeps you well, and what gets in the way?",
                        started,
                        f"{area.name} community centre",
                        "open" if live else "closed",
                        code,
                        None if live else started + timedelta(hours=3),
                        started - timedelta(days=14),
                    )
                )
                story_ids = []
                for _ in range(2):
                    sid = self.ids("stories")
                    withdrawn = rng.random() < 0.05
                    stories.append(
                        (
                            sid,
                            cid,
                            f"{rng.choice(FIRST)}, {rng.randint(19, 84)}",
                            None if withdrawn else "When the bus stopped running I stopped going.",
                            rng.choice(["facilitators", "participants", "public"]),
                            started,
                            started + timedelta(days=30) if withdrawn else None,
                            started,
                        )
                    )
                    story_ids.append(sid)
                self.conversations.setdefault(area.id, []).append((cid, story_ids))
        await self.copy(
            "conversations",
            (
                "id",
                "area_id",
                "title",
                "prompt",
                "starts_at",
                "location",
                "status",
                "join_code",
                "closed_at",
                "created_at",
            ),
            conversations,
            len(conversations),
        )
        await self.copy(
            "stories",
            (
                "id",
                "conversation_id",
                "teller_pseudonym",
                "body",
                "consent_scope",
                "consent_given_at",
                "withdrawn_at",
                "created_at",
            ),
            stories,
            len(stories),
        )

    async def _proposals(self) -> None:
        rng, n = self.rng, self.sizes.proposals
        # The city gets a larger share: city-wide ideas, and the open city round.
        weights = [4.0 if a.parent_id is None else 1.0 for a in self.areas]
        self.proposals_by_area: dict[int, list[int]] = {a.id: [] for a in self.areas}
        self.proposal_created: dict[int, datetime] = {}
        self.proposal_title: dict[int, str] = {}
        rows = []
        for i in range(n):
            pid = self.ids("proposals")
            area = rng.choices(self.areas, weights)[0]
            created = self.at(0.05 + 0.85 * i / n)
            conversation_id, story_id = None, None
            if rng.random() < 0.4:
                conversation_id, story_ids = rng.choice(self.conversations[area.id])
                if rng.random() < 0.25:
                    story_id = rng.choice(story_ids)
            status, reason, merged = "open", None, None
            roll = rng.random()
            earlier = self.proposals_by_area[area.id]
            if roll < 0.03:
                status, reason = "declined", "The council already runs this."
            elif roll < 0.04 and earlier:
                status, merged = "merged", rng.choice(earlier)
                reason = "Merged with a similar idea."
            elif roll < 0.14:
                status = "shortlisted"
            title = f"{rng.choice(IDEAS)} in {area.name} #{pid}"
            rows.append(
                (
                    pid,
                    area.id,
                    title,
                    "Twice a week, run by volunteers, open to everyone. " * rng.randint(1, 4),
                    status,
                    reason,
                    rng.choice(self.person_ids),
                    conversation_id,
                    story_id,
                    merged,
                    rng.sample(THEMES, rng.randint(0, 3)),
                    created,
                    created,
                )
            )
            self.proposal_created[pid] = created
            self.proposal_title[pid] = title
            if status in ("open", "shortlisted"):
                self.proposals_by_area[area.id].append(pid)
        await self.copy(
            "proposals",
            (
                "id",
                "area_id",
                "title",
                "description",
                "status",
                "status_reason",
                "author_id",
                "conversation_id",
                "story_id",
                "merged_into_id",
                "themes",
                "created_at",
                "updated_at",
            ),
            rows,
            n,
        )

    # --- rounds and ballots ---------------------------------------------------------

    async def _rounds(self) -> None:
        """Rounds go in open (ballots need an open round); all but a few are closed by
        the app once their ballots are in. Round 1 is the city's open DOTS round."""
        rng = self.rng
        total = self.sizes.rounds
        self.round_method: dict[int, str] = {}
        self.round_opened: dict[int, datetime] = {}
        self.round_candidates: dict[int, list[int]] = {}
        self.to_close: list[int] = []
        unused = {aid: list(pids) for aid, pids in self.proposals_by_area.items()}
        rounds: list[tuple[Any, ...]] = []
        items: list[tuple[int, int, int]] = []
        for i in range(total):
            area = self.areas[0] if i == 0 else self.areas[i % len(self.areas)]
            pool = unused[area.id]
            size = min(len(pool), rng.randint(15, MAX_BALLOT_ITEMS))
            if size == 0:
                area = self.areas[0]
                pool = unused[area.id]
                size = min(len(pool), rng.randint(15, MAX_BALLOT_ITEMS))
            if size == 0:
                break
            # Oldest unused ideas first, so every round comes after its proposals.
            candidates, unused[area.id] = pool[:size], pool[size:]
            rid = self.ids("voting_rounds")
            if i == 0:
                method, state = "dots", "open"
            else:
                method = rng.choices(["dots", "approval", "ranked"], [4, 4, 2])[0]
                roll = rng.random()
                state = "draft" if roll < 0.02 else "open"
                if roll >= 0.06:
                    self.to_close.append(rid)
            tally = "schulze" if method == "ranked" and rng.random() < 0.3 else "borda"
            created = max(self.proposal_created[p] for p in candidates) + timedelta(days=1)
            rounds.append(
                (
                    rid,
                    area.id,
                    f"{area.name} vote {i + 1}",
                    method,
                    tally,
                    state,
                    DOTS_PER_PERSON if method == "dots" else None,
                    MAX_DOTS_PER_ITEM if method == "dots" else None,
                    "live" if i == 0 else rng.choice(["live", "after_own_ballot", "after_close"]),
                    None if state == "draft" else created + timedelta(days=1),
                    rng.choice(self.facilitators.get(area.id, self.board_ids)),
                    created,
                )
            )
            self.round_candidates[rid] = candidates
            if state == "open":
                self.round_method[rid] = method
                self.round_opened[rid] = created + timedelta(days=1)
            items.extend((rid, p, position) for position, p in enumerate(candidates))
        self.open_round_id = 1
        await self.copy(
            "voting_rounds",
            (
                "id",
                "area_id",
                "title",
                "method",
                "ranked_tally",
                "state",
                "dots_per_person",
                "max_dots_per_item",
                "result_visibility",
                "opened_at",
                "created_by_id",
                "created_at",
            ),
            rounds,
            len(rounds),
        )
        await self.copy("ballot_items", ("round_id", "proposal_id", "position"), items, len(items))

    async def _ballots(self, second: asyncpg.Connection) -> None:
        """About the same number of entries in every round that takes ballots, each
        person at most once per round. Rounds go in on two connections at once (the
        database's checks of each entry are most of the work), each in one transaction,
        so the deferred budget and rank checks run as the bar moves."""
        bars = {
            table: self.progress.add_task(table, total=total)
            for table, total in (
                ("ballot_entries", self.sizes.entries),
                ("ballots", None),
                ("ballot_casts", None),
            )
        }
        queue: asyncio.Queue[list[_Rows] | None] = asyncio.Queue(maxsize=2)

        async def load(connection: asyncpg.Connection) -> None:
            while (votes := await queue.get()) is not None:
                async with connection.transaction():
                    for table, columns, rows in votes:
                        for batch in _chunks(rows, 20_000):
                            await connection.copy_records_to_table(
                                table, records=batch, columns=list(columns)
                            )
                            self.progress.advance(bars[table], len(batch))
                        self.counts[table] = self.counts.get(table, 0) + len(rows)

        per_round = math.ceil(self.sizes.entries / max(1, len(self.round_method)))
        async with asyncio.TaskGroup() as group:
            for connection in (self.db, second):
                group.create_task(load(connection))
            # Generated in order, one round after another: the same seed, the same votes.
            for rid, method in self.round_method.items():
                await queue.put(self._round_votes(rid, method, per_round))
            for _ in range(2):
                await queue.put(None)
        for table, bar in bars.items():
            self.progress.update(bar, total=self.counts.get(table, 0))

    def _round_votes(self, rid: int, method: str, entries_wanted: int) -> list[_Rows]:
        rng = self.rng
        candidates = self.round_candidates[rid]
        opened = self.round_opened[rid]
        ballots: list[tuple[Any, ...]] = []
        entries: list[tuple[Any, ...]] = []
        casts: list[tuple[Any, ...]] = []
        for pid in rng.sample(self.person_ids, len(self.person_ids)):
            if len(entries) >= entries_wanted:
                break
            bid = self.ids("ballots")
            cast = opened + (self.now - opened) * rng.random()
            ballots.append((bid, rid, pid, cast, cast))
            casts.append((self.ids("ballot_casts"), rid, pid, pid, False, cast))
            entries += [
                (bid, p, rid, points, rank) for p, points, rank in _marks(rng, method, candidates)
            ]
        return [
            ("ballots", ("id", "round_id", "person_id", "created_at", "updated_at"), ballots),
            ("ballot_entries", ("ballot_id", "proposal_id", "round_id", "points", "rank"), entries),
            (
                "ballot_casts",
                ("id", "round_id", "person_id", "cast_by_id", "assisted", "created_at"),
                casts,
            ),
        ]

    # --- after the app has closed the rounds: teams, actions, updates, comments --------

    async def build_plan(self, priorities: Sequence[tuple[int, int, int]]) -> None:
        """Teams, actions adopted from the best priorities, updates, milestones, and the
        comments (some of them on actions)."""
        async with self.db.transaction():
            await self._teams()
            await self._actions(priorities)
            await self._updates()
            await self._comments()
            await self._sequences()

    async def _teams(self) -> None:
        rng = self.rng
        teams, members = [], []
        self.team_members: dict[int, list[int]] = {}
        self.teams_by_area: dict[int, list[int]] = {}
        for area in self.areas:
            for name in ("Core team", "Health and wellbeing team")[: 1 + (area.parent_id is None)]:
                tid = self.ids("core_teams")
                teams.append((tid, area.id, f"{area.name} {name.lower()}", self.start))
                self.teams_by_area.setdefault(area.id, []).append(tid)
                current = rng.sample(self.person_ids, min(7, len(self.person_ids)))
                self.team_members[tid] = current[:6]
                for k, pid in enumerate(current):
                    joined = self.at(0.2 * rng.random())
                    left = k == 6
                    members.append(
                        (
                            self.ids("team_memberships"),
                            tid,
                            pid,
                            joined,
                            joined + timedelta(days=60) if left else None,
                            "Moved away." if left else None,
                        )
                    )
        await self.copy("core_teams", ("id", "area_id", "name", "created_at"), teams, len(teams))
        await self.copy(
            "team_memberships",
            ("id", "team_id", "person_id", "joined_at", "left_at", "left_reason"),
            members,
            len(members),
        )

    async def _actions(self, priorities: Sequence[tuple[int, int, int]]) -> None:
        """``priorities``: (round, proposal, rank) of every closed round."""
        rng = self.rng
        # Every round's first priority, then every round's second, and so on.
        chosen = sorted(priorities, key=lambda p: (p[2], p[0]))[: self.sizes.actions]
        round_area = dict(
            await self.db.fetch(
                "SELECT id, area_id FROM voting_rounds WHERE id = any($1::bigint[])",
                list({rid for rid, _, _ in chosen}),
            )
        )
        proposal_origin = {
            row["id"]: (row["conversation_id"], row["story_id"], row["description"])
            for row in await self.db.fetch(
                "SELECT id, conversation_id, story_id, description FROM proposals "
                "WHERE id = any($1::bigint[])",
                [p for _, p, _ in chosen],
            )
        }
        statuses = ["not_started", "in_progress", "blocked", "done", "dropped"]
        actions, ownerships = [], []
        self.action_facts: list[tuple[int, str, datetime, int]] = []
        for rid, proposal, rank in chosen:
            aid = self.ids("actions")
            area_id = round_area[rid]
            team = rng.choice(self.teams_by_area[area_id])
            lead = rng.choice(self.team_members[team]) if rng.random() < 0.9 else None
            status = rng.choices(statuses, [15, 45, 10, 20, 5])[0]
            percent = {"done": 100, "not_started": 0}.get(status, rng.randint(5, 95))
            adopted = self.at(0.92 + 0.05 * rng.random())
            target = adopted + timedelta(days=rng.randint(-60, 240)) if rng.random() < 0.7 else None
            conversation_id, story_id, description = proposal_origin[proposal]
            closing = (
                "We did it: the group meets every Tuesday."
                if status == "done"
                else "Dropped: the venue closed."
                if status == "dropped"
                else None
            )
            actions.append(
                (
                    aid,
                    area_id,
                    self.proposal_title[proposal],
                    description,
                    status,
                    rng.choices(["green", "amber", "red"], [6, 3, 1])[0],
                    percent,
                    target,
                    team,
                    lead,
                    rid,
                    proposal,
                    rank,
                    conversation_id,
                    story_id,
                    closing,
                    rng.choice(self.facilitators.get(area_id, self.board_ids)),
                    adopted,
                    adopted,
                )
            )
            ownerships.append((self.ids("action_ownerships"), aid, team, lead, adopted))
            self.action_facts.append((aid, status, adopted, team))
        await self.copy(
            "actions",
            (
                "id",
                "area_id",
                "title",
                "description",
                "status",
                "rag",
                "percent_complete",
                "target_date",
                "team_id",
                "lead_id",
                "round_id",
                "proposal_id",
                "priority_rank",
                "conversation_id",
                "story_id",
                "closing_statement",
                "created_by_id",
                "created_at",
                "updated_at",
            ),
            actions,
            len(actions),
        )
        await self.copy(
            "action_ownerships",
            ("id", "action_id", "team_id", "lead_id", "since"),
            ownerships,
            len(ownerships),
        )
        await self.db.execute(
            "UPDATE proposals SET status = 'adopted', updated_at = now() "
            "WHERE id = any($1::bigint[])",
            [p for _, p, _ in chosen],
        )

    async def _updates(self) -> None:
        rng = self.rng
        updates, milestones, last_update = [], [], []
        kinds = ["progress", "blocker", "learning", "ask_for_help"]
        for aid, _status, adopted, team in self.action_facts:
            members = self.team_members[team]
            when = adopted
            latest = None
            for _ in range(rng.randint(0, 10)):
                when = when + timedelta(days=rng.uniform(1, 6))
                if when >= self.now:
                    break
                kind = rng.choices(kinds, [60, 10, 15, 15])[0]
                resolved = kind in ("blocker", "ask_for_help") and rng.random() < 0.5
                updates.append(
                    (
                        self.ids("updates"),
                        aid,
                        kind,
                        "The first sessions ran; twelve people came."
                        if kind == "progress"
                        else "We need a room on Thursday evenings.",
                        rng.choice(members),
                        rng.randint(5, 95) if kind == "progress" else None,
                        when + timedelta(days=2) if resolved else None,
                        rng.choice(members) if resolved else None,
                        "The library offered its back room." if resolved else None,
                        when,
                    )
                )
                latest = when
            if latest is not None:
                last_update.append((aid, latest))
            for k in range(rng.randint(0, 3)):
                due = adopted + timedelta(days=30 * (k + 1))
                done = due - timedelta(days=3) if due < self.now and rng.random() < 0.6 else None
                milestones.append(
                    (self.ids("milestones"), aid, f"Step {k + 1}", due, done, adopted)
                )
        await self.copy(
            "updates",
            (
                "id",
                "action_id",
                "kind",
                "body",
                "author_id",
                "percent_after",
                "resolved_at",
                "resolved_by_id",
                "resolution",
                "created_at",
            ),
            updates,
            len(updates),
        )
        await self.copy(
            "milestones",
            ("id", "action_id", "title", "due_at", "done_at", "created_at"),
            milestones,
            len(milestones),
        )
        await self.db.executemany(
            "UPDATE actions SET last_update_at = $2 WHERE id = $1", last_update
        )

    async def _comments(self) -> None:
        """Threads up to three deep; replies stay on their parent's subject."""
        rng, n = self.rng, self.sizes.comments
        proposal_ids = list(self.proposal_created)
        action_ids = [aid for aid, *_ in self.action_facts]
        moderators = [pid for pids in self.facilitators.values() for pid in pids]

        def comments() -> Iterator[tuple[Any, ...]]:
            written = 0
            while written < n:
                on_action = action_ids and rng.random() < 0.05
                subject = rng.choice(action_ids) if on_action else rng.choice(proposal_ids)
                base = (
                    self.now - timedelta(days=20) if on_action else self.proposal_created[subject]
                )
                by_depth: dict[int, list[int]] = {1: [], 2: []}
                for _ in range(min(n - written, rng.randint(1, 40))):
                    depth = 1
                    if by_depth[1] and rng.random() < 0.4:
                        depth = 2 if not by_depth[2] or rng.random() < 0.75 else 3
                    parent = rng.choice(by_depth[depth - 1]) if depth > 1 else None
                    cid = self.ids("comments")
                    if depth < 3:
                        by_depth[depth].append(cid)
                    hidden = rng.random() < 0.01
                    base = base + timedelta(minutes=rng.randint(1, 600))
                    yield (
                        cid,
                        None if on_action else subject,
                        subject if on_action else None,
                        parent,
                        depth,
                        rng.choice(self.person_ids),
                        rng.choice(REMARKS),
                        base if hidden else None,
                        "Personal details removed." if hidden else None,
                        rng.choice(moderators) if hidden else None,
                        min(base, self.now),
                    )
                    written += 1

        await self.copy(
            "comments",
            (
                "id",
                "proposal_id",
                "action_id",
                "parent_id",
                "depth",
                "author_id",
                "body",
                "hidden_at",
                "hidden_reason",
                "hidden_by_id",
                "created_at",
            ),
            comments(),
            n,
        )

    async def _sequences(self) -> None:
        """Identity columns carry on after the ids given explicitly."""
        tables = await self.db.fetch(
            "SELECT table_name FROM information_schema.columns "
            "WHERE table_schema = 'public' AND column_name = 'id' AND is_identity = 'YES'"
        )
        for row in tables:
            table = row["table_name"]
            await self.db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                f"coalesce((SELECT max(id) FROM {table}), 0) + 1, false)"
            )

    def facts(self) -> dict[str, Any]:
        return {
            "city_slug": self.areas[0].slug,
            "page_area_slug": self.areas[0].slug,
            "open_round_id": self.open_round_id,
            "open_round_candidates": self.round_candidates[self.open_round_id],
            "dots_per_person": DOTS_PER_PERSON,
            "max_dots_per_item": MAX_DOTS_PER_ITEM,
            "board_ids": self.board_ids,
        }


async def _close_rounds(url: str, round_ids: Sequence[int], progress: Progress) -> None:
    """Close through the app's own service: snapshot, priorities, audit, notice."""
    engine = create_engine(url, pool_size=1)
    sessions = create_sessionmaker(engine)
    task = progress.add_task("closing rounds", total=len(round_ids))
    try:
        for round_id in round_ids:
            async with unit_of_work(sessions) as session:
                await voting_service.close_round(session, None, round_id)
            progress.advance(task)
    finally:
        await engine.dispose()


SCHEMA = """
CREATE SCHEMA bench;
CREATE TABLE bench.dataset (version int NOT NULL, scale float8 NOT NULL, seed int NOT NULL,
    built_at timestamptz NOT NULL DEFAULT now(), counts jsonb NOT NULL, facts jsonb NOT NULL);
CREATE TABLE bench.tokens (person_id bigint PRIMARY KEY, token text NOT NULL);
"""


async def build(url: str, scale: float, seed: int) -> Dataset:
    """Fill an empty, migrated database."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    second = await asyncpg.connect(asyncpg_dsn(url))
    try:
        builder = Builder(connection, scale, seed)
        with builder.progress:
            await builder.build_votes(second)
            await _close_rounds(url, builder.to_close, builder.progress)
            priorities = [
                (row["round_id"], row["proposal_id"], row["rank"])
                for row in await connection.fetch(
                    "SELECT round_id, proposal_id, rank FROM priorities ORDER BY round_id, rank"
                )
            ]
            await builder.build_plan(priorities)
        counts = dict(builder.counts)
        for table in ("priorities", "round_snapshots", "audit_events"):
            counts[table] = await connection.fetchval(f"SELECT count(*) FROM {table}")  # noqa: S608
        async with connection.transaction():
            await connection.execute(SCHEMA)
            await connection.execute(
                "INSERT INTO bench.dataset (version, scale, seed, counts, facts) "
                "VALUES ($1, $2, $3, $4, $5)",
                VERSION,
                scale,
                seed,
                json.dumps(counts),
                json.dumps(builder.facts()),
            )
            await connection.copy_records_to_table(
                "tokens", schema_name="bench", records=list(builder.tokens.items())
            )
        await connection.execute("VACUUM ANALYZE")
    finally:
        await second.close()
        await connection.close()
    found = await load(url)
    assert found is not None
    return found


async def load(url: str) -> Dataset | None:
    """The dataset already in this database, if the bench built one (same version)."""
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        if not await connection.fetchval("SELECT to_regclass('bench.dataset') IS NOT NULL"):
            return None
        row = await connection.fetchrow("SELECT * FROM bench.dataset")
        if row is None or row["version"] != VERSION:
            return None
        tokens = await connection.fetch("SELECT person_id, token FROM bench.tokens ORDER BY 1")
    finally:
        await connection.close()
    facts = json.loads(row["facts"])
    people = [(r["person_id"], r["token"]) for r in tokens]
    board = set(facts.pop("board_ids"))
    return Dataset(
        scale=row["scale"],
        seed=row["seed"],
        counts=json.loads(row["counts"]),
        people=people,
        board=[(pid, token) for pid, token in people if pid in board],
        **facts,
    )


def digest(dataset: Dataset) -> str:
    """One line on what is in the database."""
    counts = dataset.counts
    shown = ", ".join(
        f"{counts.get(table, 0):,} {label}"
        for table, label in (
            ("areas", "areas"),
            ("people", "people"),
            ("proposals", "proposals"),
            ("voting_rounds", "rounds"),
            ("ballot_entries", "ballot entries"),
            ("comments", "comments"),
            ("actions", "actions"),
        )
    )
    return f"scale {dataset.scale:g} (seed {dataset.seed}): {shown}"


def run(url: str, scale: float, seed: int) -> Dataset:
    return asyncio.run(build(url, scale, seed))
