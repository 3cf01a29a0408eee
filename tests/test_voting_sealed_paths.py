"""Sealed results, every path. From the served schema's introspection, every field path
that can carry a score, supporter count, rank, role split or result row is enumerated and
queried, by every kind of viewer, with the CSV/JSON exports alongside: while a round is
sealed for the viewer nothing of its result shows anywhere (its turnout does); once the
viewer may see it, it shows.

A closed round in another area, adopted as an action, is there all along: its result must
show through the same paths, which proves the walk reaches them.
(The subscription's first message is covered by tests/test_voting_live.py.)"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLInterfaceType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    build_client_schema,
    get_introspection_query,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined

from server.config import Settings
from server.people.models import PersonKind
from tests.support import Api, Someone, World
from tests.voting_support import many_voters


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The walk asks for every field that carries a result at once, past the cost and
    # the field count a client may ask for (schema/limits.py); the limits are not what
    # it tests.
    return settings.model_copy(update={"max_query_cost": 10_000_000, "max_query_fields": 5000})


Json = dict[str, Any]

# Objects that are a result, and leaf fields that are one wherever they appear.
RESULT_TYPES = {"RoundResults", "ResultRow", "KindBreakdown", "Priority"}
RESULT_LEAVES = {"score", "supporters", "priorityRank", "snapshotHash", "snapshotJson"}
# The viewer's own ballot (myBallot) is their own input, not a result.
OWN_BALLOT = {"Ballot", "BallotEntry"}
# Object levels followed below each entry point.
DEPTH = 4


def _callable(field: Any) -> bool:
    return not any(
        isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
        for arg in field.args.values()
    )


def _result_selection(type_: GraphQLObjectType, seen: frozenset[str] = frozenset()) -> str:
    """All of a result object: its leaves, nested results, and the ids it points at."""
    parts = ["__typename"]
    for name, field in type_.fields.items():
        if not _callable(field):
            continue
        target = get_named_type(field.type)
        if is_leaf_type(target):
            parts.append(name)
        elif isinstance(target, GraphQLObjectType):
            if target.name in RESULT_TYPES:
                if target.name not in seen:
                    parts.append(f"{name} {{ {_result_selection(target, seen | {type_.name})} }}")
            elif "id" in target.fields:
                parts.append(f"{name} {{ __typename id }}")
    return " ".join(parts)


@dataclass(frozen=True)
class Paths:
    selection: str
    paths: list[tuple[str, ...]]


def result_paths(type_: GraphQLObjectType, depth: int, on_path: frozenset[str]) -> Paths:
    """The part of ``type_`` that leads to results: every such path, and a selection
    reading all of them (plus ids and turnouts, to tell which round a result is of)."""
    parts: list[str] = []
    paths: list[tuple[str, ...]] = []
    for name, field in type_.fields.items():
        if not _callable(field):
            continue
        target = get_named_type(field.type)
        here = f"{type_.name}.{name}"
        if is_leaf_type(target):
            if name in RESULT_LEAVES:
                parts.append(name)
                paths.append((here,))
        elif not isinstance(target, GraphQLObjectType):
            continue
        elif target.name in RESULT_TYPES:
            parts.append(f"{name} {{ {_result_selection(target)} }}")
            paths.append((here,))
        elif depth > 0 and target.name not in on_path:
            inner = result_paths(target, depth - 1, on_path | {target.name})
            if inner.paths:
                parts.append(f"{name} {{ {inner.selection} }}")
                paths.extend((here, *p) for p in inner.paths)
    if parts:
        parts[:0] = ["__typename", *(f for f in ("id", "turnout") if f in type_.fields)]
    return Paths(" ".join(parts), paths)


def result_fields(schema: GraphQLSchema) -> set[str]:
    """Every (type.field) in the schema that is, or holds, a result (outside results)."""
    found = set()
    for type_ in schema.type_map.values():
        if not isinstance(type_, GraphQLObjectType) or type_.name.startswith("__"):
            continue
        if type_.name in RESULT_TYPES | OWN_BALLOT | {"Mutation", "Subscription"}:
            continue
        if type_.name.endswith("Payload"):
            continue  # mutation answers
        for name, field in type_.fields.items():
            target = get_named_type(field.type)
            if name in RESULT_LEAVES or target.name in RESULT_TYPES:
                found.add(f"{type_.name}.{name}")
    return found


def queries(schema: GraphQLSchema, node_ids: dict[str, str]) -> Iterator[tuple[str, Json, Paths]]:
    query = schema.query_type
    assert query is not None
    for name, field in query.fields.items():
        target = get_named_type(field.type)
        if isinstance(target, GraphQLInterfaceType):
            for node_id, type_name in node_ids.items():
                node_type = schema.get_type(type_name)
                assert isinstance(node_type, GraphQLObjectType)
                found = result_paths(node_type, DEPTH, frozenset({type_name}))
                text = f"query($id: ID!) {{ {name}(id: $id) {{ ... on {type_name} {{ {found.selection} }} }} }}"
                yield text, {"id": node_id}, found
            continue
        assert isinstance(target, GraphQLObjectType)
        found = result_paths(target, DEPTH, frozenset({target.name}))
        if not found.paths:
            continue
        args = '(slug: "willenhall")' if name == "area" else ""
        yield f"{{ {name}{args} {{ {found.selection} }} }}", {}, found


def walk(value: Any) -> Iterator[Json]:
    if isinstance(value, dict):
        yield value
        for child in value.values():
            yield from walk(child)
    elif isinstance(value, list):
        for child in value:
            yield from walk(child)


@dataclass
class Seen:
    """What one viewer's full read showed."""

    rounds: dict[str, list[Json]]  # VotingRound id -> every appearance
    result_rounds: set[str]  # rounds a RoundResults or Priority was of
    result_proposals: set[str]  # proposals a ResultRow or Priority was about
    paths: set[str]  # every enumerated path's last field

    def shows(self, round_id: str, proposals: list[str]) -> bool:
        results = [r["results"] for r in self.rounds.get(round_id, []) if "results" in r]
        return (
            any(r is not None for r in results)
            or round_id in self.result_rounds
            or bool(self.result_proposals & set(proposals))
        )


