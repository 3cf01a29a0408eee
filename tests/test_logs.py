"""The logs are JSON lines with request ids, and hold nothing personal: a run that
registers, signs in, tells a story, proposes, comments, votes, fails a few times and
hits an unexpected database error leaves none of its emails, names, story or comment
text (or the client's address) in any log line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from server.logs import JsonFormatter
from tests.http_browser import Browser
from tests.support import Api, World

EMAIL = "priya.sharma.private@example.org"
NAME = "Priya Sharma-Private"
STORY = "My mother waited nine weeks for a carer after her fall"
IDEA = "Befriending calls for carers in Willenhall"
COMMENT = "My neighbour Mr Okafor would love this"


@pytest.fixture
def captured() -> Iterator[io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    yield stream
    root.removeHandler(handler)
    root.setLevel(level)


async def test_the_logs_hold_request_ids_and_nothing_personal(
    api: Api, browser: Browser, captured: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    world = await World(api).build()
    await browser.register(EMAIL, name=NAME)
    await browser.sign_in(EMAIL, "wrong password for the log test")
    await browser.sign_in(EMAIL)
    story = await api.mutate(
        "addStory",
        {
            "conversationId": (
                await api.ok(
                    "startConversation",
                    {"areaSlug": "willenhall", "title": "Caring", "prompt": "What keeps you well?"},
                    as_=world.facilitator,
                    returning="conversation { id }",
                )
            )["conversation"]["id"],
            "tellerPseudonym": NAME,
            "body": STORY,
            "consentScope": "PARTICIPANTS",
        },
        as_=world.facilitator,
    )
    assert story["errors"] == []
    proposal = await api.ok(
        "proposeItem",
        {"areaSlug": "willenhall", "title": IDEA, "description": STORY},
        as_=world.resident,
        returning="proposal { id }",
    )
    await api.ok(
        "addComment",
        {"subjectId": proposal["proposal"]["id"], "body": COMMENT},
        as_=world.resident,
        returning="comment { id }",
    )
    await api.mutate(
        "proposeItem",
        {"areaSlug": "nowhere", "title": NAME, "description": STORY},
        as_=world.resident,
    )
    await browser.client.get(f"/areas/{EMAIL}")
    await api.client.get("/graphql", params={"query": f'{{ area(slug: "{EMAIL}") {{ name }} }}'})

    from server.areas import repository

    async def failing(session: AsyncSession) -> object:
        # An unexpected database error whose statement carries personal data.
        await session.execute(text("SELECT 1 / 0 WHERE :who = :who"), {"who": EMAIL})
        return []

    monkeypatch.setattr(repository, "all_areas", failing)
    failed = await api.post("{ areas { name } }", token=world.board.token)
    assert failed.json()["errors"][0]["message"] == "Unexpected error."

    # The test's own HTTP client (httpx) logs its URLs; the app's lines are the rest.
    lines = [
        line
        for line in map(json.loads, captured.getvalue().splitlines())
        if line["logger"] != "httpx"
    ]
    requests = [line for line in lines if line["message"] == "request"]
    assert len(requests) >= 10
    assert all(len(line["request_id"]) >= 8 for line in requests)
    assert all({"method", "route", "status", "ms"} <= line.keys() for line in requests)
    errors = [line for line in lines if line["level"] == "error"]
    assert errors, "the unexpected error is logged"
    assert all("request_id" in line for line in errors)
    log_text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for secret in (EMAIL, NAME, STORY, IDEA, COMMENT, "127.0.0.1", "wrong password"):
        assert secret not in log_text, secret


async def test_a_client_leaving_mid_request_is_no_server_error(
    app: object, captured: io.StringIO
) -> None:
    # wrk and browsers drop connections under load: the body never arrives.
    messages = [{"type": "http.request", "body": b'{"query":', "more_body": True}]
    sent: list[dict[str, object]] = []

    async def receive() -> dict[str, object]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, object]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/graphql",
        "raw_path": b"/graphql",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 5000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)  # type: ignore[operator]
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    assert not [line for line in lines if line.get("level") == "ERROR"]
    assert [m["status"] for m in sent if m["type"] == "http.response.start"] in ([], [499])
    assert any(line.get("status") == 499 for line in lines)
