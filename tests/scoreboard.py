"""Figures for docs/scoreboard.md: tests record what they tried and what happened in
artifacts/scoreboard/<name>.json; scripts/scoreboard.py renders the page after a run."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

FOLDER = Path(__file__).resolve().parent.parent / "artifacts" / "scoreboard"


def record(name: str, figures: dict[str, Any]) -> None:
    FOLDER.mkdir(parents=True, exist_ok=True)
    (FOLDER / f"{name}.json").write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
