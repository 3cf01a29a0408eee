"""The theme summary as a download (CSV or JSON): counts and consented examples only."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence

from server.actions.export import csv_cell
from server.answers.service import ThemeCount

COLUMNS = ("theme", "answers", "examples")


def as_csv(rows: Sequence[ThemeCount]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([csv_cell(row.theme.name), row.answers, csv_cell(row.examples)])
    return out.getvalue()


def as_json(scope: dict[str, str], rows: Sequence[ThemeCount]) -> str:
    return json.dumps(
        {
            **scope,
            "themes": [
                {"theme": r.theme.name, "answers": r.answers, "examples": r.examples} for r in rows
            ],
        },
        ensure_ascii=False,
        indent=2,
    )
