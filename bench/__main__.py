"""``python -m bench [name] [options]``: run one benchmark (default: all of them)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from bench import voting

BENCHMARKS: dict[str, Callable[[list[str] | None], int]] = {"voting": voting.main}


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]](argv[1:])
    if argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; choose from {', '.join(BENCHMARKS)}")
        return 2
    return max(run(argv) for run in BENCHMARKS.values())


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
