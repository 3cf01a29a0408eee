"""``python -m bench [name] [options]``: run one benchmark; without a name, the three-way
comparison (``compare``) that ``make bench`` runs."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence

from bench import attacks, compare, profile, results, voting

BENCHMARKS: dict[str, Callable[[Sequence[str]], int]] = {
    "attacks": attacks.main,
    "compare": compare.main,
    "profile": profile.main,
    "results": results.main,
    "voting": voting.main,
}
DEFAULT = "compare"


def main(argv: list[str]) -> int:
    if argv and argv[0] in BENCHMARKS:
        return BENCHMARKS[argv[0]](argv[1:])
    if argv and not argv[0].startswith("-"):
        print(f"unknown benchmark {argv[0]!r}; choose from {', '.join(BENCHMARKS)}")
        return 2
    return BENCHMARKS[DEFAULT](argv)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
