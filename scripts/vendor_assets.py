"""Copy the built front-end assets from node_modules into web/static/vendor (gitignored).

Everything a page loads comes from this site: the design system's stylesheet is
rewritten so it fetches nothing from another host. Its Frutiger webfont lives only on
the NHS's own server (the npm package does not ship it, and its licence covers NHS
organisations), so its @font-face rules are dropped and the design system's own
fallback (Arial, then the system's sans-serif) is used.
"""

from __future__ import annotations

import re
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
STYLESHEET = "nhsuk/nhsuk-frontend.min.css"

FONT_FACE = re.compile(r"@font-face\s*\{[^}]*\}")
OFF_SITE = re.compile(r"url\(\s*['\"]?(?:[a-z]+:)?//", re.IGNORECASE)


def self_hosted(css: str) -> str:
    """The stylesheet with no @font-face from another host, and its images (written as
    /assets/...) found beside it under /static/vendor/nhsuk/assets."""
    css = FONT_FACE.sub(lambda rule: "" if OFF_SITE.search(rule.group()) else rule.group(), css)
    css = re.sub(r"url\(\s*(['\"]?)/assets/", r"url(\1assets/", css)
    if OFF_SITE.search(css):
        raise ValueError("the stylesheet still loads something from another site")
    return css


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
    stylesheet = VENDOR / STYLESHEET
    stylesheet.write_text(self_hosted(stylesheet.read_text(encoding="utf-8")), encoding="utf-8")
    print(f"vendored front-end assets into {VENDOR.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
