"""What the three servers are asked, each in its own dialect, and how their answers are
read back so they can be checked against each other.

- ``castBallot``: different people casting on the city's open DOTS round, each request
  with its own bearer token and its own valid ballot.
- ``priorities``: the city's ``priorities(includeChildren: true)`` with each priority's
  proposal and its area.
- ``proposals``: a page of the city's 50 newest proposals with author display names,
  comment counts and the total.
- ``board``: the board paper of ``examples/board_report.py`` for the city, read by the
  board's members (everything but ``asOf`` must read the same on every server).

The same seed gives the same ballots in the same order on every server. Each server has
its own third of the people, so none re-casts another's ballots or meets another's
rate-limit counts.
"""

from __future__ import annotations

import json
import random
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bench.dataset import Dataset
from examples.board_report import BOARD_PAPER
from server.ids import from_global_id, to_global_id

SERVERS = ("levelground", "limit", "postgraphile")

LG_CAST = """mutation Cast($input: CastBallotInput!) { castBallot(input: $input) {
  ballot { updatedAt entries { points proposal { id } } } errors { code message field } } }"""
LG_PRIORITIES = """query Priorities($area: String!) { area(slug: $area) {
  priorities(includeChildren: true) { rank score supporters proposal { id title area { name } } }
} }"""
LG_PROPOSALS = """query Proposals($area: String!) { area(slug: $area) {
  proposals(first: 50) { totalCount pageInfo { hasNextPage }
    edges { node { id title author { displayName } commentCount } } } } }"""

PG_CAST = """mutation Cast($input: BenchCastBallotInput!) { benchCastBallot(input: $input) {
  result { updatedAt entries { nodes { points proposalId } } } } }"""
PG_PRIORITIES = """query Priorities($area: String!) { benchArea(slug: $area) {
  prioritiesWithChildren { nodes { rank score supporters
    proposalByProposalId { rowId title areaByAreaId { name } } } } } }"""
PG_PROPOSALS = """query Proposals($area: String!) { benchArea(slug: $area) {
  proposalsByAreaId(first: 50, orderBy: ROW_ID_DESC) { totalCount pageInfo { hasNextPage }
    nodes { rowId title personByAuthorId { displayName } commentCount } } } }"""


@dataclass(frozen=True)
class Request:
    path: str
    token: str
    body: str
    # What a correct answer reads as (casts: the ballot sent), when known up front.
    expected: Any = None

    def line(self) -> str:
        return f"{self.path}\t{self.token}\t{self.body}"


class WrongAnswer(Exception):
    pass


def slice_of(dataset: Dataset, server: str) -> list[tuple[int, str]]:
    """This server's third of the people (person id, token)."""
    return dataset.people[SERVERS.index(server) :: len(SERVERS)]


def _json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"))


def _graphql(query: str, variables: dict[str, Any]) -> str:
    return _json({"query": " ".join(query.split()), "variables": variables})


def _pk(value: str, type_name: str) -> int:
    decoded = from_global_id(value)
    if decoded is None or decoded[0] != type_name:
        raise WrongAnswer(f"{value!r} is not a {type_name} id")
    return decoded[1]


def _data(server: str, answer: dict[str, Any]) -> dict[str, Any]:
    if answer.get("errors"):
        raise WrongAnswer(_json(answer["errors"])[:300])
    data: dict[str, Any] = answer if server == "limit" else answer["data"]
    return data


class Scenario:
    name = ""
    # Reads must read the same on every server; casts are checked against what was sent.
    shared = True
    servers: tuple[str, ...] = SERVERS

    def requests(self, dataset: Dataset, server: str, count: int) -> list[Request]:
        raise NotImplementedError

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        raise NotImplementedError


