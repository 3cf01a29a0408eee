"""Every field reachable from Query, walked for every role, built from the served
schema's introspection: restricted reads answer null (never someone else's data), and
nothing about other people (kind, role, affiliation, email) shows ("lanyards off")."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
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
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from server.config import Settings
from server.people.models import Person, PersonKind, Role
from tests.support import Api, Someone, World
from tests.test_permissions import ACTORS, Scene, _scene


@pytest.fixture
def settings(settings: Settings) -> Settings:
    # The walk asks for every reachable field at once, far past the cost a client
    # may ask for (schema/limits.py); the limit is not what it tests.
    return settings.model_copy(update={"max_query_cost": 10_000_000, "max_query_fields": 5000})


Json = dict[str, Any]

# Object levels expanded below each entry point: deep enough to reach every type
# (VotingRound > results > rows > proposal > author), small enough for the token limit.
DEPTH = 4
FACILITATOR_STORY = "Only facilitators may read this story."
PARTICIPANT_STORY = "Participants of Willenhall may read this story."
GP_EMAIL = "gita.gp@nhs.example"
GP_AFFILIATION = "Willenhall Medical Centre"
KINDS = {k.name for k in PersonKind}
ROLES = {r.name for r in Role}


COVERED: set[tuple[str, str]] = set()
# Values for arguments a field requires, by the argument's type: the widest reading
# (child areas included) at the moment the test runs.
# The server refuses documents over 4,000 tokens; the walk stays well below.
TOKEN_BUDGET = 3_600
REQUIRED_ARGUMENTS = {
    "Boolean": "true",
    "DateTime": f'"{datetime.now(UTC).isoformat()}"',
}


def selection(
    schema: GraphQLSchema, type_: GraphQLObjectType, depth: int, seen: frozenset[str]
) -> str:
    return " ".join(selection_parts(schema, type_, depth, seen))


def selections(
    schema: GraphQLSchema, type_: GraphQLObjectType, depth: int, seen: frozenset[str]
) -> Iterator[str]:
    """``selection`` cut into pieces small enough for the server's token limit, each
    with the object's type and id."""
    parts = selection_parts(schema, type_, depth, seen)
    always = [p for p in parts if p in ("__typename", "id")]
    batch: list[str] = []
    for part in parts:
        if part in always:
            continue
        if batch and _tokens(" ".join([*batch, part])) > TOKEN_BUDGET:
            yield " ".join([*always, *batch])
            batch = []
        batch.append(part)
    yield " ".join([*always, *batch])


def _tokens(text: str) -> int:
    return len(re.findall(r"\w+|[^\s\w]", text))


def selection_parts(
    schema: GraphQLSchema, type_: GraphQLObjectType, depth: int, seen: frozenset[str]
) -> list[str]:
    """Every field of ``type_`` whose required arguments the walk can fill; object
    fields expanded while ``depth`` lasts and their type is not already on the path.
    Notes what it selected in COVERED."""
    parts = ["__typename"]
    for name, field in type_.fields.items():
        required = {
            arg_name: get_named_type(arg.type).name
            for arg_name, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
        }
        if any(type_name not in REQUIRED_ARGUMENTS for type_name in required.values()):
            continue
        call = ", ".join(f"{arg}: {REQUIRED_ARGUMENTS[t]}" for arg, t in required.items())
        called = f"{name}({call})" if call else name
        target = get_named_type(field.type)
        if is_leaf_type(target):
            parts.append(called)
        elif isinstance(target, GraphQLInterfaceType):
            # Whatever it is (a notification's subject): its type and its own fields.
            leaves = [f for f, d in target.fields.items() if is_leaf_type(get_named_type(d.type))]
            parts.append(f"{called} {{ __typename {' '.join(leaves)} }}")
        elif isinstance(target, GraphQLObjectType) and depth > 0:
            # A type already on the path (a parent area, a reply) shows its own values
            # but goes no deeper, so the walk ends.
            inner_depth = 0 if target.name in seen else depth - 1
            inner = selection(schema, target, inner_depth, seen | {target.name})
            parts.append(f"{called} {{ {inner} }}")
        elif isinstance(target, GraphQLInterfaceType) and "id" in target.fields:
            # A field naming any Node (a report's subject): its id, walked from there.
            parts.append(f"{called} {{ __typename id }}")
        else:
            continue
        COVERED.add((type_.name, name))
    return parts


def reachable_fields(schema: GraphQLSchema) -> set[tuple[str, str]]:
    """Every (type, field) a query can reach from Query, the Node types included."""
    assert schema.query_type is not None
    pending: list[GraphQLObjectType] = [schema.query_type]
    node = schema.get_type("Node")
    assert node is not None
    pending.extend(schema.get_possible_types(node))  # type: ignore[arg-type]
    seen: set[str] = set()
    found: set[tuple[str, str]] = set()
    while pending:
        type_ = pending.pop()
        if type_.name in seen:
            continue
        seen.add(type_.name)
        for name, field in type_.fields.items():
            if name.startswith("__"):
                continue
            found.add((type_.name, name))
            target = get_named_type(field.type)
            if isinstance(target, GraphQLObjectType):
                pending.append(target)
    return found