@dataclass
class Scene:
    api: Api
    world: World
    schema: GraphQLSchema
    node_ids: dict[str, str]
    sealed: str  # AFTER_CLOSE
    sealed_proposals: list[str]
    own: str  # AFTER_OWN_BALLOT
    own_proposals: list[str]
    control: str  # closed, in Tile Hill, adopted
    control_proposals: list[str]
    turnouts: dict[str, int]


async def read_all(scene: Scene, who: Someone) -> Seen:
    seen = Seen({}, set(), set(), set())
    for text, variables, found in queries(scene.schema, scene.node_ids):
        body = await scene.api.gql(text, variables, as_=who)
        assert "errors" not in body, (text, body["errors"])
        seen.paths |= {p[-1] for p in found.paths}
        for obj in walk(body["data"]):
            typename = obj.get("__typename")
            if typename == "VotingRound":
                seen.rounds.setdefault(obj["id"], []).append(obj)
            if typename in ("RoundResults", "Priority") and "round" in obj:
                seen.result_rounds.add(obj["round"]["id"])
            if typename in ("ResultRow", "Priority") and "proposal" in obj:
                seen.result_proposals.add(obj["proposal"]["id"])
    # Turnout is always visible, sealed or not.
    for round_id, appearances in seen.rounds.items():
        for appearance in appearances:
            if "turnout" in appearance and round_id in scene.turnouts:
                assert appearance["turnout"] == scene.turnouts[round_id], appearance
    return seen


async def exports(scene: Scene, who: Someone) -> str:
    texts = []
    for path in (
        "/areas/willenhall/export/priorities.json",
        "/areas/coventry/export/priorities.csv",
        "/areas/coventry/export/actions.json",
        "/areas/coventry/export/actions.csv",
    ):
        response = await scene.api.client.get(
            path, headers={"Authorization": f"Bearer {who.token}"}
        )
        assert response.status_code == 200, (path, response.text)
        texts.append(response.text)
    return "\n".join(texts)


async def build(api: Api) -> Scene:
    world = await World(api).build()
    # The control: closed in Tile Hill, its top priority adopted as an action.
    bench = await api.ok(
        "proposeItem",
        {"areaSlug": "tile-hill", "title": "Tile Hill benches", "description": "Benches."},
        as_=world.outsider,
        returning="proposal { id }",
    )
    control_proposals = [bench["proposal"]["id"]]
    made = await api.ok(
        "createVotingRound",
        {
            "areaSlug": "tile-hill",
            "title": "Tile Hill",
            "method": "APPROVAL",
            "proposalIds": control_proposals,
        },
        as_=world.admin,
        returning="round { id }",
    )
    control = made["round"]["id"]
    await api.ok("openVotingRound", {"roundId": control}, as_=world.admin, returning="round { id }")
    assert (await world.cast(control, world.outsider, {"proposalId": control_proposals[0]}))[
        "errors"
    ] == []
    await api.ok(
        "closeVotingRound", {"roundId": control}, as_=world.admin, returning="round { id }"
    )
    action = await api.ok(
        "adoptPriority",
        {"roundId": control, "proposalId": control_proposals[0]},
        as_=world.admin,
        returning="action { id }",
    )

    sealed_proposals = [await world.proposal(f"Sealed idea {i}") for i in range(2)]
    sealed = await world.round(
        sealed_proposals, method="DOTS", dotsPerPerson=3, resultVisibility="AFTER_CLOSE"
    )
    voters = [
        world.resident,
        *await many_voters(api, 5),
        *await many_voters(api, 5, kind=PersonKind.PROFESSIONAL),
    ]
    for i, voter in enumerate(voters):
        entries = [{"proposalId": sealed_proposals[i % 2], "points": 1 + i % 3}]
        assert (await world.cast(sealed, voter, *entries))["errors"] == []
    own_proposals = [await world.proposal("Own-ballot idea")]
    own = await world.round(own_proposals, resultVisibility="AFTER_OWN_BALLOT")
    assert (await world.cast(own, world.resident, {"proposalId": own_proposals[0]}))["errors"] == []

    introspection = await api.post(get_introspection_query(), token=world.admin.token)
    schema = build_client_schema(introspection.json()["data"])
    node_ids = {
        sealed: "VotingRound",
        own: "VotingRound",
        control: "VotingRound",
        action["action"]["id"]: "Action",
        world.willenhall: "Area",
        world.coventry: "Area",
        sealed_proposals[0]: "Proposal",
        world.resident.id: "Person",
    }
    return Scene(
        api,
        world,
        schema,
        node_ids,
        sealed,
        sealed_proposals,
        own,
        own_proposals,
        control,
        control_proposals,
        {sealed: len(voters), own: 1, control: 1},
    )


