"""Shared report writing: JSON for machines, Markdown for people, PNG plots."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation; nan for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def write_json(path: Path, data: Any) -> None:
    """Write indented JSON."""
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")


def markdown_table(rows: list[dict[str, Any]], columns: list[str]) -> str:
    """A Markdown table of `rows` restricted to `columns`."""
    head = "| " + " | ".join(columns) + " |\n|" + "---|" * len(columns) + "\n"
    body = "".join(
        "| "
        + " | ".join(str(r.get(c, "")).replace("\n", " ") for c in columns)
        + " |\n"
        for r in rows
    )
    return head + body


def latency_plot(path: Path, rows: list[dict[str, Any]], title: str) -> None:
    """A bar chart of per-request latency coloured by pass/fail."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 4))
    colors = ["tab:green" if r["passed"] else "tab:red" for r in rows]
    ax.bar([r["id"] for r in rows], [r["seconds"] for r in rows], color=colors)
    ax.set_ylabel("seconds")
    ax.set_title(title)
    ax.tick_params(axis="x", rotation=60, labelsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
