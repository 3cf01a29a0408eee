"""Known vulnerabilities in the installed Python packages, with what can be reached here.

1. pip-audit with its default source, PyPI's JSON API per release
   (``/pypi/<name>/<version>/json``). Where that answers, it is the audit.
2. Where it does not (this CI reaches PyPI only through a mirror that serves the
   project pages, ``/pypi/<name>/json``, but not the per-release ones, and OSV is not
   reachable at all), each package is checked on its project page: its
   ``vulnerabilities`` are those of the latest release, so a package installed at its
   latest release is audited exactly; one installed at an older release is reported
   as not audited here, never as clean.

Writes artifacts/scoreboard/dependency_audit.json; exits 1 if any audited package has
a known vulnerability.
"""

from __future__ import annotations

import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from pathlib import Path
from urllib.error import URLError
from urllib.request import urlopen

from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "artifacts" / "scoreboard" / "dependency_audit.json"
OWN = {"levelground"}


def pip_audit() -> dict[str, object]:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip_audit",
            "--skip-editable",
            "-f",
            "json",
            "--progress-spinner",
            "off",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        found: dict[str, object] = json.loads(done.stdout)
    except ValueError:
        return {"dependencies": [], "error": done.stderr.strip()[-500:]}
    return found


def project_page(name: str) -> dict[str, object] | None:
    try:
        with urlopen(f"https://pypi.org/pypi/{name}/json", timeout=30) as answer:
            page: dict[str, object] = json.load(answer)
            return page
    except (URLError, TimeoutError, ValueError):
        return None


def installed() -> dict[str, str]:
    return {
        str(canonicalize_name(d.metadata["Name"])): d.version
        for d in metadata.distributions()
        if canonicalize_name(d.metadata["Name"]) not in OWN
    }


def main() -> int:
    packages = installed()
    audited = pip_audit()
    vulnerable: dict[str, list[str]] = {}
    checked: set[str] = set()
    for dependency in audited.get("dependencies", []):  # type: ignore[attr-defined]
        if "skip_reason" in dependency:
            continue
        name = str(canonicalize_name(dependency["name"]))
        checked.add(name)
        if dependency.get("vulns"):
            vulnerable[name] = [v["id"] for v in dependency["vulns"]]
    source = "pip-audit (PyPI per-release JSON)"
    not_audited: dict[str, str] = {}
    rest = sorted(set(packages) - checked)
    if rest:
        source = "PyPI project pages (pip-audit's per-release source is not reachable here)"
        with ThreadPoolExecutor(max_workers=8) as pool:
            pages = dict(zip(rest, pool.map(project_page, rest), strict=True))
        for name, page in pages.items():
            if page is None:
                not_audited[name] = "no answer from PyPI"
                continue
            latest = str(page["info"]["version"])  # type: ignore[index]
            if latest != packages[name]:
                not_audited[name] = f"installed {packages[name]}, latest {latest}"
                continue
            checked.add(name)
            ids = [
                str(v["id"])
                for v in page.get("vulnerabilities", [])  # type: ignore[attr-defined]
                if not v.get("withdrawn")
            ]
            if ids:
                vulnerable[name] = ids
    report = {
        "source": source,
        "packages": len(packages),
        "audited": len(checked),
        "vulnerable": vulnerable,
        "not_audited": not_audited,
    }
    REPORT.parent.mkdir(parents=True, exist_ok=True)
    REPORT.write_text(json.dumps(report, indent=2, sort_keys=True) + "\n")
    print(
        f"dependency audit ({source}): {len(checked)} of {len(packages)} packages audited, "
        f"{len(vulnerable)} with known vulnerabilities, {len(not_audited)} not audited here"
    )
    for name, ids in sorted(vulnerable.items()):
        print(f"  VULNERABLE {name} {packages.get(name, '?')}: {', '.join(ids)}")
    for name, why in sorted(not_audited.items()):
        print(f"  not audited: {name} ({why})")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
