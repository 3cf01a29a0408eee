"""Builds a wheel that can run on its own: ``pip install`` then ``levelground serve``.

Everything else is in pyproject.toml. Two things live outside the Python packages in the
source tree and are put into the wheel here:

- the pages' front-end assets: the NHS.UK design system and htmx come from npm into the
  gitignored web/static/vendor (as ``make assets`` does); a wheel without them would
  serve unstyled pages, so building one vendors them first, or stops;
- the database migrations, which go in as server/migrations (server/db.py finds them).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
STAMP = ROOT / "web" / "static" / "vendor" / ".installed"
INPUTS = [ROOT / "package.json", ROOT / "package-lock.json", ROOT / "scripts" / "vendor_assets.py"]


def vendor_assets() -> None:
    if STAMP.exists() and all(STAMP.stat().st_mtime >= f.stat().st_mtime for f in INPUTS):
        return
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(
            "Building Levelground needs its front-end assets in web/static/vendor: install "
            "Node.js with npm (or run `make assets` where it is), then build again."
        )
    subprocess.run(  # noqa: S603 (our own fixed command)
        [npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=ROOT, check=True
    )
    subprocess.run(  # noqa: S603
        [sys.executable, str(ROOT / "scripts" / "vendor_assets.py")], cwd=ROOT, check=True
    )
    STAMP.touch()


class BuildWithAssets(build_py):
    def run(self) -> None:
        # An editable install runs from the source tree, where make puts the assets.
        if self.editable_mode:
            super().run()
            return
        vendor_assets()
        # The package files are listed lazily; list them again, vendor included.
        self.__dict__.pop("data_files", None)
        super().run()
        shutil.copytree(
            ROOT / "migrations",
            Path(self.build_lib) / "server" / "migrations",
            ignore=shutil.ignore_patterns("__pycache__"),
            dirs_exist_ok=True,
        )


setup(cmdclass={"build_py": BuildWithAssets})