def entry_points(schema: GraphQLSchema, node_ids: dict[str, str]) -> Iterator[tuple[str, Json]]:
    """One query per field of Query (and per node, by its type), with its variables."""
    query = schema.query_type
    assert query is not None
    for name, field in query.fields.items():
        if name == "node":
            for node_id, type_name in node_ids.items():
                node_type = schema.get_type(type_name)
                assert isinstance(node_type, GraphQLObjectType)
                for inner in selections(schema, node_type, DEPTH, frozenset({type_name})):
                    yield (
                        f"query($id: ID!) {{ node(id: $id) {{ __typename ... on {type_name} {{ {inner} }} }} }}",
                        {"id": node_id},
                    )
            continue
        target = get_named_type(field.type)
        assert isinstance(target, GraphQLObjectType), name
        args = '(slug: "willenhall")' if name == "area" else ""
        for inner in selections(schema, target, DEPTH, frozenset({target.name})):
            yield f"{{ {name}{args} {{ {inner} }} }}", {}


def walk(value: Any, parents: tuple[Json, ...] = ()) -> Iterator[tuple[Json, tuple[Json, ...]]]:
    """Every object in a response, with the objects around it."""
    if isinstance(value, dict):
        yield value, parents
        for child in value.values():
            yield from walk(child, (*parents, value))
    elif isinstance(value, list):
        for child in value:
            yield from walk(child, parents)


def node_ids_in(schema: GraphQLSchema, data: Any) -> dict[str, str]:
    node = schema.get_type("Node")
    assert node is not None
    node_types = {t.name for t in schema.get_possible_types(node)}  # type: ignore[arg-type]
    return {
        obj["id"]: obj["__typename"]
        for obj, _ in walk(data)
        if obj.get("__typename") in node_types and isinstance(obj.get("id"), str)
    }


@dataclass
class Walk:
    schema: GraphQLSchema
    node_ids: dict[str, str]
    conversation: Json
    sealed_round: str


async def _world(api: Api) -> tuple[Scene, Walk]:
    scene = await _scene(api)
    world, f = scene.world, scene.world.facilitator
    gp = world.gp

    async def private_details(session: AsyncSession) -> None:
        await session.execute(
            update(Person)
            .where(Person.id == gp.person_id)
            .values(email=GP_EMAIL, affiliation=GP_AFFILIATION)
        )

    await api.run(private_details)
    conversation = (
        await api.data(
            "query($id: ID!) { node(id: $id) { ... on Conversation { id joinCode } } }",
            {"id": scene.conversation},
            as_=f,
        )
    )["node"]
    for scope, body in (("FACILITATORS", FACILITATOR_STORY), ("PARTICIPANTS", PARTICIPANT_STORY)):
        await api.ok(
            "addStory",
            {
                "conversationId": scene.conversation,
                "tellerPseudonym": "Sam",
                "body": body,
                "consentScope": scope,
            },
            as_=f,
            returning="story { id }",
        )
    idea = await world.proposal("Gita's idea", by=gp)
    comment = await api.ok(
        "addComment", {"subjectId": idea, "body": "I can help."}, as_=gp, returning="comment { id }"
    )
    await api.ok(
        "addComment",
        {"subjectId": idea, "parentId": comment["comment"]["id"], "body": "Me too."},
        as_=world.resident,
        returning="comment { id }",
    )
    await api.ok(
        "reportContent",
        {"subjectId": comment["comment"]["id"], "reason": "Off topic"},
        as_=world.resident,
        returning="report { id }",
    )
    await api.ok(
        "addAnswer",
        {"conversationId": scene.conversation, "body": "My garden", "mayQuote": True},
        as_=gp,
        returning="answer { id }",
    )
    await api.ok(
        "postUpdate",
        {"actionId": scene.action, "kind": "PROGRESS", "body": "Started."},
        as_=scene.people["team_member"],  # type: ignore[arg-type]
        returning="update { id }",
    )
    await api.ok(
        "addMilestone",
        {"actionId": scene.action, "title": "First meeting"},
        as_=f,
        returning="milestone { id }",
    )
    sealed = await world.round([idea, scene.proposal], resultVisibility="AFTER_CLOSE")
    for voter in (gp, world.resident, scene.people["team_member"]):
        assert voter is not None
        assert (await world.cast(sealed, voter, {"proposalId": idea}))["errors"] == []
    introspection = await api.post(get_introspection_query(), token=world.admin.token)
    schema = build_client_schema(introspection.json()["data"])
    # Every object there is, found the way a client would: from the areas, then from
    # each object found, until nothing new turns up.
    area = schema.get_type("Area")
    assert isinstance(area, GraphQLObjectType)
    node_ids: dict[str, str] = {}
    for inner in selections(schema, area, DEPTH, frozenset({"Area"})):
        seed = await api.data(f"{{ areas {{ {inner} }} }}", as_=world.admin)
        node_ids.update(node_ids_in(schema, seed))
    for someone in scene.people.values():
        if someone is not None:
            node_ids[someone.id] = "Person"
    explored: set[str] = set()
    while unexplored := set(node_ids) - explored:
        partial = Walk(schema, {i: node_ids[i] for i in unexplored}, conversation, sealed)
        explored |= unexplored
        for answer in await _read_everything(api, partial, world.admin, nodes_only=True):
            node_ids.update(node_ids_in(schema, answer))
    return scene, Walk(schema, node_ids, conversation, sealed)


