"""Where Levelground's Python time goes under load: py-spy on the uvicorn process.

    python -m bench profile [--scale 1] [--duration 20] [--scenarios castBallot,proposals]

For each scenario, wrk loads a production ``levelground serve`` (as in ``python -m
bench``) while ``py-spy record`` samples it; the speedscope profiles are kept next to
the report, ``bench/results/<date>-profile.md``, which sums them up: the share of
samples inside each stage of a request (inclusive), the functions where the time is
spent (self), and the SQL statements per request, each one listed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import make_url

from bench import compare, database, load, servers
from bench import dataset as city
from bench.scenarios import SCENARIOS

# Where a sample's time is charged: walking its stack from the innermost frame out, the
# first frame in one of STAGES' files (in this order, for a frame in several) names it;
# failing that, the first in one of LIBRARIES'. So the SQL the token check sends counts
# as authentication, the ORM work of a cast as the cast, validation's visitors (in
# graphql/language and graphql/utilities) as validation. "stdlib:" parts match only the
# standard library's files.
STAGES: list[tuple[str, str]] = [
    ("stdlib:/logging/", "logging (the access log)"),
    ("stdlib:/json/", "JSON encoding and decoding"),
    ("server/auth/", "authentication: bearer token and roles"),
    ("server/limits/", "write rate limits"),
    ("server/voting/", "voting service (server/voting/), and its SQL"),
    ("server/", "other services (server/), and their SQL"),
    ("schema/mutation.py", "mutation runner: transaction, commit"),
    ("server/db_errors.py", "mutation runner: transaction, commit"),
    ("schema/loaders.py", "DataLoaders, and their SQL"),
    ("strawberry/dataloader.py", "DataLoaders, and their SQL"),
    ("graphql/language/parser.py", "GraphQL parse"),
    ("graphql/language/lexer.py", "GraphQL parse"),
    ("graphql/validation/", "GraphQL validation"),
    ("graphql/execution/", "GraphQL execution (graphql-core, Strawberry)"),
    ("strawberry/schema/", "GraphQL execution (graphql-core, Strawberry)"),
    ("schema/view.py", "GraphQL endpoint: credentials, cleanup"),
    ("schema/", "resolvers and types (schema/), and their SQL"),
    ("strawberry/http/", "Strawberry HTTP view: body, JSON, response"),
    ("strawberry/asgi/", "Strawberry HTTP view: body, JSON, response"),
    ("web/i18n.py", "middleware and routing"),
]
# Shared plumbing, charged to whoever called it: the token check's transaction and
# queries are authentication's, a permission check's area tree its service's, a
# DataLoader's query the DataLoaders'.
PLUMBING = (
    "/repository.py",
    "server/db.py",
    "server/access.py",
    "server/areas/tree.py",
    "server/events.py",
    "server/pagination.py",
    "schema/context.py",
)
LIBRARIES: list[tuple[str, str]] = [
    ("strawberry/", "GraphQL execution (graphql-core, Strawberry)"),
    ("graphql/", "GraphQL execution (graphql-core, Strawberry)"),
    ("starlette/", "middleware and routing"),
    ("uvicorn/middleware/", "middleware and routing"),
    ("uvicorn/", "uvicorn: HTTP parsing and writing"),
    ("stdlib:/asyncio/", "event loop"),
]
GREENLET = "SQLAlchemy running a statement in its greenlet (py-spy sees no caller)"
PACKAGES = [
    ("sqlalchemy/", "SQLAlchemy"),
    ("graphql/", "graphql-core"),
    ("strawberry/", "Strawberry"),
    ("asyncpg/", "asyncpg"),
    ("starlette/", "Starlette"),
    ("uvicorn/", "uvicorn"),
    ("pydantic", "pydantic"),
    ("stdlib:/asyncio/", "asyncio"),
    ("stdlib:/logging/", "logging"),
    ("stdlib:/json/", "json"),
    ("/server/", "Levelground server/"),
    ("/schema/", "Levelground schema/"),
    ("/web/", "Levelground web/"),
]


@dataclass
class Profile:
    scenario: str
    rate: float
    seconds: float = 0.0
    stages: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)
    packages: Counter[str] = field(default_factory=Counter)


def _frame_name(frame: dict[str, object]) -> str:
    file = str(frame.get("file", ""))
    for marker in ("site-packages/", "/wt/bench/", "lib/python3.11/"):
        if marker in file:
            file = file.split(marker, 1)[1]
            break
    return f"{frame.get('name')} ({file}:{frame.get('line')})"


def _in(part: str, file: str) -> bool:
    if part.startswith("stdlib:"):
        return part.removeprefix("stdlib:") in file and "site-packages" not in file
    return part in file


def _stage(stack: list[dict[str, object]]) -> str:
    for markers in (STAGES, LIBRARIES):
        for frame in reversed(stack):
            file = str(frame.get("file", ""))
            if any(part in file for part in PLUMBING):
                continue
            for part, label in markers:
                if _in(part, file):
                    return label
    root = str(stack[0].get("file", "")) if stack else ""
    return GREENLET if "sqlalchemy/" in root else "other"


def summarise(scenario: str, speedscope: Path, rate: float) -> Profile:
    """Shares of the sampled time, from py-spy's speedscope output (stacks root first,
    weights in seconds)."""
    document = json.loads(speedscope.read_text())
    frames = document["shared"]["frames"]
    profile = Profile(scenario, rate)
    for thread in document["profiles"]:
        for indexes, weight in zip(thread["samples"], thread["weights"], strict=True):
            if not indexes:
                continue
            stack = [frames[i] for i in indexes]
            profile.seconds += weight
            profile.stages[_stage(stack)] += weight
            leaf = stack[-1]
            profile.own[_frame_name(leaf)] += weight
            file = str(leaf.get("file", ""))
            package = next((name for part, name in PACKAGES if _in(part, file)), "other")
            profile.packages[package] += weight
    return profile


def _percent(part: float, whole: float) -> str:
    return f"{100 * part / whole:.1f}%" if whole else "-"


def markdown(
    profiles: list[Profile], counted: dict[tuple[str, str], compare.Counted], header: list[str]
) -> str:
    lines = [*header]
    for profile in profiles:
        whole = profile.seconds
        lines += [
            "",
            f"## {profile.scenario}: {profile.rate:.0f} req/s while profiled, "
            f"{whole:.1f} s of samples",
            "",
            "Where the time goes, by the innermost part of the request it runs for (the SQL "
            "a stage sends, ORM and asyncpg included, counts in that stage):",
            "",
            "| stage | share |",
            "|---|---|",
            *(f"| {label} | {_percent(n, whole)} |" for label, n in profile.stages.most_common()),
            "",
            "Self time by package:",
            "",
            "| package | share |",
            "|---|---|",
            *(f"| {name} | {_percent(n, whole)} |" for name, n in profile.packages.most_common()),
            "",
            "Top 25 functions by self time:",
            "",
            "| function | self |",
            "|---|---|",
            *(
                f"| `{name.replace('|', '/')}` | {_percent(n, whole)} |"
                for name, n in profile.own.most_common(25)
            ),
        ]
        found = counted.get((profile.scenario, "levelground"))
        if found is not None:
            lines += [
                "",
                f"SQL statements per request: {found.per_request:.1f} (counted over "
                f"{found.requests} requests, one at a time)",
                "",
                "| per request | statement |",
                "|---|---|",
                *(
                    f"| {times / found.requests:.2f} | `{text[:160].replace('|', '/')}` |"
                    for text, times in found.statements.most_common()
                ),
            ]
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench profile", description=__doc__)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=20, help="seconds of load per scenario")
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--rate", type=int, default=100, help="py-spy samples per second")
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--scenarios", default="castBallot,proposals")
    parser.add_argument("--database")
    parser.add_argument("--results", type=Path, default=compare.RESULTS)
    args = parser.parse_args(argv)
    names = args.scenarios.split(",")
    scenarios = [SCENARIOS[name] for name in names]
    started = datetime.now(UTC)
    work = Path(tempfile.mkdtemp(prefix="levelground-bench-profile-"))
    args.results.mkdir(parents=True, exist_ok=True)
    profiles = []
    loads = [os.getloadavg()]
    with database.server_url() as server, database.database(server, args.database) as url:
        dataset = compare.prepare(url, args)
        run = compare.Run(started, {}, dataset)
        compare.count(run, url, scenarios, ["levelground"], args.count, work, workers=1)
        port = servers.free_port()
        direct = servers.plain_url(make_url(url))
        with servers.running(servers.levelground(direct, port), work, port) as levelground:
            for scenario in scenarios:
                requests = load.write_requests(
                    work / f"{scenario.name}.requests",
                    scenario.requests(dataset, "levelground", len(dataset.people) // 3),
                )
                compare.mark_tokens_used(url)
                output = (
                    args.results / f"{started:%Y-%m-%d}-profile-{scenario.name}.speedscope.json"
                )
                profiles.append(_record(levelground, requests, output, scenario.name, args))
    header = [
        f"# Profile of Levelground {started:%Y-%m-%d %H:%M} UTC",
        "",
        f"`python -m bench profile`: py-spy ({args.rate} samples/s, idle time left out) on "
        f"one `levelground serve` process (production settings) under wrk at "
        f"{args.connections} connections for {args.duration:g} s per scenario.",
        "",
        f"- Dataset: {city.digest(dataset)}",
        "- Machine load average (1/5/15 min) before: "
        + " ".join(f"{x:.2f}" for x in loads[0])
        + ", after: "
        + " ".join(f"{x:.2f}" for x in loads[-1])
        + " (a busy machine slows every request, not the shares below)",
        f"- Problems: {'; '.join(run.problems) or 'none'}",
        f"- The speedscope profiles are next to this file ({started:%Y-%m-%d}-profile-"
        "<scenario>.speedscope.json, not committed): open them at https://www.speedscope.app.",
        "- Samples taken inside SQLAlchemy's greenlets show only the greenlet's own frames "
        "(py-spy cannot see across the switch), so that share is ORM and asyncpg work whose "
        "caller is unknown; the stages below it are what the rest could be charged to.",
    ]
    path = args.results / f"{started:%Y-%m-%d}-profile.md"
    path.write_text(markdown(profiles, run.counted, header))
    print(path.read_text())
    print(f"written to {path}")
    return 1 if run.problems else 0


def _record(
    server: servers.Running,
    requests: Path,
    output: Path,
    scenario: str,
    args: argparse.Namespace,
) -> Profile:
    """py-spy while wrk loads the server (starting a second in, stopping a second early)."""
    results: list[load.Load] = []
    loading = threading.Thread(
        target=lambda: results.append(
            load.run(
                server.url, requests, seconds=args.duration, connections=args.connections, threads=1
            )
        )
    )
    loading.start()
    time.sleep(1)
    spy = Path(sys.executable).parent / "py-spy"
    subprocess.run(
        [
            str(spy),
            "record",
            "--pid",
            str(server.pid),
            "--rate",
            str(args.rate),
            "--duration",
            str(max(1, round(args.duration) - 2)),
            "--format",
            "speedscope",
            "--output",
            str(output),
        ],
        check=True,
        capture_output=True,
    )
    loading.join()
    print(f"{scenario}: {results[0].rate:.0f} req/s while profiled", file=sys.stderr)
    return summarise(scenario, output, results[0].rate)
