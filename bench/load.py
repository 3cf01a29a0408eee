"""Loopback load from a separate process: wrk, with a Lua script sending each request
from a file of (path, bearer token, body) lines, for a fixed duration and concurrency."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.scenarios import Request
from bench.servers import BENCH, wrk_binary

SCRIPT = BENCH / "wrk" / "rotate.lua"


@dataclass(frozen=True)
class Load:
    """One wrk run: how many answers, how fast, how good."""

    requests: int
    seconds: float
    good: int
    bad: int
    socket_errors: int
    timeouts: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_ms: float
    sample: str

    @property
    def rate(self) -> float:
        """Good answers per second."""
        return self.good / self.seconds if self.seconds else 0.0

    @property
    def errors(self) -> int:
        return self.bad + self.socket_errors + self.timeouts


def write_requests(path: Path, requests: Sequence[Request]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(request.line() + "\n" for request in requests))
    return path


def run(
    url: str,
    requests_file: Path,
    *,
    seconds: float,
    connections: int,
    threads: int,
    timeout: float = 30,
) -> Load:
    threads = max(1, min(threads, connections))
    argv = [
        wrk_binary(),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{max(1, round(seconds))}s",
        f"--timeout={round(timeout)}s",
        "-s",
        str(SCRIPT),
        url,
    ]
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_THREADS": str(threads)}
    finished = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    line = next(
        (x for x in finished.stdout.splitlines() if x.startswith("BENCH ")),
        None,
    )
    if finished.returncode != 0 or line is None:
        raise RuntimeError(
            f"wrk failed ({finished.returncode}):\n{finished.stdout}\n{finished.stderr}"
        )
    found = json.loads(line.removeprefix("BENCH "))
    return Load(
        requests=found["requests"],
        seconds=found["duration_us"] / 1e6,
        good=found["good"],
        bad=found["bad"],
        socket_errors=found["socket_errors"],
        timeouts=found["timeouts"],
        p50_ms=found["p50_us"] / 1000,
        p95_ms=found["p95_us"] / 1000,
        p99_ms=found["p99_us"] / 1000,
        max_ms=found["max_us"] / 1000,
        sample=found["sample"],
    )
