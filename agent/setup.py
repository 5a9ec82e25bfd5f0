"""First-run set-up: assemble and verify the local model, index the site's manuals.

Both steps are idempotent; `ensure_ready` runs whatever is missing, so the demo
and the tests need no configuration on a fresh machine.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from agent import modelstore
from agent.config import Settings

log = logging.getLogger(__name__)

Progress = Callable[[str, int, int], None]


def default_manuals_dir(settings: Settings) -> Path:
    """The manuals of the configured site (the demo's by default)."""
    if settings.manuals_dir:
        return settings.manuals_dir
    from simulator.model import DEMO_SITE_DIR

    return (settings.site_dir or DEMO_SITE_DIR) / "manuals"


def manual_index(settings: Settings) -> Any:
    """The site's manual index: embedded, or on the Chroma server configured."""
    from knowledge.index import ManualIndex

    return ManualIndex(settings.manuals_index_dir, chroma_url=settings.chroma_url)


def ensure_model(settings: Settings, progress: Progress | None = None) -> Path:
    """The local model file, assembled and verified if it is not there yet."""
    if settings.local_model_path:
        return settings.local_model_path
    return modelstore.install_model(settings.models_dir, settings.local_model, progress)


def ingest_manuals(
    settings: Settings, root: Path | None = None, progress: Progress | None = None
) -> dict:
    """Index (incrementally) the manuals under `root` into the site's index."""
    root = root or default_manuals_dir(settings)
    index = manual_index(settings)

    def relay(done: int, total: int, name: str) -> None:
        if progress:
            progress(f"indexing {name}", done, total)

    report = index.ingest(root, progress=relay)
    return report.model_dump() if hasattr(report, "model_dump") else vars(report)


def ensure_ready(settings: Settings, progress: Progress | None = None) -> None:
    """Run every set-up step that has not run yet."""
    from agent.models import check_llama_build

    check_llama_build()
    settings.home.mkdir(parents=True, exist_ok=True)
    ensure_model(settings, progress)
    if not settings.manuals_index_dir.exists():
        ingest_manuals(settings, progress=progress)
