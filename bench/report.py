"""The comparison as a Markdown table (printed, and written to bench/results/<date>.md)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from bench import dataset as city
from bench import servers
from bench.scenarios import SCENARIOS

if TYPE_CHECKING:
    from bench.compare import Measured, Run

NAMES = {"levelground": "Levelground", "limit": "limit", "postgraphile": "PostGraphile"}
HEADER = (
    "| scenario | server | conns | req/s | p50 ms | p95 ms | p99 ms | errors | SQL/req "
    "| app CPU ms/req | PG CPU ms/req | peak RSS MiB | per process MiB |"
)
COLUMNS = 13


def _cells(values: Iterable[object]) -> str:
    return "| " + " | ".join(str(v) for v in values) + " |"


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def line(m: Measured) -> str:
    return _cells(
        (
            m.scenario,
            NAMES[m.server],
            m.connections,
            _number(m.load.rate),
            _number(m.load.p50_ms),
            _number(m.load.p95_ms),
            _number(m.load.p99_ms),
            m.load.errors,
            _number(m.statements),
            _number(m.cpu_ms, 2),
            _number(m.db_cpu_ms, 2),
            _number(m.peak_rss_mb, 0),
            _number(m.peak_process_rss_mb, 0),
        )
    )


def _ratio(a: float, b: float) -> str:
    """a / b; "-" when either is zero (no answers, so no rate or latency to compare)."""
    return f"{a / b:.2f}" if a and b else "-"


def ratios(run: Run) -> list[str]:
    by_key = {(m.scenario, m.connections, m.server): m for m in run.measured}
    rows = [
        "| scenario | conns | req/s Levelground/limit | req/s Levelground/PostGraphile "
        "| p95 Levelground/limit | p95 Levelground/PostGraphile |",
        "|---|---|---|---|---|---|",
    ]
    for scenario, connections in dict.fromkeys((m.scenario, m.connections) for m in run.measured):
        ours = by_key.get((scenario, connections, "levelground"))
        limit = by_key.get((scenario, connections, "limit"))
        peer = by_key.get((scenario, connections, "postgraphile"))
        if ours is None:
            continue
        rows.append(
            _cells(
                (
                    scenario,
                    connections,
                    _ratio(ours.load.rate, limit.load.rate) if limit else "-",
                    _ratio(ours.load.rate, peer.load.rate) if peer else "-",
                    _ratio(ours.load.p95_ms, limit.load.p95_ms) if limit else "-",
                    _ratio(ours.load.p95_ms, peer.load.p95_ms) if peer else "-",
                )
            )
        )
    return rows


def table(run: Run) -> str:
    lines = [HEADER, "|" + "---|" * COLUMNS, *(line(m) for m in run.measured), "", *ratios(run)]
    return "\n".join(lines)


def _statements(run: Run) -> list[str]:
    """What each server runs for each scenario, statement by statement."""
    out = []
    for (scenario, server), counted in run.counted.items():
        out += [
            "",
            f"**{scenario} on {NAMES[server]}**: {counted.per_request:.1f} statements per "
            f"request (over {counted.requests} requests)",
            "",
            "| per request | statement |",
            "|---|---|",
        ]
        for text, times in counted.statements.most_common():
            shown = text if len(text) <= 140 else text[:137] + "..."
            out.append(_cells((f"{times / counted.requests:.2f}", f"`{shown.replace('|', '/')}`")))
    return out


def markdown(run: Run) -> str:
    first, last = run.loads[0], run.loads[-1]
    options = run.options
    workers = options.get("workers", 1)
    pool = servers.pool_per_worker(workers)
    lines = [
        f"# Benchmark {run.started:%Y-%m-%d %H:%M} UTC",
        "",
        "`python -m bench` (`make bench`): Levelground, the limit (Starlette + asyncpg, the "
        "services' SQL, no GraphQL) and PostGraphile over the same database and data, on "
        "loopback, one after another per scenario.",
        "",
        f"- Dataset: {city.digest(run.dataset)}",
        f"- Load: wrk, {options['threads']} thread(s), {options['duration']:g} s measured after "
        f"{options['warmup']:g} s warm-up per server and scenario, connections "
        f"{', '.join(str(c) for c in options['connections'])}",
        f"- Machine load average (1/5/15 min) before: {first[0]:.2f} {first[1]:.2f} {first[2]:.2f}"
        f", after: {last[0]:.2f} {last[1]:.2f} {last[2]:.2f} (the machine may be shared)",
        *(f"- {key}: {value}" for key, value in run.environment.items()),
        f"- Levelground: `levelground serve --workers {workers}`, `LEVELGROUND_ENV=production`, "
        f"a pool of {pool} + {pool} overflow per worker; the limit: one uvicorn process, "
        "asyncpg pool of 20; PostGraphile: the amber preset, a pg pool of 20.",
        "- The per-address write limit is raised for all three (every request comes from "
        "127.0.0.1); per-person limits stay at 60 writes a minute.",
        "",
        "req/s counts good answers (HTTP 200 without errors); errors are bad answers, socket "
        "errors and timeouts. SQL/req is counted by a wire-protocol proxy in a separate pass "
        f"({options['count']} requests one at a time, after 3 to warm up): every Query and "
        "Execute message, BEGIN/COMMIT and pool pings included. CPU is user + system time of "
        "the server's processes and of PostgreSQL's (the whole server, meaningful on the "
        "embedded one) per answer. Peak RSS is sampled every 100 ms over the server's process "
        "tree during the measured run: the whole tree, and its largest single process.",
        "",
        table(run),
    ]
    if run.problems:
        lines += ["", "## Problems", "", *(f"- {p}" for p in run.problems)]
    lines += ["", "## SQL statements per request", *_statements(run), ""]
    return "\n".join(lines)


def write(run: Run, folder: Path) -> Path:
    """<date>.md for a run of every scenario; <date>-<scenarios>.md for a partial run."""
    folder.mkdir(parents=True, exist_ok=True)
    scenarios = run.options["scenarios"]
    partial = "" if set(scenarios) == set(SCENARIOS) else "-" + "-".join(scenarios)
    path = folder / f"{run.started:%Y-%m-%d}{partial}.md"
    path.write_text(markdown(run))
    return path
