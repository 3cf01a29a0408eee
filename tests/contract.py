"""Comparison of the served schema with the public contract (shared by test and CLI)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    build_schema,
    find_breaking_changes,
)

REPO = Path(__file__).resolve().parents[1]
# The contract as vendored into the repo (CI runs on a bare checkout) ...
CONTRACT = REPO / "contract" / "schema.graphql"
# ... with the additions this project serves (each read together with the core) ...
ADDITIONS = (
    REPO / "contract" / "conversations.graphql",
    REPO / "contract" / "notifications.graphql",
)
# ... and their source of truth, next to the repo when working in the shared workspace.
SHARED = REPO.parent / "shared" / "api"
SHARED_CONTRACT = SHARED / "schema.graphql"
SHARED_ADDITIONS = tuple(SHARED / path.name for path in ADDITIONS)


def contract_schema(paths: Sequence[Path] = (CONTRACT, *ADDITIONS)) -> GraphQLSchema:
    """The core contract and its additions, concatenated."""
    return build_schema("\n".join(path.read_text() for path in paths))


def differences(contract: GraphQLSchema, served: GraphQLSchema) -> list[str]:
    """Breaking changes, plus any field, argument or input whose type differs at all
    (the contract also forbids nullable fields becoming non-null)."""
    problems = [f"{c.type.name}: {c.description}" for c in find_breaking_changes(contract, served)]
    for name, old in contract.type_map.items():
        if name.startswith("__"):
            continue
        new = served.type_map.get(name)
        if new is None:
            continue
        if isinstance(old, GraphQLObjectType | GraphQLInterfaceType) and isinstance(
            new, GraphQLObjectType | GraphQLInterfaceType
        ):
            for field_name, field in old.fields.items():
                served_field = new.fields.get(field_name)
                if served_field is None:
                    continue
                if str(served_field.type) != str(field.type):
                    problems.append(f"{name}.{field_name}: {field.type} became {served_field.type}")
                for arg_name, arg in field.args.items():
                    served_arg = served_field.args.get(arg_name)
                    if served_arg is not None and str(served_arg.type) != str(arg.type):
                        problems.append(
                            f"{name}.{field_name}({arg_name}): {arg.type} became {served_arg.type}"
                        )
                    if served_arg is not None and arg.default_value != served_arg.default_value:
                        problems.append(
                            f"{name}.{field_name}({arg_name}) default "
                            f"{arg.default_value!r} became {served_arg.default_value!r}"
                        )
            for interface in getattr(old, "interfaces", ()):
                if interface.name not in {i.name for i in getattr(new, "interfaces", ())}:
                    problems.append(f"{name} no longer implements {interface.name}")
        elif isinstance(old, GraphQLInputObjectType) and isinstance(new, GraphQLInputObjectType):
            for field_name, field in old.fields.items():
                served_input = new.fields.get(field_name)
                if served_input is not None and str(served_input.type) != str(field.type):
                    problems.append(f"{name}.{field_name}: {field.type} became {served_input.type}")
        elif isinstance(old, GraphQLEnumType) and isinstance(new, GraphQLEnumType):
            missing = set(old.values) - set(new.values)
            if missing:
                problems.append(f"{name} lost values {sorted(missing)}")
    return problems
