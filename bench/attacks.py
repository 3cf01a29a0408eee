"""Attack benchmark: how fast each crafted request is refused (the target: under 50 ms,
token check included), through the app's whole ASGI stack, on a fresh database.

    python -m bench attacks [--tries 20]

Runs against ``DATABASE_URL``'s server, or an embedded PostgreSQL when it is unset. The
catalogue of attacks is shared with tests/test_attacks.py, which checks each answer.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import secrets
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass

import httpx

from bench.database import database, server_url
from bench.voting import build_scene
from server.config import RateLimits, Settings

GR = "application/graphql-response+json"
TARGET_MS = 50.0


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
            "over 4,000 tokens",
            _doc("{ " + "__typename " * 4100 + "}"),
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


async def measure(tries: int) -> list[tuple[Attack, list[float]]]:
    from server.app import create_app

    with server_url() as server, database(server) as url:
        scene = await build_scene(url, 1)
        settings = Settings(
            LEVELGROUND_ENV="test",
            SECRET_KEY=secrets.token_urlsafe(48),
            LEVELGROUND_ROUND_CLOSER_INTERVAL=3600.0,
            LEVELGROUND_RATE_LIMITS=RateLimits(writes_per_person=1_000_000),
        )
        app = create_app(settings, database_url=url)
        headers = {
            "Authorization": f"Bearer {scene.tokens[0]}",
            "Content-Type": "application/json",
            "Accept": GR,
        }
        found = []
        async with app.router.lifespan_context(app):
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as http:
                for attack in attacks(scene.round_id):
                    times = []
                    for _ in range(tries):
                        started = time.perf_counter()
                        response = await http.post("/graphql", content=attack.body, headers=headers)
                        times.append((time.perf_counter() - started) * 1000)
                        assert response.status_code in attack.statuses, attack.name
                    found.append((attack, times))
        return found


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench attacks", description=__doc__)
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args(argv)
    results = asyncio.run(measure(args.tries))
    print(
        f"attack benchmark: {len(results)} attacks x {args.tries} tries "
        f"(target p50 < {TARGET_MS:g} ms)"
    )
    slow = 0
    for attack, times in results:
        p50 = statistics.median(times)
        slow += p50 >= TARGET_MS
        mark = "ok  " if p50 < TARGET_MS else "SLOW"
        print(f"  {mark} {attack.name:62} p50 {p50:6.1f} ms  max {max(times):6.1f} ms")
    return 1 if slow else 0
