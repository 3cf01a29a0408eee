"""A package install serves styled pages: the wheel carries the built front-end assets
(the NHS.UK design system and htmx), so ``pip install`` then ``levelground serve`` is
enough. Builds the wheel from a copy of the source, installs it with its dependencies
into a fresh virtual environment, and fetches the stylesheet from the running server.
Needs npm and the package registries, as ``make`` does."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
# A fresh checkout: no npm packages and no vendored assets (the build must make them).
NOT_SOURCE = shutil.ignore_patterns(
    ".git",
    ".venv",
    "node_modules",
    "vendor",
    "build",
    "dist",
    "*.egg-info",
    "artifacts",
    ".*_cache",
    "__pycache__",
    ".levelground",
    ".hypothesis",
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _run(*command: str | Path, cwd: Path) -> None:
    done = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow
def test_an_installed_wheel_serves_the_design_system(database_url: str, tmp_path: Path) -> None:
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    _run(
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "-w",
        tmp_path / "dist",
        source,
        cwd=tmp_path,
    )
    (wheel,) = (tmp_path / "dist").glob("levelground-*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", wheel, cwd=tmp_path)

    port = _free_port()
    environment = {
        key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "VIRTUAL_ENV")
    }
    environment.update(
        DATABASE_URL=database_url,
        LEVELGROUND_SEED_DEMO="false",
        LEVELGROUND_DEMO_TOKEN="false",
        LEVELGROUND_DATA_DIR=str(tmp_path / "data"),
    )
    log = tmp_path / "serve.log"
    with log.open("w") as output:
        server = subprocess.Popen(
            [str(venv / "bin" / "levelground"), "serve", "--port", str(port)],
            cwd=tmp_path,
            env=environment,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        base = f"http://127.0.0.1:{port}"
        stylesheet = "/static/vendor/nhsuk/nhsuk-frontend.min.css"
        deadline = time.monotonic() + 120
        while True:
            assert server.poll() is None, log.read_text()
            try:
                answer = httpx.get(base + stylesheet, timeout=5)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.5)
        assert answer.status_code == 200
        assert answer.headers["content-type"].startswith("text/css")
        assert ".nhsuk-header" in answer.text
        assert httpx.get(base + "/static/vendor/htmx/htmx.min.js", timeout=5).status_code == 200
        assert f'href="{stylesheet}"' in httpx.get(base + "/", timeout=5).text
    finally:
        server.terminate()
        server.wait(timeout=30)
