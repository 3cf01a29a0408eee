"""Crafted requests meant to tie up the server, each refused with a clear error and
never a 500: fragment cycles, spreads that multiply, alias and field floods within the
token limit, expensive fields aliased, deep documents, huge and deep variables, huge
bodies and batches. How long each refusal took goes to the scoreboard (a figure, not
an assertion: speed targets belong in benchmarks)."""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass
from typing import Any

import pytest

from tests.scoreboard import record
from tests.support import Api, World

GR = "application/graphql-response+json"


@dataclass(frozen=True)
class Attack:
    name: str
    body: bytes
    statuses: tuple[int, ...]
    code: str | None


def _doc(query: str, variables: object | None = None) -> bytes:
    return json.dumps({"query": query, "variables": variables}).encode()


def _multiplying_fragments(levels: int) -> str:
    fragments = ["fragment F0 on Query { __typename }"]
    fragments += [f"fragment F{i} on Query {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)]
    return f"{{ ...F{levels - 1} }} " + " ".join(fragments)


def attacks(round_id: str) -> list[Attack]:
    too_costly = " ".join(
        f'r{i}: node(id: "{round_id}") {{ ... on VotingRound {{ results {{ turnout }} }} }}'
        for i in range(25)
    )
    nested_list = "[" * 2000 + "]" * 2000
    deep_json = '{"query": "{ __typename }", "variables": {"v": ' + "[" * 5000 + "]" * 5000 + "}}"
    return [
        Attack(
            "fragment cycle",
            _doc("{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }"),
            (400,),
            "GRAPHQL_VALIDATION_FAILED",
        ),
        Attack(
            "fragment spreads that multiply (2^20 fields)",
            _doc(_multiplying_fragments(21)),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "alias flood (660 aliases, within the token limit)",
            _doc("{ " + " ".join(f"a{i}: __typename" for i in range(660)) + " }"),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "field flood (1,990 unaliased fields)",
            _doc("{ " + "__typename " * 1990 + "}"),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "25 aliases of a round's results",
            _doc("{ " + too_costly + " }"),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "nested 14 fields deep",
            _doc("{ areas { " + "parent { " * 14 + "slug" + " }" * 14 + " } }"),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "brackets nested 2,000 deep in an argument",
            _doc('{ area(slug: "x", ' + f"bogus: {nested_list}) {{ name }} }}"),
            (400,),
            "QUERY_TOO_COMPLEX",
        ),
        Attack(
            "over 2,000 tokens",
            _doc("{ " + "__typename " * 2100 + "}"),
            (400,),
            None,
        ),
        Attack(
            "directive flood",
            _doc("{ __typename " + "@skip(if: false) " * 280 + "}"),
            (400,),
            None,
        ),
        Attack(
            "50,000 variable values",
            _doc("{ __typename }", {"v": list(range(50_000))}),
            (400,),
            "INVALID_INPUT",
        ),
        Attack(
            "variables nested 50 deep",
            _doc("{ __typename }", {"v": json.loads("[" * 50 + "]" * 50)}),
            (400,),
            "INVALID_INPUT",
        ),
        Attack(
            "variables nested 5,000 deep (past the JSON parser's recursion)",
            deep_json.encode(),
            (400,),
            "BAD_REQUEST",
        ),
        Attack(
            "a 900 KB string variable",
            _doc(
                'mutation($t: String!) { proposeItem(input: {areaSlug: "willenhall", '
                'title: $t, description: "d"}) { errors { code } } }',
                {"t": "x" * 900_000},
            ),
            (200,),
            None,
        ),
        Attack("a 2 MB body", _doc("{ __typename }", {"pad": "x" * 2_000_000}), (413,), None),
        Attack(
            "a batch of 50 operations",
            json.dumps([{"query": "{ __typename }"}] * 50).encode(),
            (400,),
            "BATCH_TOO_LARGE",
        ),
    ]


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
