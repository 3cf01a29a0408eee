"""Copy the built front-end assets from node_modules into web/static/vendor (gitignored)."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODULES = ROOT / "node_modules"
VENDOR = ROOT / "web" / "static" / "vendor"

FILES = {
    "nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.css": "nhsuk/nhsuk-frontend.min.css",
    "nhsuk-frontend/dist/nhsuk/nhsuk-frontend.min.js": "nhsuk/nhsuk-frontend.min.js",
    "htmx.org/dist/htmx.min.js": "htmx/htmx.min.js",
}
FOLDERS = {"nhsuk-frontend/dist/nhsuk/assets": "nhsuk/assets"}


def main() -> int:
    missing = [source for source in [*FILES, *FOLDERS] if not (MODULES / source).exists()]
    if missing:
        print(f"missing in node_modules (run npm ci): {', '.join(missing)}", file=sys.stderr)
        return 1
    if VENDOR.exists():
        shutil.rmtree(VENDOR)
    for source, target in FILES.items():
        destination = VENDOR / target
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(MODULES / source, destination)
    for source, target in FOLDERS.items():
        shutil.copytree(MODULES / source, VENDOR / target)
    print(f"vendored front-end assets into {VENDOR.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
