"""The levelground command line, run as a real process against a real database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from tests.support import Api

LEVELGROUND = [sys.executable, "-m", "server.cli"]


def run(database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url}
    return subprocess.run(
        [*LEVELGROUND, *args], capture_output=True, text=True, env=env, timeout=120, check=False
    )


async def test_area_add_and_token_issue_give_a_working_token(
    database_url: str, app: Starlette, client: httpx.AsyncClient
) -> None:
    assert run(database_url, "area", "add", "coventry", "Coventry").returncode == 0
    added = run(database_url, "area", "add", "willenhall", "Willenhall", "--parent", "coventry")
    assert added.returncode == 0, added.stderr
    issued = run(
        database_url,
        "token",
        "issue",
        "--email",
        "board@example.org",
        "--name",
        "Board Member",
        "--role",
        "board",
        "--area",
        "coventry",
        "--scope",
        "read",
    )
    assert issued.returncode == 0, issued.stderr
    lines = issued.stdout.splitlines()
    assert len(lines) == 1, issued.stdout
    assert lines[0].startswith("lg_")
    token = lines[0]
    response = await client.post(
        "/graphql",
        json={"query": "{ viewer { displayName roles { role area { slug } } } areas { slug } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.json()["data"] == {
        "viewer": {
            "displayName": "Board Member",
            "roles": [{"role": "BOARD", "area": {"slug": "coventry"}}],
        },
        "areas": [{"slug": "coventry"}, {"slug": "willenhall"}],
    }
    write = await client.post(
        "/graphql",
        json={
            "query": 'mutation { createCoreTeam(input: {areaSlug: "coventry", name: "X"}) { errors { code } } }'
        },
        headers={"Authorization": f"Bearer {token}"},
    )
    assert write.json()["data"]["createCoreTeam"]["errors"] == [{"code": "FORBIDDEN"}]

    revoked = run(database_url, "token", "revoke", token.split("_")[1])
    assert revoked.returncode == 0, revoked.stderr
    after = await client.post(
        "/graphql",
        json={"query": "{ viewer { id } }"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert after.status_code == 401


async def test_tokens_are_stored_only_as_hashes(database_url: str, api: Api) -> None:
    run(database_url, "area", "add", "coventry", "Coventry")
    token = run(database_url, "token", "issue", "--email", "a@example.org").stdout.strip()
    from sqlalchemy import select

    from server.auth.models import ApiToken

    stored = await api.run(lambda s: s.scalar(select(ApiToken.token_hash)))
    assert stored is not None
    assert token not in stored
    assert len(stored) == 64


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["token", "issue", "--email", "not-an-email"], "does not look like an email"),
        (
            ["token", "issue", "--email", "a@example.org", "--role", "admin"],
            "one --area for each --role",
        ),
        (["token", "issue", "--email", "a@example.org", "--role", "boss", "--area", "x"], "boss"),
        (
            ["token", "issue", "--email", "a@example.org", "--role", "admin", "--area", "nowhere"],
            "not found",
        ),
        (
            ["token", "issue", "--email", "a@example.org", "--expires-in-days", "0"],
            "expires-in-days",
        ),
        (["token", "revoke", "lg_nosuchtoken"], "not found"),
        (["area", "add", "Bad Slug", "Name"], "lower-case"),
        (["area", "add", "child", "Child", "--parent", "missing"], "not found"),
    ],
)
def test_bad_arguments_exit_2_with_a_message_and_no_traceback(
    database_url: str, args: list[str], message: str
) -> None:
    result = run(database_url, *args)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_seed_demo_is_idempotent(database_url: str) -> None:
    first = run(database_url, "seed-demo")
    assert first.returncode == 0, first.stderr
    assert "Demo data loaded." in first.stderr
    second = run(database_url, "seed-demo")
    assert "already present" in second.stderr


def test_migrate_reports_up_to_date(database_url: str) -> None:
    result = run(database_url, "migrate")
    assert result.returncode == 0
    assert "up to date" in result.stderr


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "levelground"
    assert script.exists()
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    for command in ("serve", "migrate", "seed-demo", "token", "area"):
        assert command in result.stdout


def test_serve_says_how_to_build_missing_page_assets(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from server import cli
    from web import routes

    monkeypatch.setattr(routes, "static_directory", lambda: tmp_path)
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: None)
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("LEVELGROUND_SEED_DEMO", "false")
    monkeypatch.setenv("LEVELGROUND_DEMO_TOKEN", "false")
    served = CliRunner().invoke(cli.app, ["serve"])
    assert served.exit_code == 0, served.output
    assert "pages will look unstyled. Run `make assets`" in served.output
