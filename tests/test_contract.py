"""The served schema keeps every promise of ../shared/api/schema.graphql."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from graphql import (
    GraphQLObjectType,
    build_client_schema,
    build_schema,
    get_introspection_query,
)

from schema import schema
from tests.contract import (
    ADDITIONS,
    CONTRACT,
    SHARED_ADDITIONS,
    SHARED_CONTRACT,
    contract_schema,
    differences,
)
from tests.support import Api, World


def test_contract_file_is_present() -> None:
    assert CONTRACT.exists(), f"contract not found at {CONTRACT}"
    for addition in ADDITIONS:
        assert addition.exists(), f"contract addition not found at {addition}"


@pytest.mark.skipif(not SHARED_CONTRACT.exists(), reason="no shared workspace next to the repo")
def test_vendored_contract_is_the_shared_one() -> None:
    assert CONTRACT.read_text() == SHARED_CONTRACT.read_text(), (
        "contract/schema.graphql differs from ../shared/api/schema.graphql: copy it again"
    )


@pytest.mark.skipif(not SHARED_CONTRACT.exists(), reason="no shared workspace next to the repo")
@pytest.mark.parametrize(("copy", "shared"), list(zip(ADDITIONS, SHARED_ADDITIONS, strict=True)))
def test_vendored_additions_are_the_shared_ones(copy: Path, shared: Path) -> None:
    assert copy.read_text() == shared.read_text(), (
        f"contract/{copy.name} differs from ../shared/api/{shared.name}: copy it again"
    )


def test_contract_includes_the_conversations_addition() -> None:
    """The served schema is held to schema.graphql + conversations.graphql."""
    contract = contract_schema()
    mutation, conversation = contract.type_map["Mutation"], contract.type_map["Conversation"]
    assert isinstance(mutation, GraphQLObjectType)
    assert isinstance(conversation, GraphQLObjectType)
    assert "erasePerson" in mutation.fields
    assert "themeSummary" in conversation.fields


def test_served_schema_has_no_breaking_change_against_the_contract() -> None:
    assert differences(contract_schema(), build_schema(schema.as_str())) == []


def test_comparison_catches_a_breaking_change() -> None:
    """Guard against a comparison that cannot fail."""
    contract = contract_schema()
    broken = build_schema(
        schema.as_str()
        .replace("  turnout: Int!\n", "  turnout: Int\n", 1)
        .replace("OVER_ITEM_CAP\n", "", 1)
    )
    found = differences(contract, broken)
    assert any("turnout" in problem for problem in found)
    assert any("OVER_ITEM_CAP" in problem for problem in found)


def test_comparison_holds_the_served_schema_to_the_notifications_addition() -> None:
    """Guard against additions that are not compared at all."""
    broken = build_schema(
        schema.as_str()
        .replace("  unreadCount: Int!\n", "  unreadCount: Int\n", 1)
        .replace("  WEEKLY\n", "", 1)
    )
    found = differences(contract_schema(), broken)
    assert any("unreadCount" in problem for problem in found)
    assert any("WEEKLY" in problem for problem in found)


def test_comparison_catches_a_breaking_change_in_the_conversations_addition() -> None:
    contract = contract_schema()
    broken = build_schema(
        schema.as_str()
        .replace("  participantCount: Int!\n", "  participantCount: Int\n", 1)
        .replace("  erasePerson(", "  erasePersonRenamed(", 1)
    )
    found = differences(contract, broken)
    assert any("participantCount" in problem for problem in found)
    assert any("erasePerson" in problem for problem in found)


async def test_introspection_over_http_matches_the_contract(api: Api) -> None:
    world = await World(api).build()
    response: httpx.Response = await api.post(get_introspection_query(), token=world.board.token)
    served = build_client_schema(response.json()["data"])
    assert differences(contract_schema(), served) == []
