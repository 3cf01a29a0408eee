"""Fuzzing GraphQL over HTTP with documents Hypothesis builds from the served schema
(hypothesis-graphql): valid queries and mutations with arbitrary arguments (NUL
characters included), then invalid documents. Every answer must be a well-formed
GraphQL response, and none a server error (a 5xx, or a masked "Unexpected error.").
How many cases ran goes to the scoreboard. LEVELGROUND_FUZZ_EXAMPLES sets the budget."""

from __future__ import annotations

import asyncio
import json
import os
from collections import Counter
from datetime import UTC
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import Mode, from_schema, nodes

from schema import schema
from tests.scoreboard import record
from tests.support import Api, World

GR = "application/graphql-response+json"
EXAMPLES = int(os.environ.get("LEVELGROUND_FUZZ_EXAMPLES", "200"))
SCALARS = {
    "DateTime": st.one_of(
        st.datetimes(timezones=st.just(UTC)).map(lambda d: nodes.String(d.isoformat())),
        st.text(max_size=30).map(nodes.String),
    ),
}


def shape_problem(response: httpx.Response) -> str | None:
    """Why this is not a GraphQL over HTTP response, or None."""
    try:
        body: Any = response.json()
    except ValueError:
        return "not JSON"
    if not isinstance(body, dict) or not body.keys() <= {"data", "errors", "extensions"}:
        return "not a response object"
    if "data" not in body and not body.get("errors"):
        return "neither data nor errors"
    if "data" not in body and response.status_code < 400:
        return "no data under graphql-response+json, yet not a 4xx"
    errors = body.get("errors", [])
    if not isinstance(errors, list) or not all(
        isinstance(e, dict) and isinstance(e.get("message"), str) for e in errors
    ):
        return "errors malformed"
    return None


def server_error(response: httpx.Response) -> bool:
    if response.status_code >= 500:
        return True
    try:
        errors = response.json().get("errors") or []
    except (ValueError, AttributeError):
        return False
    return any((e.get("extensions") or {}).get("code") == "INTERNAL_SERVER_ERROR" for e in errors)


@pytest.mark.slow
async def test_fuzzed_documents_get_well_formed_answers_and_no_server_errors(api: Api) -> None:
    world = await World(api).build()
    proposal = await world.proposal()
    await world.round([proposal])
    loop = asyncio.get_running_loop()
    headers = {"Authorization": f"Bearer {world.admin.token}", "Accept": GR}
    statuses: Counter[int] = Counter()
    failures: list[dict[str, Any]] = []
    counts = {Mode.POSITIVE: 0, Mode.NEGATIVE: 0}

    def send(document: str, mode: Mode) -> None:
        counts[mode] += 1
        response = asyncio.run_coroutine_threadsafe(
            api.client.post(
                "/graphql",
                content=json.dumps({"query": document}).encode(),
                headers={**headers, "Content-Type": "application/json"},
            ),
            loop,
        ).result(timeout=60)
        statuses[response.status_code] += 1
        problem = shape_problem(response) or ("server error" if server_error(response) else None)
        if problem:
            failures.append({"problem": problem, "document": document, "answer": response.text})

    budget = settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )

    def fuzz(mode: Mode) -> None:
        @budget
        @given(from_schema(schema._schema, custom_scalars=SCALARS, mode=mode))
        def one(document: str) -> None:
            send(document, mode)

        one()

    for mode in (Mode.POSITIVE, Mode.NEGATIVE):
        await asyncio.to_thread(fuzz, mode)
    record(
        "fuzz",
        {
            "cases": sum(counts.values()),
            "valid_documents": counts[Mode.POSITIVE],
            "invalid_documents": counts[Mode.NEGATIVE],
            "statuses": {str(k): v for k, v in sorted(statuses.items())},
            "server_errors": sum(f["problem"] == "server error" for f in failures),
            "malformed_responses": sum(f["problem"] != "server error" for f in failures),
        },
    )
    assert failures == [], failures[:3]