def viewers(world: World) -> dict[str, Someone]:
    return {
        "admin": world.admin,
        "board": world.board,
        "facilitator": world.facilitator,
        "voter": world.resident,
        "non-voter": world.gp,
        "other area": world.outsider,
    }


async def test_the_walk_reaches_every_field_that_carries_a_result(api: Api) -> None:
    scene = await build(api)
    seen = await read_all(scene, scene.world.admin)
    every = result_fields(scene.schema)
    assert {"VotingRound.results", "Area.priorities", "Action.priorityRank"} <= every
    assert every <= seen.paths, every - seen.paths
    # And through them, the control round's result is really read.
    assert seen.shows(scene.control, scene.control_proposals)


async def test_sealed_results_show_nowhere_until_allowed_then_everywhere(api: Api) -> None:
    scene = await build(api)
    world = scene.world

    # Open: AFTER_CLOSE sealed for everyone; AFTER_OWN_BALLOT open to its voter only.
    for name, who in viewers(world).items():
        seen = await read_all(scene, who)
        assert seen.shows(scene.control, scene.control_proposals), name
        assert scene.sealed in seen.rounds, name
        assert not seen.shows(scene.sealed, scene.sealed_proposals), name
        assert seen.shows(scene.own, scene.own_proposals) == (name == "voter"), name
        text = await exports(scene, who)
        assert "Tile Hill benches" in text, name
        assert "Sealed idea" not in text, name
        assert "Own-ballot idea" not in text, name

    # The non-voter votes: now they see the AFTER_OWN_BALLOT round's results.
    assert (await world.cast(scene.own, world.gp, {"proposalId": scene.own_proposals[0]}))[
        "errors"
    ] == []
    scene.turnouts[scene.own] = 2
    seen = await read_all(scene, world.gp)
    assert seen.shows(scene.own, scene.own_proposals)
    assert not seen.shows(scene.sealed, scene.sealed_proposals)
    assert not (await read_all(scene, world.board)).shows(scene.own, scene.own_proposals)

    # Closed: everything shows, on every path, to everyone.
    await world.close(scene.sealed)
    await world.close(scene.own)
    for name, who in viewers(world).items():
        seen = await read_all(scene, who)
        assert seen.shows(scene.sealed, scene.sealed_proposals), name
        assert seen.shows(scene.own, scene.own_proposals), name
        sealed_rows = [
            r["results"] for r in seen.rounds[scene.sealed] if r.get("results") is not None
        ]
        assert sealed_rows, name
        assert all(r["turnout"] == scene.turnouts[scene.sealed] for r in sealed_rows)
        # Eleven voters, five or more of each kind: the role split shows too.
        assert any(
            split["voters"] is not None for r in sealed_rows for split in r.get("byKind", [])
        ), name
        text = await exports(scene, who)
        # The latest closed round of Willenhall is the AFTER_OWN_BALLOT one.
        assert "Own-ballot idea" in text, name


def test_one_function_decides_whether_results_are_sealed() -> None:
    """Only server/voting/results.py compares a round's resultVisibility; every reader
    (GraphQL, priorities, exports, subscriptions) goes through its ``is_unsealed``."""
    root = Path(__file__).resolve().parent.parent
    deciding = re.compile(
        r"(\bis\b|==|!=|\bcase\b)\s+ResultVisibility\.|result_visibility\s*(\bis\b|==|!=)"
    )
    offenders = [
        str(path.relative_to(root))
        for folder in ("server", "schema", "web")
        for path in (root / folder).rglob("*.py")
        if deciding.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["server/voting/results.py"]
