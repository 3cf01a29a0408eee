"""What the three servers are asked, each in its own dialect, and how their answers are
read back so they can be checked against each other.

- ``castBallot``: different people casting on the city's open DOTS round, each request
  with its own bearer token and its own valid ballot.
- ``priorities``: the city's ``priorities(includeChildren: true)`` with each priority's
  proposal and its area.
- ``proposals``: a page of the city's 50 newest proposals with author display names,
  comment counts and the total.
- ``board``: the board paper of ``examples/board_report.py`` for the city, read by the
  board's members.

The same seed gives the same ballots in the same order on every server. Each server has
its own third of the people, so none re-casts another's ballots or meets another's
rate-limit counts.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
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
            return [
                (
                    row["rank"],
                    row["score"],
                    row["supporters"],
                    int(row["proposalByProposalId"]["rowId"]),
                    row["proposalByProposalId"]["title"],
                    row["proposalByProposalId"]["areaByAreaId"]["name"],
                )
                for row in data["benchArea"]["prioritiesWithChildren"]["nodes"]
            ]
        return [
            (
                row["rank"],
                row["score"],
                row["supporters"],
                _pk(row["proposal"]["id"], "Proposal"),
                row["proposal"]["title"],
                row["proposal"]["area"]["name"],
            )
            for row in data["area"]["priorities"]
        ]


class Proposals(Reads):
    name = "proposals"
    documents = {"levelground": LG_PROPOSALS, "postgraphile": PG_PROPOSALS}

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        data = _data(server, answer)
        if server == "postgraphile":
            found = data["benchArea"]["proposalsByAreaId"]
            rows = [
                (
                    int(n["rowId"]),
                    n["title"],
                    n["personByAuthorId"]["displayName"],
                    n["commentCount"],
                )
                for n in found["nodes"]
            ]
        else:
            found = data["area"]["proposals"]
            rows = [
                (
                    _pk(e["node"]["id"], "Proposal"),
                    e["node"]["title"],
                    e["node"]["author"]["displayName"],
                    e["node"]["commentCount"],
                )
                for e in found["edges"]
            ]
        return found["totalCount"], found["pageInfo"]["hasNextPage"], rows


class Board(Scenario):
    """The board paper: summaries with the RAG rules applied, the city's priorities and
    their actions, a page of the plan, the latest activity."""

    name = "board"
    servers = ("levelground",)

    def requests(self, dataset: Dataset, server: str, count: int) -> list[Request]:
        body = _graphql(BOARD_PAPER, {"area": dataset.city_slug})
        board = dataset.board
        return [Request("/graphql", board[i % len(board)][1], body) for i in range(count)]

    def read(self, server: str, answer: dict[str, Any]) -> Any:
        area = _data(server, answer)["area"]
        summary = area["actionPlanSummary"]
        return (
            [(child["name"], child["actionPlanSummary"]["adopted"]) for child in area["children"]],
            {k: v for k, v in summary.items() if k != "asOf"},
            [(p["rank"], p["proposal"]["title"], p["action"]) for p in area["priorities"]],
            area["actionPlan"],
            area["activity"],
        )


SCENARIOS: dict[str, Scenario] = {
    s.name: s for s in (CastBallot(), Priorities(), Proposals(), Board())
}
