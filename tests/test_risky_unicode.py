"""Risky Unicode is refused in the one shared text check, so every title, comment and
name is covered: bidirectional overrides (text that reads as something else), names
made only of invisible characters, and C0/C1 control characters."""

from __future__ import annotations

import pytest

from server import validation
from server.errors import InvalidInput
from tests.http_browser import Browser
from tests.support import Api, World

RLO = "\u202e"
ZERO_WIDTH_SPACE = "\u200b"
C1_NEXT_LINE = "\x85"


@pytest.mark.parametrize(
    "value",
    [
        f"Walking {RLO}puorg",
        "Benches \u2066here\u2069",
        f"Bus{C1_NEXT_LINE}pass",
        "Bus\x9bpass",
    ],
)
def test_hidden_controls_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be shown"):
        validation.text(value, ["title"], max_length=200, label="Title")


@pytest.mark.parametrize(
    "value",
    [ZERO_WIDTH_SPACE, "\u200b\u200c\u2060", "\ufeff", "\u3164", "\u2800\u2800", "\u0301"],
)
def test_text_that_shows_nothing_counts_as_empty(value: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be empty"):
        validation.text(value, ["displayName"], max_length=80, label="Display name")


@pytest.mark.parametrize(
    "value", ["Zoë", "Łucja Kowalska", "שלום", "مرحبا\u200f", "👩‍👩‍👧 family", "Ana\u200dKay"]
)
def test_ordinary_writing_in_any_script_is_kept(value: str) -> None:
    assert validation.text(value, ["name"], max_length=80, label="Name") == value


async def test_an_idea_titled_with_a_right_to_left_override_is_refused(api: Api) -> None:
    world = await World(api).build()
    refused = await api.error(
        "proposeItem",
        {"areaSlug": "willenhall", "title": f"Free {RLO}sessab", "description": "Please."},
        as_=world.resident,
    )
    assert refused["code"] == "INVALID_INPUT"
    assert refused["field"] == ["title"]


async def test_a_comment_with_a_c1_control_is_refused(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    refused = await api.error(
        "addComment",
        {"subjectId": proposal, "body": f"Yes{C1_NEXT_LINE}please"},
        as_=world.resident,
    )
    assert refused["code"] == "INVALID_INPUT"


async def test_a_display_name_of_only_a_zero_width_space_is_refused(
    api: Api, browser: Browser
) -> None:
    await browser.register("zed@example.org", name="Zed")
    response = await browser.submit(
        "/auth/profile", "/auth/profile", {"displayName": ZERO_WIDTH_SPACE, "kind": "resident"}
    )
    assert response.status_code == 400
    viewer = (await browser.graphql("{ viewer { displayName } }")).json()["data"]["viewer"]
    assert viewer == {"displayName": "Zed"}


async def test_an_email_with_a_bidirectional_override_is_refused(browser: Browser) -> None:
    response = await browser.register(f"gro.elpmaxe{RLO}@evil.org", name="Eve")
    assert response.status_code == 400
    assert browser.session_cookie is None