class CastBallot(Scenario):
    name = "castBallot"
    shared = False

    def requests(self, dataset: Dataset, server: str, count: int) -> list[Request]:
        rng = random.Random(dataset.seed)
        people = slice_of(dataset, server)
        round_gid = to_global_id("VotingRound", dataset.open_round_id)
        made = []
        for i in range(count):
            ballot = _ballot(
                rng,
                dataset.open_round_candidates,
                dataset.dots_per_person,
                dataset.max_dots_per_item,
            )
            token = people[i % len(people)][1]
            expected = sorted(ballot)
            if server == "postgraphile":
                entries: list[dict[str, Any]] = [{"proposalId": p, "points": n} for p, n in ballot]
                variables = {"input": {"roundId": str(dataset.open_round_id), "entries": entries}}
                made.append(Request("/graphql", token, _graphql(PG_CAST, variables), expected))
                continue
            entries = [{"proposalId": to_global_id("Proposal", p), "points": n} for p, n in ballot]
            if server == "levelground":
                variables = {"input": {"roundId": round_gid, "entries": entries}}
                made.append(Request("/graphql", token, _graphql(LG_CAST, variables), expected))
            else:
                body = _json({"roundId": round_gid, "entries": entries})
                made.append(Request("/cast", token, body, expected))
        return made

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        data = _data(server, answer)
        if server == "postgraphile":
            nodes = data["benchCastBallot"]["result"]["entries"]["nodes"]
            return sorted((int(e["proposalId"]), e["points"]) for e in nodes)
        payload = data["castBallot"]
        if payload["errors"]:
            raise WrongAnswer(_json(payload["errors"]))
        entries = payload["ballot"]["entries"]
        return sorted((_pk(e["proposal"]["id"], "Proposal"), e["points"]) for e in entries)


def _ballot(
    rng: random.Random, candidates: Sequence[int], dots: int, cap: int
) -> list[tuple[int, int]]:
    """A valid DOTS ballot: 1-4 proposals, at most ``cap`` dots each, ``dots`` in all."""
    left, ballot = dots, []
    for proposal in rng.sample(list(candidates), rng.randint(1, min(4, len(candidates)))):
        if left == 0:
            break
        points = rng.randint(1, min(cap, left))
        left -= points
        ballot.append((proposal, points))
    return ballot


class Reads(Scenario):
    """A read of one area by rotating readers."""

    documents: dict[str, str] = {}

    def requests(self, dataset: Dataset, server: str, count: int) -> list[Request]:
        people = slice_of(dataset, server)
        variables = {"area": dataset.city_slug}
        if server == "limit":
            path, body = f"/{self.name}", _json(variables)
        else:
            path, body = "/graphql", _graphql(self.documents[server], variables)
        return [Request(path, people[i % len(people)][1], body) for i in range(count)]


class Priorities(Reads):
    name = "priorities"
    documents = {"levelground": LG_PRIORITIES, "postgraphile": PG_PRIORITIES}

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        data = _data(server, answer)
        if server == "postgraphile":
            rows = [
                {**row, "proposal": _peer_proposal(row["proposalByProposalId"])}
                for row in data["benchArea"]["prioritiesWithChildren"]["nodes"]
            ]
        else:
            rows = data["area"]["priorities"]
        return [
            (
                row["rank"],
                row["score"],
                row["supporters"],
                _pk(row["proposal"]["id"], "Proposal"),
                row["proposal"]["title"],
                row["proposal"]["area"]["name"],
            )
            for row in rows
        ]


class Proposals(Reads):
    name = "proposals"
    documents = {"levelground": LG_PROPOSALS, "postgraphile": PG_PROPOSALS}

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        data = _data(server, answer)
        if server == "postgraphile":
            found = data["benchArea"]["proposalsByAreaId"]
            nodes = [
                {**_peer_proposal(node), "author": node["personByAuthorId"]}
                for node in found["nodes"]
            ]
        else:
            found = data["area"]["proposals"]
            nodes = [edge["node"] for edge in found["edges"]]
        rows = [
            (
                _pk(node["id"], "Proposal"),
                node["title"],
                node["author"]["displayName"],
                node["commentCount"],
            )
            for node in nodes
        ]
        return found["totalCount"], found["pageInfo"]["hasNextPage"], rows


