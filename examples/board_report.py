"""A board member's report on an area's action plan, from one GraphQL query.

    python examples/board_report.py coventry --url http://127.0.0.1:8000/graphql \\
        --token "$LEVELGROUND_TOKEN"

It prints what a board paper needs: how many priorities became actions and how many
are done, the RAG picture, what is blocked, stale, overdue or without a lead, the asks
for help, each neighbourhood's figures, and the latest activity. A real GraphQL client
(`gql` over HTTPX); the token needs only the `read` scope.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import sys
from pathlib import Path
from typing import Any

from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError, TransportServerError
from gql.transport.httpx import HTTPXTransport

# Registered on the server once (`levelground queries register examples/board_paper.graphql`)
# and sent by its hash, so a board token with the persisted-only scope can run it.
BOARD_PAPER = (Path(__file__).resolve().parent / "board_paper.graphql").read_text(encoding="utf-8")
DOCUMENT_ID = "sha256:" + hashlib.sha256(BOARD_PAPER.encode()).hexdigest()

Json = dict[str, Any]


class PersistedRequest(GraphQLRequest):
    """The board paper sent as its documentId instead of its text."""

    @property
    def payload(self) -> dict[str, Any]:
        return {"documentId": DOCUMENT_ID, "variables": self.variable_values or {}}


class NotRegistered(Exception):
    """The server does not know the board paper's documentId."""


def fetch(
    url: str, token: str, area: str, theme: str | None = None, *, send_text: bool = False
) -> Json:
    """Run the board query; the area's data (raises LookupError for an unknown area)."""
    transport = HTTPXTransport(url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60)
    variables = {"area": area, "theme": theme}
    request = (
        GraphQLRequest(BOARD_PAPER, variable_values=variables)
        if send_text
        else PersistedRequest(BOARD_PAPER, variable_values=variables)
    )
    with Client(transport=transport, fetch_schema_from_transport=False) as session:
        try:
            result = session.execute(request)
        except TransportQueryError as error:
            codes = {(e.get("extensions") or {}).get("code") for e in error.errors or []}
            if "PERSISTED_QUERY_NOT_FOUND" in codes:
                raise NotRegistered from error
            raise
    if result["area"] is None:
        raise LookupError(f"No area called '{area}'.")
    found: Json = result["area"]
    return found


def _day(stamp: str | None) -> str:
    return stamp[:10] if stamp else "-"


def _counts(rows: list[Json], key: str) -> str:
    return ", ".join(f"{row[key]} {row['count']}" for row in rows if row["count"])


def render(area: Json) -> str:
    summary = area["actionPlanSummary"]
    done = summary["percentDone"]
    lines = [
        f"Board report: {area['name']} (as of {_day(summary['asOf'])})",
        "",
        f"Priorities adopted as actions: {summary['adopted']}; done: {summary['done']}"
        + (f" ({done:g}%)" if done is not None else ""),
        f"By status: {_counts(summary['byStatus'], 'status') or 'none'}",
        f"By RAG: {_counts(summary['byRag'], 'rag') or 'none'}",
    ]
    sections: list[tuple[str, list[str]]] = [
        (
            "Blocked",
            [
                f"{a['title']} ({a['area']['name']})"
                + "".join(f": {e['node']['body']}" for e in a["updateConnection"]["edges"])
                for a in summary["blocked"]
            ],
        ),
        (
            "Stale (no update for 30 days)",
            [
                f"{a['title']} ({a['area']['name']}), last heard "
                f"{_day(a['lastUpdateAt'] or a['createdAt'])}"
                for a in summary["stale"]
            ],
        ),
        (
            "Overdue",
            [
                f"{a['title']} ({a['area']['name']}), due {_day(a['targetDate'])}"
                for a in summary["overdue"]
            ],
        ),
        (
            "Needs a lead",
            [f"{a['title']} ({a['area']['name']})" for a in summary["needsLead"]],
        ),
        (
            "Asks for help",
            [
                f"{a['title']}: {e['node']['body']} ({e['node']['author']['displayName']})"
                for a in summary["openAsks"]
                for e in a["updateConnection"]["edges"]
            ],
        ),
        (
            "You said, we did",
            [
                f"{p['proposal']['title']}: {p['action']['closingStatement']}"
                for p in area["priorities"]
                if p["action"] and p["action"]["closingStatement"]
            ],
        ),
        (
            "Neighbourhoods",
            [
                f"{c['name']}: {c['actionPlanSummary']['adopted']} actions, "
                f"{c['actionPlanSummary']['done']} done"
                for c in area["children"]
            ],
        ),
        (
            "Latest activity",
            [_activity(e["node"]) for e in area["activity"]["edges"]],
        ),
    ]
    for title, items in sections:
        lines += ["", f"{title}:"] + ([f"  - {item}" for item in items] or ["  (none)"])
    return "\n".join(lines)


def _activity(event: Json) -> str:
    when = _day(event["occurredAt"])
    where = event["area"]["name"]
    if event["kind"] == "UPDATE_POSTED":
        update = event["update"]
        return f"{when} {where}: {update['kind']} on {event['action']['title']}: {update['body']}"
    if event["kind"] == "PRIORITY_ADOPTED":
        return f"{when} {where}: adopted {event['action']['title']}"
    return f"{when} {where}: round closed: {event['round']['title']}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Print a board report for an area.")
    parser.add_argument("area", help="Area slug, e.g. coventry")
    parser.add_argument("--url", default="http://127.0.0.1:8000/graphql")
    parser.add_argument("--token", default=os.environ.get("LEVELGROUND_TOKEN"))
    parser.add_argument("--theme", default=None, help="Only proposals with this theme")
    parser.add_argument(
        "--send-text",
        action="store_true",
        help="Send the query's text rather than its registered documentId",
    )
    args = parser.parse_args(argv)
    if not args.token:
        parser.error("give --token or set LEVELGROUND_TOKEN")
    try:
        area = fetch(args.url, args.token, args.area, args.theme, send_text=args.send_text)
    except LookupError as error:
        print(error, file=sys.stderr)
        return 1
    except NotRegistered:
        print(
            "This server does not know the board paper yet. An admin registers it with\n"
            "  levelground queries register examples/board_paper.graphql\n"
            "(or run this with --send-text, if your token may send queries).",
            file=sys.stderr,
        )
        return 1
    except (TransportQueryError, TransportServerError) as error:
        print(f"The server refused the query: {error}", file=sys.stderr)
        return 1
    print(render(area))
    return 0


if __name__ == "__main__":
    sys.exit(main())
