"""Levelground, the limit and PostGraphile side by side: one run, one machine, one
database, one dataset.

    python -m bench [--scale 1] [--duration 10] [--connections 20,200] [...]

1. Builds the dataset (``bench/dataset.py``) in a fresh database, or reuses the one in
   ``--database NAME``.
2. Counts SQL statements per request: each server in turn runs against a counting proxy
   (``bench/pgwire.py``) and answers the scenarios one request at a time; the answers
   are checked (casts against the ballot sent, reads against each other).
3. Loads: the three servers run side by side, and for each scenario and concurrency
   each in turn gets a warm-up and then a measured wrk run, while its memory and CPU
   time (and PostgreSQL's) are sampled from /proc.
4. Prints the table and the ratios, and writes them to ``bench/results/<date>.md``.

Every token counts as used in the last few minutes before each run (a voter opens the
ballot before casting), so no request writes ``last_used_at``: each server meets the
same steady state.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import platform
import subprocess
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from bench import database, load, report, servers
from bench import dataset as city
from bench.pgwire import CountingProxy
from bench.scenarios import SCENARIOS, SERVERS, Request, Scenario, WrongAnswer
from server import serving
from server.events import asyncpg_dsn

RESULTS = servers.BENCH / "results"
LAUNCHERS = {
    "levelground": servers.levelground,
    "limit": servers.limit,
    "postgraphile": servers.postgraphile,
}


@dataclass
class Counted:
    """SQL statements over ``requests`` answers of one scenario on one server."""

    requests: int
    statements: Counter[str]

    @property
    def per_request(self) -> float:
        return sum(self.statements.values()) / self.requests if self.requests else 0.0


@dataclass
class Measured:
    scenario: str
    server: str
    connections: int
    load: load.Load
    cpu_ms: float | None
    db_cpu_ms: float | None
    peak_rss_mb: float
    peak_process_rss_mb: float
    statements: float | None


@dataclass
class Run:
    started: datetime
    options: dict[str, Any]
    dataset: city.Dataset
    counted: dict[tuple[str, str], Counted] = field(default_factory=dict)
    measured: list[Measured] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    environment: dict[str, str] = field(default_factory=dict)
    loads: list[tuple[float, float, float]] = field(default_factory=list)


def parse(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--scale", type=float, default=1.0, help="dataset size (1 = full city)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--duration", type=float, default=10, help="seconds of each measured run")
    parser.add_argument("--warmup", type=float, default=3, help="seconds of warm-up before each")
    parser.add_argument(
        "--connections", default="20", help="concurrent connections, comma-separated list"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads")
    parser.add_argument(
        "--workers",
        type=int,
        default=serving.cores(),
        help="Levelground's worker processes (default: one per core, as in production)",
    )
    parser.add_argument(
        "--count", type=int, default=20, help="requests counted for SQL per request"
    )
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="comma-separated")
    parser.add_argument("--servers", default=",".join(SERVERS), help="comma-separated")
    parser.add_argument(
        "--database", help="run in (and keep) this database, reusing its dataset if it has one"
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the report goes")
    args = parser.parse_args(argv)
    args.connections = [int(c) for c in args.connections.split(",")]
    args.scenarios = args.scenarios.split(",")
    args.servers = args.servers.split(",")
    for name in args.scenarios:
        if name not in SCENARIOS:
            parser.error(f"unknown scenario {name!r}; choose from {', '.join(SCENARIOS)}")
    for name in args.servers:
        if name not in SERVERS:
            parser.error(f"unknown server {name!r}; choose from {', '.join(SERVERS)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse(argv or [])
    started = datetime.now(UTC)
    scenarios = [SCENARIOS[name] for name in args.scenarios]
    work = Path(tempfile.mkdtemp(prefix="levelground-bench-run-"))
    with database.server_url() as server, database.database(server, args.database) as url:
        dataset = prepare(url, args)
        run = Run(started, _options(args), dataset, environment=environment(url))
        if "postgraphile" in args.servers:
            servers.install_peer()
            asyncio.run(_execute(url, (servers.PEER / "peer.sql").read_text()))
        run.loads.append(os.getloadavg())
        count(run, url, scenarios, args.servers, args.count, work, args.workers)
        measure(run, url, scenarios, args, work)
        run.loads.append(os.getloadavg())
    text = report.table(run)
    print(text)
    written = report.write(run, args.results)
    print(f"\nwritten to {written}; server logs in {work}")
    failed = run.problems or any(m.load.errors for m in run.measured)
    for problem in run.problems:
        print(f"PROBLEM: {problem}")
    return 1 if failed else 0


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {
        "scale": args.scale,
        "duration": args.duration,
        "warmup": args.warmup,
        "connections": args.connections,
        "threads": args.threads,
        "workers": args.workers,
        "count": args.count,
        "scenarios": args.scenarios,
    }


def prepare(url: str, args: argparse.Namespace) -> city.Dataset:
    found = asyncio.run(city.load(url))
    if found is not None and (found.scale, found.seed) == (args.scale, args.seed):
        print(f"reusing the dataset in the database: {city.digest(found)}")
        return found
    if found is not None:
        raise SystemExit(
            f"--database holds a dataset at scale {found.scale:g} (seed {found.seed}); "
            "choose another database name"
        )
    began = time.monotonic()
    built = city.run(url, args.scale, args.seed)
    print(f"built {city.digest(built)} in {time.monotonic() - began:.0f} s")
    return built


async def _execute(url: str, *statements: str) -> None:
    connection = await asyncpg.connect(asyncpg_dsn(url))
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


def mark_tokens_used(url: str) -> None:
    asyncio.run(
        _execute(url, "UPDATE api_tokens SET last_used_at = now()", "VACUUM ANALYZE api_tokens")
    )


def _launch(server: str, url: str, port: int, *, counting: bool, workers: int) -> servers.Launch:
    if server == "levelground":
        # Keep the round closer's own queries out of the counts.
        return servers.levelground(
            url, port, closer_interval=3600 if counting else None, workers=workers
        )
    return LAUNCHERS[server](url, port)


def _send(http: httpx.Client, request: Request) -> dict[str, Any]:
    answer = http.post(
        request.path,
        content=request.body,
        headers={"Authorization": f"Bearer {request.token}", "Content-Type": "application/json"},
    )
    if answer.status_code != 200:
        raise WrongAnswer(f"HTTP {answer.status_code}: {answer.text[:300]}")
    found: dict[str, Any] = answer.json()
    return found


def count(
    run: Run,
    url: str,
    scenarios: Sequence[Scenario],
    names: Sequence[str],
    per_scenario: int,
    work: Path,
    workers: int,
) -> None:
    """Each server behind the counting proxy, one request at a time; answers checked."""
    warm = 3
    target = make_url(url)
    host = str(target.query.get("host") or target.host or "127.0.0.1")
    readings: dict[str, dict[str, Any]] = {}
    mark_tokens_used(url)
    with CountingProxy(host, target.port or 5432) as proxy:
        proxied = servers.plain_url(target.set(host="127.0.0.1", port=proxy.port, query={}))
        for name in names:
            port = servers.free_port()
            launch = _launch(name, proxied, port, counting=True, workers=workers)
            with (
                servers.running(launch, work, port) as server,
                httpx.Client(base_url=server.url, timeout=60) as http,
            ):
                for scenario in scenarios:
                    if name not in scenario.servers:
                        continue
                    requests = scenario.requests(run.dataset, name, warm + per_scenario)
                    for request in requests[:warm]:
                        _send(http, request)
                    proxy.reset()
                    for request in requests[warm:]:
                        try:
                            reading = scenario.read(name, _send(http, request))
                        except WrongAnswer as error:
                            run.problems.append(f"{scenario.name} on {name}: {error}")
                            break
                        if scenario.shared:
                            readings.setdefault(scenario.name, {})[name] = reading
                        elif reading != request.expected:
                            run.problems.append(
                                f"{scenario.name} on {name}: cast {request.expected}, "
                                f"answered {reading}"
                            )
                    run.counted[(scenario.name, name)] = Counted(
                        per_scenario, proxy.take().statements
                    )
    for scenario_name, by_server in readings.items():
        first, *others = by_server.items()
        for other in others:
            if other[1] != first[1]:
                run.problems.append(
                    f"{scenario_name}: {other[0]} answers differently from {first[0]}"
                )


def measure(
    run: Run, url: str, scenarios: Sequence[Scenario], args: argparse.Namespace, work: Path
) -> None:
    """The servers side by side; each scenario and concurrency, each server in turn."""
    postmaster = database.postmaster_pid(url)
    direct = servers.plain_url(make_url(url))
    with contextlib.ExitStack() as stack:
        started = {}
        for name in args.servers:
            port = servers.free_port()
            launch = _launch(name, direct, port, counting=False, workers=args.workers)
            started[name] = stack.enter_context(servers.running(launch, work, port))
        for scenario in scenarios:
            files = {
                name: load.write_requests(
                    work / f"{scenario.name}-{name}.requests",
                    scenario.requests(run.dataset, name, _lines(run.dataset)),
                )
                for name in args.servers
                if name in scenario.servers
            }
            for connections in args.connections:
                for name, server in started.items():
                    if name not in files:
                        continue
                    mark_tokens_used(url)
                    options = {"connections": connections, "threads": args.threads}
                    load.run(server.url, files[name], seconds=args.warmup, **options)
                    with servers.Sampler(server.pid, postmaster) as sampler:
                        result = load.run(server.url, files[name], seconds=args.duration, **options)
                    if not result.good:
                        run.problems.append(
                            f"{scenario.name} on {name} at {connections} connections: no good "
                            f"answer in {args.duration:g} s ({result.sample or 'none at all'})"
                        )
                    counted = run.counted.get((scenario.name, name))
                    run.measured.append(
                        Measured(
                            scenario=scenario.name,
                            server=name,
                            connections=connections,
                            load=result,
                            cpu_ms=_per_answer(sampler.cpu, result),
                            db_cpu_ms=_per_answer(sampler.db_cpu, result),
                            peak_rss_mb=sampler.peak_rss / 2**20,
                            peak_process_rss_mb=sampler.peak_process_rss / 2**20,
                            statements=counted.per_request if counted else None,
                        )
                    )
                    print(report.line(run.measured[-1]), flush=True)


def _per_answer(seconds: float | None, result: load.Load) -> float | None:
    """CPU milliseconds per answer (none without answers: the time went to requests still
    in flight)."""
    if seconds is None or not result.requests:
        return None
    return seconds * 1000 / result.requests


def _lines(dataset: city.Dataset) -> int:
    """Requests per file: each person in a server's third once."""
    return max(1, len(dataset.people) // len(SERVERS))


def environment(url: str) -> dict[str, str]:
    async def server_version() -> str:
        connection = await asyncpg.connect(asyncpg_dsn(url))
        try:
            found: str = await connection.fetchval("SHOW server_version")
            return found
        finally:
            await connection.close()

    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    node = subprocess.run(
        [str(servers.node_bin() / "node"), "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    peer_package = servers.PEER / "node_modules" / "postgraphile" / "package.json"
    peer = json.loads(peer_package.read_text())["version"] if peer_package.exists() else "-"
    return {
        "machine": f"{os.cpu_count()} CPUs ({cpu}), "
        f"{os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB",
        "PostgreSQL": asyncio.run(server_version())
        + (" (DATABASE_URL)" if os.environ.get("DATABASE_URL") else " (embedded, the bench's own)"),
        "Python": platform.python_version(),
        "Levelground stack": ", ".join(
            f"{p} {version(p)}"
            for p in ("uvicorn", "starlette", "strawberry-graphql", "SQLAlchemy", "asyncpg")
        ),
        "Node": node,
        "PostGraphile": peer,
    }