def _peer_proposal(node: dict[str, Any]) -> dict[str, Any]:
    """A PostGraphile proposal with Levelground's names for its id and area."""
    area = node.get("areaByAreaId")
    return {
        **node,
        "id": to_global_id("Proposal", int(node["rowId"])),
        "area": _named(area) if area else None,
    }


PG_BOARD = """query BoardPaper($area: String!) { benchArea(slug: $area) { name
  neighbourhoods { nodes { name planSummary { adopted done percentDone byRag } } }
  planSummary { adopted done percentDone averagePercentComplete byStatus byRag }
  blocked: planFlagged(flag: "blocked") { nodes { title areaByAreaId { name }
    coreTeamByTeamId { name } health { openBlockers }
    openUpdates(kind: "blocker", first: 1) { nodes { body } } } }
  stale: planFlagged(flag: "stale") { nodes { title areaByAreaId { name } lastUpdateAt createdAt } }
  overdue: planFlagged(flag: "overdue") { nodes { title areaByAreaId { name } targetDate } }
  needsLead: planFlagged(flag: "needs_lead") { nodes { title areaByAreaId { name }
    coreTeamByTeamId { name } } }
  openAsks: planFlagged(flag: "open_asks") { nodes { title areaByAreaId { name }
    openUpdates(kind: "ask_for_help", first: 3) {
      nodes { body personByAuthorId { displayName } } } } }
  prioritiesWithChildren { nodes { rank supporters
    proposalByProposalId { title areaByAreaId { name } }
    action { status health { rag } percentComplete closingStatement } } }
  plan(first: 100) { totalCount pageInfo { hasNextPage } nodes { title status
    health { rag stale overdue needsLead openAsks } percentComplete targetDate
    areaByAreaId { name } coreTeamByTeamId { name } personByLeadId { displayName }
    steps { nodes { title dueAt doneAt } } latestUpdate { kind body createdAt } } }
  activity(latest: 10) { nodes { kind occurredAt areaName actionTitle updateKind updateBody
    authorName roundTitle } } } }"""
