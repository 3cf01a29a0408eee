"""5. Exports of priorities and the action plan: HTTP endpoints authorised like GraphQL,
CSV safe to open in a spreadsheet, JSON, and `levelground export` with a progress bar."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from server.actions import export
from tests.plan_support import Plan
from tests.support import Api

LEVELGROUND = [sys.executable, "-m", "server.cli"]


async def _plan_with_actions(api: Api) -> Plan:
    plan = await Plan.build(api, titles=('=HYPERLINK("http://x")', "Drop-in", "Garden"))
    first = await plan.adopt(0)
    await plan.adopt(1)
    await plan.post(first, "PROGRESS", "All done.", status="DONE", closingStatement="-1 problem")
    return plan


async def _get(api: Api, path: str, token: str | None) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await api.client.get(path, headers=headers)


async def test_actions_csv_lists_the_plan_with_its_health(api: Api) -> None:
    plan = await _plan_with_actions(api)
    response = await _get(api, "/areas/coventry/export/actions.csv", plan.world.board.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["x-total-count"] == "2"
    assert response.headers["content-disposition"].startswith(
        'attachment; filename="levelground-coventry-actions-'
    )
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0]) == list(export.ACTION_COLUMNS)
    assert [(r["area"], r["status"], r["rag"], r["percent_complete"]) for r in rows] == [
        ("willenhall", "DONE", "GREEN", "100"),
        ("willenhall", "NOT_STARTED", "GREEN", "0"),
    ]
    assert rows[1]["needs_lead"] == "true"
    assert rows[1]["themes"] == "services"


async def test_csv_cells_never_start_a_formula(api: Api) -> None:
    plan = await _plan_with_actions(api)
    response = await _get(api, "/areas/willenhall/export/actions.csv", plan.world.board.token)
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["title"] == '\'=HYPERLINK("http://x")'
    assert rows[0]["closing_statement"] == "'-1 problem"
    for value in ("=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"):
        assert str(export.csv_cell(value)).startswith("'"), value
    assert export.csv_cell(-1) == -1
    assert export.csv_cell("fine") == "fine"


async def test_priorities_json_shows_each_priority_and_what_became_of_it(api: Api) -> None:
    plan = await _plan_with_actions(api)
    response = await _get(api, "/areas/coventry/export/priorities.json", plan.world.board.token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    document = response.json()
    assert (document["area"], document["kind"], document["total"]) == ("coventry", "priorities", 3)
    rows = document["rows"]
    assert [(r["rank"], r["proposal"], r["action_status"]) for r in rows] == [
        (1, '=HYPERLINK("http://x")', "DONE"),
        (2, "Drop-in", "NOT_STARTED"),
        (3, "Garden", None),
    ]
    assert rows[0]["closing_statement"] == "-1 problem"
    assert rows[0]["round_closed_at"].endswith("Z")
    assert set(rows[0]) == set(export.PRIORITY_COLUMNS)


async def test_exports_filter_by_theme_and_area(api: Api) -> None:
    plan = await _plan_with_actions(api)
    token = plan.world.board.token
    themed = await _get(api, "/areas/coventry/export/actions.json?theme=services", token)
    assert [r["title"] for r in themed.json()["rows"]] == ["Drop-in"]
    city_only = await _get(api, "/areas/coventry/export/actions.json?includeChildren=false", token)
    assert city_only.json()["rows"] == []


async def test_exports_stream_in_batches_from_one_snapshot(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = await _plan_with_actions(api)
    await plan.adopt(2)
    monkeypatch.setattr(export, "BATCH", 2)
    response = await _get(api, "/areas/coventry/export/actions.json", plan.world.board.token)
    assert [r["title"] for r in response.json()["rows"]] == [
        '=HYPERLINK("http://x")',
        "Drop-in",
        "Garden",
    ]


async def test_exports_need_a_valid_token(api: Api) -> None:
    await _plan_with_actions(api)
    anonymous = await _get(api, "/areas/coventry/export/actions.csv", None)
    assert anonymous.status_code == 401
    assert anonymous.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    forged = await _get(api, "/areas/coventry/export/actions.csv", "lg_nope_nope")
    assert forged.status_code == 401


async def test_unknown_areas_and_exports_are_404(api: Api) -> None:
    plan = await _plan_with_actions(api)
    token = plan.world.board.token
    assert (await _get(api, "/areas/atlantis/export/actions.csv", token)).status_code == 404
    assert (await _get(api, "/areas/coventry/export/ballots.csv", token)).status_code == 404
    assert (await _get(api, "/areas/coventry/export/actions.xlsx", token)).status_code == 404


def _cli(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "COLUMNS": "100"}
    return subprocess.run(
        [*LEVELGROUND, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_the_cli_exports_to_a_file_with_a_progress_bar(
    api: Api, database_url: str, tmp_path: Path
) -> None:
    await _plan_with_actions(api)
    target = tmp_path / "plan.json"
    done = _cli(
        database_url,
        "export",
        "coventry",
        "--what",
        "actions",
        "--format",
        "json",
        "--output",
        str(target),
    )
    assert done.returncode == 0, done.stderr
    assert "2/2" in done.stderr
    assert "Exported 2 actions of coventry." in done.stderr
    assert done.stdout == ""
    document = json.loads(target.read_text())
    assert [r["status"] for r in document["rows"]] == ["DONE", "NOT_STARTED"]
    assert not (tmp_path / "plan.json.part").exists()


async def test_the_cli_exports_csv_to_standard_output(api: Api, database_url: str) -> None:
    await _plan_with_actions(api)
    done = _cli(database_url, "export", "coventry", "--what", "priorities")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    assert [r["rank"] for r in rows] == ["1", "2", "3"]
    missing = _cli(database_url, "export", "atlantis")
    assert missing.returncode == 2
    assert "not found" in missing.stderr.lower()
