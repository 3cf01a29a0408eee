"""Crafted requests meant to tie up the server, each refused with a clear error and
never a 500: fragment cycles, spreads that multiply, alias and field floods within the
token limit, expensive fields aliased, deep documents, huge and deep variables, huge
bodies and batches. How long each refusal took goes to the scoreboard (a figure, not
an assertion: speed targets belong in benchmarks)."""

from __future__ import annotations

import os
import statistics
import time
from typing import Any

import pytest

from bench.attacks import GR, attacks
from tests.scoreboard import record
from tests.support import Api, World


@pytest.fixture
async def round_id(api: Api) -> tuple[World, str]:
    world = await World(api).build()
    proposal = await world.proposal()
    return world, await world.round([proposal])


async def test_every_crafted_attack_is_refused_quickly_and_never_a_500(
    api: Api, round_id: tuple[World, str]
) -> None:
    world, voting_round = round_id
    headers = {
        "Authorization": f"Bearer {world.resident.token}",
        "Content-Type": "application/json",
        "Accept": GR,
    }
    figures: list[dict[str, Any]] = []
    for attack in attacks(voting_round):
        timings, cpu = [], []
        for _ in range(3):
            started, cpu_started = time.perf_counter(), time.process_time()
            response = await api.client.post("/graphql", content=attack.body, headers=headers)
            timings.append((time.perf_counter() - started) * 1000)
            # The app runs in this process: its CPU time, unlike the wall clock, does not
            # count the time a busy machine made it wait.
            cpu.append((time.process_time() - cpu_started) * 1000)
            assert response.status_code in attack.statuses, (attack.name, response.text[:300])
            body = response.json()
            assert isinstance(body, dict), attack.name
            if attack.statuses != (200,):
                assert "data" not in body, attack.name
            assert body.get("errors") or body["data"]["proposeItem"]["errors"], attack.name
            codes = {e.get("extensions", {}).get("code") for e in body.get("errors", [])}
            if attack.code is not None:
                assert attack.code in codes, (attack.name, body)
            assert "INTERNAL_SERVER_ERROR" not in codes, (attack.name, body)
        figures.append(
            {
                "attack": attack.name,
                "status": response.status_code,
                "median_ms": round(statistics.median(timings), 1),
                "max_ms": round(max(timings), 1),
                "median_cpu_ms": round(statistics.median(cpu), 1),
            }
        )
    record(
        "attacks",
        {
            "tried": len(figures),
            "refused_without_a_500": len(figures),
            "over_50_ms": [f["attack"] for f in figures if f["median_ms"] > 50],
            "load_average": round(os.getloadavg()[0], 1),
            "attacks": figures,
        },
    )


async def test_the_board_paper_fits_within_the_cost_limit(api: Api) -> None:
    from graphql import parse

    from examples.board_report import BOARD_PAPER
    from schema import schema
    from schema.limits import MAX_COST, measure

    found = measure(schema._schema, parse(BOARD_PAPER), None, {"area": "coventry"})
    record("cost_limit", {"board_paper_cost": found.cost, "limit": MAX_COST})
    assert found.cost < MAX_COST / 2


async def test_a_connection_costs_what_first_asks_for(api: Api) -> None:
    from graphql import parse

    from schema import schema
    from schema.limits import measure

    query = 'query($n: Int) { area(slug: "x") { actionPlan(first: $n) { edges { node { team { name } } } } } }'
    small = measure(schema._schema, parse(query), None, {"n": 1})
    large = measure(schema._schema, parse(query), None, {"n": 100})
    assert large.cost > small.cost
    assert large.cost - small.cost == 99 * 3


FIRST_N = """query($n: Int) { area(slug: "willenhall") { proposals(first: $n) { edges { node {
    comments(first: 100) { edges { node { author { displayName } } } } } } } } }"""


async def test_a_document_accepted_once_is_measured_again_with_other_variables(
    api: Api, round_id: tuple[World, str]
) -> None:
    # The measure of a document is kept per process, but only for the values of the
    # variables it read: the same text asking for more is still refused.
    world, _ = round_id
    for _ in range(2):
        small = await api.post(FIRST_N, {"n": 1}, token=world.resident.token)
        assert "errors" not in small.json(), small.text
        large = await api.post(FIRST_N, {"n": 100}, token=world.resident.token)
        assert [e["extensions"]["code"] for e in large.json()["errors"]] == ["QUERY_TOO_COMPLEX"]