INSTANT = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _instants(value: Any) -> Any:
    """Every ISO timestamp as a datetime: the dialects print the same instant differently."""
    if isinstance(value, dict):
        return {key: _instants(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_instants(item) for item in value]
    if isinstance(value, str) and INSTANT.match(value):
        return datetime.fromisoformat(value)
    return value


def _named(node: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if node is None else {"name": node["name"]}


def _edges(nodes: list[dict[str, Any]]) -> dict[str, Any]:
    return {"edges": [{"node": node} for node in nodes]}


def _peer_board(area: dict[str, Any]) -> dict[str, Any]:
    """PostGraphile's board paper in Levelground's shape."""
    summary = area["planSummary"]

    def flagged(key: str) -> list[dict[str, Any]]:
        nodes: list[dict[str, Any]] = area[key]["nodes"]
        return nodes

    def action(node: dict[str, Any] | None) -> dict[str, Any] | None:
        if node is None:
            return None
        return {
            "status": node["status"].upper(),
            "rag": node["health"]["rag"].upper(),
            "percentComplete": node["percentComplete"],
            "closingStatement": node["closingStatement"],
        }

    def plan_node(node: dict[str, Any]) -> dict[str, Any]:
        health, latest, lead = node["health"], node["latestUpdate"], node["personByLeadId"]
        return {
            "title": node["title"],
            "status": node["status"].upper(),
            "rag": health["rag"].upper(),
            "percentComplete": node["percentComplete"],
            "targetDate": node["targetDate"],
            "stale": health["stale"],
            "overdue": health["overdue"],
            "needsLead": health["needsLead"],
            "openAsks": health["openAsks"],
            "area": _named(node["areaByAreaId"]),
            "team": _named(node["coreTeamByTeamId"]),
            "lead": None if lead is None else {"displayName": lead["displayName"]},
            "milestones": node["steps"]["nodes"],
            "latestUpdate": None if latest is None else {**latest, "kind": latest["kind"].upper()},
        }

    def event(node: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": node["kind"],
            "occurredAt": node["occurredAt"],
            "area": {"name": node["areaName"]},
            "action": None if node["actionTitle"] is None else {"title": node["actionTitle"]},
            "update": None
            if node["updateKind"] is None
            else {
                "kind": node["updateKind"],
                "body": node["updateBody"],
                "author": {"displayName": node["authorName"]},
            },
            "round": None if node["roundTitle"] is None else {"title": node["roundTitle"]},
        }

    return {
        "name": area["name"],
        "children": [
            {"name": child["name"], "actionPlanSummary": child["planSummary"]}
            for child in area["neighbourhoods"]["nodes"]
        ],
        "actionPlanSummary": {
            **summary,
            "blocked": [
                {
                    "title": a["title"],
                    "area": _named(a["areaByAreaId"]),
                    "team": _named(a["coreTeamByTeamId"]),
                    "openBlockers": a["health"]["openBlockers"],
                    "updateConnection": _edges(a["openUpdates"]["nodes"]),
                }
                for a in flagged("blocked")
            ],
            "stale": [
                {
                    "title": a["title"],
                    "area": _named(a["areaByAreaId"]),
                    "lastUpdateAt": a["lastUpdateAt"],
                    "createdAt": a["createdAt"],
                }
                for a in flagged("stale")
            ],
            "overdue": [
                {
                    "title": a["title"],
                    "area": _named(a["areaByAreaId"]),
                    "targetDate": a["targetDate"],
                }
                for a in flagged("overdue")
            ],
            "needsLead": [
                {
                    "title": a["title"],
                    "area": _named(a["areaByAreaId"]),
                    "team": _named(a["coreTeamByTeamId"]),
                }
                for a in flagged("needsLead")
            ],
            "openAsks": [
                {
                    "title": a["title"],
                    "area": _named(a["areaByAreaId"]),
                    "updateConnection": _edges(
                        [
                            {"body": u["body"], "author": u["personByAuthorId"]}
                            for u in a["openUpdates"]["nodes"]
                        ]
                    ),
                }
                for a in flagged("openAsks")
            ],
        },
        "priorities": [
            {
                "rank": p["rank"],
                "supporters": p["supporters"],
                "proposal": {
                    "title": p["proposalByProposalId"]["title"],
                    "area": _named(p["proposalByProposalId"]["areaByAreaId"]),
                },
                "action": action(p["action"]),
            }
            for p in area["prioritiesWithChildren"]["nodes"]
        ],
        "actionPlan": {
            "totalCount": area["plan"]["totalCount"],
            "pageInfo": area["plan"]["pageInfo"],
            "edges": [{"node": plan_node(node)} for node in area["plan"]["nodes"]],
        },
        "activity": _edges([event(node) for node in area["activity"]["nodes"]]),
    }


class Board(Scenario):
    """The board paper: summaries with the RAG rules applied, the city's priorities and
    their actions, a page of the plan, the latest activity."""

    name = "board"
    documents = {"levelground": BOARD_PAPER, "postgraphile": PG_BOARD}

    def requests(self, dataset: Dataset, server: str, count: int) -> list[Request]:
        variables = {"area": dataset.city_slug}
        if server == "limit":
            path, body = "/board", _json(variables)
        else:
            path, body = "/graphql", _graphql(self.documents[server], variables)
        board = dataset.board
        return [Request(path, board[i % len(board)][1], body) for i in range(count)]

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        data = _data(server, answer)
        area = _peer_board(data["benchArea"]) if server == "postgraphile" else data["area"]
        found = _instants(area)
        found["actionPlanSummary"].pop("asOf", None)
        return found


SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (CastBallot(), Priorities(), Proposals(), Board())
}
