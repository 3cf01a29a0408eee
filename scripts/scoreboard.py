"""Render docs/scoreboard.md from the figures the last test run left in
artifacts/scoreboard/*.json (tests/scoreboard.py writes them; .ci/run calls this)."""

from __future__ import annotations

import json
import platform
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
FIGURES = ROOT / "artifacts" / "scoreboard"
PAGE = ROOT / "docs" / "scoreboard.md"


def _load(name: str) -> dict[str, Any] | None:
    path = FIGURES / f"{name}.json"
    if not path.exists():
        return None
    found: dict[str, Any] = json.loads(path.read_text())
    return found


def _missing(what: str) -> list[str]:
    return [f"*Not measured in this run ({what} did not run).*", ""]


def render() -> str:
    lines = [
        "# Hardening scoreboard",
        "",
        "Figures from the last run of the test suite (`.ci/run` renders this page with "
        "`scripts/scoreboard.py` from what the tests wrote to `artifacts/scoreboard/`).",
        f"Rendered {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node() or 'CI'}.",
        "",
        "## Attacks tried and answered",
        "",
    ]
    attacks = _load("attacks")
    if attacks:
        lines += [
            f"{attacks['tried']} crafted requests, {attacks['refused_without_a_500']} refused "
            "with a clear error and no 500 (`tests/test_attacks.py`). Times are medians of "
            "3 tries through the whole ASGI stack, token check included; CPU is the app's own "
            f"time. Load average while measuring: {attacks['load_average']}.",
            "",
            "| attack | status | median ms | max ms | median CPU ms |",
            "|---|---|---|---|---|",
        ]
        lines += [
            f"| {a['attack']} | {a['status']} | {a['median_ms']} | {a['max_ms']} | "
            f"{a['median_cpu_ms']} |"
            for a in attacks["attacks"]
        ]
        over = attacks["over_50_ms"]
        lines += [
            "",
            f"Over 50 ms (wall clock): {', '.join(over) if over else 'none'}.",
            "",
        ]
    else:
        lines += _missing("tests/test_attacks.py")
    cost = _load("cost_limit")
    if cost:
        lines += [
            f"The board paper (`examples/board_paper.graphql`) costs {cost['board_paper_cost']} "
            f"of the limit of {cost['limit']}.",
            "",
        ]
    lines += ["## GraphQL over HTTP audit", ""]
    audit = _load("graphql_http_audit")
    if audit:
        lines += [
            f"npm `graphql-http` `auditServer` against the started app "
            f"(`tests/test_graphql_over_http.py`): **{audit['ok']} ok, {audit['warn']} "
            f"warnings, {audit['error']} errors** of {audit['total']}.",
            "",
        ]
        lines += [f"- {p['status']}: {p['name']} ({p['reason']})" for p in audit["problems"]]
    else:
        lines += _missing("the audit")
    lines += ["## Fuzzing", ""]
    fuzz = _load("fuzz")
    if fuzz:
        statuses = ", ".join(f"{k}: {v}" for k, v in fuzz["statuses"].items())
        lines += [
            f"{fuzz['cases']} documents generated from the schema by hypothesis-graphql "
            f"({fuzz['valid_documents']} valid, {fuzz['invalid_documents']} invalid; "
            f"`tests/test_fuzz.py`): **{fuzz['server_errors']} server errors, "
            f"{fuzz['malformed_responses']} malformed responses**. Statuses: {statuses}.",
            "",
        ]
    else:
        lines += _missing("tests/test_fuzz.py")
    lines += ["## Faults injected and survived", "", "| fault | figures |", "|---|---|"]
    faults = [
        ("fault_terminated_connections", "connections terminated during 50 casts"),
        ("fault_postgres_restart", "PostgreSQL stopped and started under load"),
        ("fault_startup_unreachable", "start-up with an unreachable database"),
        ("fault_startup_failed_migration", "start-up with a failing migration"),
    ]
    for name, label in faults:
        found = _load(name)
        figures = ", ".join(f"{k}: {v}" for k, v in sorted(found.items())) if found else "not run"
        lines.append(f"| {label} | {figures} |")
    terminated = _load("fault_terminated_connections")
    lines += [
        "",
        f"**Ballots lost: {terminated['ballots_lost'] if terminated else '?'}; doubled: "
        f"{terminated['ballots_doubled'] if terminated else '?'}.**",
        "",
        "## Dependency audit",
        "",
    ]
    deps = _load("dependency_audit")
    if deps:
        lines += [
            f"Source: {deps['source']}. {deps['audited']} of {deps['packages']} installed "
            f"packages audited; {len(deps['vulnerable'])} with known vulnerabilities"
            + (f" ({', '.join(deps['vulnerable'])})" if deps["vulnerable"] else "")
            + "; not audited here: "
            + (", ".join(f"{k} ({v})" for k, v in sorted(deps["not_audited"].items())) or "none")
            + ".",
            "",
        ]
    else:
        lines += _missing("scripts/audit_dependencies.py")
    return "\n".join(lines)


def main() -> int:
    PAGE.parent.mkdir(parents=True, exist_ok=True)
    PAGE.write_text(render())
    print(f"wrote {PAGE.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
