"""Fail unless a JUnit report shows a real run: tests executed, none failed."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree

MINIMUM_EXECUTED = 100


def main(path: str) -> int:
    root = ElementTree.parse(path).getroot()  # noqa: S314 (our own test report)
    suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
    total = sum(int(s.get("tests", 0)) for s in suites)
    failed = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
    skipped = sum(int(s.get("skipped", 0)) for s in suites)
    executed = total - skipped
    print(f"{path}: {executed} executed, {skipped} skipped, {failed} failed")
    if failed or executed < MINIMUM_EXECUTED:
        print(f"expected at least {MINIMUM_EXECUTED} executed tests and no failures")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