async def _read_everything(
    api: Api, walk_: Walk, who: Someone, *, nodes_only: bool = False
) -> list[Json]:
    bodies = []
    for query, variables in entry_points(walk_.schema, walk_.node_ids):
        if nodes_only and not variables:
            continue
        body = await api.gql(query, variables, as_=who)
        assert "errors" not in body, (query, body["errors"])
        bodies.append(body["data"])
    return bodies


def _check_lanyards(bodies: list[Json], viewer: Someone) -> None:
    """Kind and roles appear only on the viewer's own Person; emails and affiliations
    never."""
    for body in bodies:
        for obj, parents in walk(body):
            if obj.get("__typename") == "Person" and obj.get("id") != viewer.id:
                assert obj.get("kind") is None, obj
                assert obj.get("roles") is None, obj
            for key, value in obj.items():
                if not isinstance(value, str):
                    continue
                assert GP_EMAIL not in value, (key, value)
                assert GP_AFFILIATION not in value, (key, value)
                own = any(
                    p.get("__typename") == "Person" and p.get("id") == viewer.id
                    for p in (*parents, obj)
                )
                if value in KINDS and obj.get("__typename") != "KindBreakdown":
                    assert own, (key, value, obj)
                if value in ROLES:
                    assert own, (key, value, obj)


FACILITATES = {"admin", "city_facilitator", "facilitator", "read_only"}
TAKES_PART = FACILITATES | {"participant", "team_member"}


@pytest.mark.parametrize("role", [a for a in ACTORS if a != "anonymous"])
async def test_every_reachable_field_for_each_role(api: Api, role: str) -> None:
    scene, walk_ = await _world(api)
    viewer = scene.people[role]
    assert viewer is not None
    bodies = await _read_everything(api, walk_, viewer)
    text = str(bodies)
    # The walk selected every field a query can reach (beyond Query's own entry points,
    # which are walked one by one), and every kind of object was there to be read.
    query_fields = {("Query", name) for name in walk_.schema.query_type.fields}  # type: ignore[union-attr]
    missing = reachable_fields(walk_.schema) - COVERED - query_fields
    assert sorted(missing) == [], sorted(missing)
    assert set(walk_.node_ids.values()) == {
        t.name
        for t in walk_.schema.get_possible_types(walk_.schema.get_type("Node"))  # type: ignore[arg-type]
    }
    # Something real was read: not a walk over empty answers.
    for seen in ("Gita GP", "I can help.", "Started.", "Gita's idea"):
        assert seen in text

    # Join codes: facilitators of the area only.
    assert (walk_.conversation["joinCode"] in text) == (role in FACILITATES), role
    # Story bodies: within their consent scope only.
    assert (FACILITATOR_STORY in text) == (role in FACILITATES), role
    assert (PARTICIPANT_STORY in text) == (role in TAKES_PART), role
    # Sealed results: null wherever the round appears, for everyone.
    rounds = [o for b in bodies for o, _ in walk(b) if o.get("id") == walk_.sealed_round]
    assert rounds
    assert all(r.get("results") is None for r in rounds if "results" in r)
    # The audit log: admins only; the others see no log at all.
    audits = [b["auditEvents"] for b in bodies if "auditEvents" in b]
    assert len(audits) == 1
    if role == "admin":
        assert audits[0]["edges"], "an admin reads the audit log"
    else:
        assert audits[0] is None
        _check_lanyards(bodies, viewer)


async def test_without_credentials_every_query_field_but_viewer_is_refused(api: Api) -> None:
    await World(api).build()
    introspection = build_client_schema(
        (await api.post(get_introspection_query(), token=(await api.someone()).token)).json()[
            "data"
        ]
    )
    query = introspection.query_type
    assert query is not None
    for name in query.fields:
        args = {"node": '(id: "QXJlYTox")', "area": '(slug: "willenhall")'}.get(name, "")
        body = await api.gql(f"{{ {name}{args} {{ __typename }} }}")
        if name == "viewer":
            assert body == {"data": {"viewer": None}}
            continue
        assert [e["extensions"]["code"] for e in body["errors"]] == ["UNAUTHENTICATED"], name
