"""`levelground serve` on its own embedded PostgreSQL stops it on the way out, however it
is told to stop, and a process that was killed outright does not keep it running."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from server.db import _forget_dead_users
from tests.mail_support import free_port


def _postgres_for(pgdata: Path) -> list[str]:
    found = subprocess.run(["pgrep", "-f", f"postgres -D {pgdata}"], capture_output=True, text=True)
    return found.stdout.split()


def _serve(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "XDG_RUNTIME_DIR")}
    env.update(LEVELGROUND_DATA_DIR=str(data_dir), LEVELGROUND_RUN_WORKER="false")
    return subprocess.Popen(
        [sys.executable, "-m", "server.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_healthy(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        assert process.poll() is None, "serve exited before answering"
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError("serve did not answer /healthz")


@pytest.mark.slow
@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_serve_stops_its_embedded_postgres_when_stopped(tmp_path: Path, stop: int) -> None:
    port = free_port()
    process = _serve(tmp_path, port)
    try:
        _wait_healthy(port, process)
        assert _postgres_for(tmp_path / "pgdata")
        process.send_signal(stop)
        process.wait(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
    deadline = time.monotonic() + 20
    while _postgres_for(tmp_path / "pgdata") and time.monotonic() < deadline:
        time.sleep(0.5)
    assert _postgres_for(tmp_path / "pgdata") == []


def test_processes_killed_outright_leave_the_data_folders_list(tmp_path: Path) -> None:
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    listed = tmp_path / ".handle_pids.json"
    listed.write_text(json.dumps([dead.pid, os.getpid()]))
    _forget_dead_users(tmp_path)
    assert json.loads(listed.read_text()) == [os.getpid()]
