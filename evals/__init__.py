"""Evaluation suites: `fieldpilot eval SUITE` runs `evals.<suite>.run` and writes
JSON, Markdown and (where a picture helps) PNG reports under the output folder.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

SUITES = {
    "main_job": "evals.main_job",
    "scenarios": "evals.scenarios",
    "routing": "evals.routing",
    "manuals": "evals.manuals",
    "inspection": "evals.inspection",
}


def run_suite(name: str, settings: Any, out: Path, **options: Any) -> dict[str, Any]:
    """Run suite `name` and return its summary; `options` are the suite's own
    (runs, only, baseline), ignored by suites that have none."""
    from agent.errors import ConfigError

    if name not in SUITES:
        raise ConfigError(f"Unknown eval suite {name!r}; suites: {', '.join(SUITES)}.")
    module = importlib.import_module(SUITES[name])
    out.mkdir(parents=True, exist_ok=True)
    return module.run(settings, out, **options)
