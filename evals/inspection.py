"""Inspection: does the classical back-end (no SAM checkpoint) segment drawn
defects from a box, measure their width, and read nameplates well enough?

- Segmentation: mean IoU against the true mask, for a box (target ≥ 0.8) and
  for a single point, over seeded pictures of cracks, scratches and rust spots
  on procedural plates and on photos (`evals/inspection_data.py`).
- Width: |measured max width − true width| in mm at 10 px/mm for cracks and
  scratches segmented from their box (target ≤ 0.3 mm).
- Latency: seconds per picture to segment from a box and measure.
- Nameplates: share of rendered plates whose device the OCR and matching find
  (target ≥ 0.9), against the demo site's devices.
"""

from __future__ import annotations

import logging
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

from evals.report import markdown_table, percentile, write_json

log = logging.getLogger(__name__)

TARGETS = {"box_iou": 0.8, "width_error_mm": 0.3, "nameplate_accuracy": 0.9}


def iou(a: np.ndarray, b: np.ndarray) -> float:
    """Intersection over union of two H×W bool masks."""
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0


def defect_rows(count: int) -> list[dict[str, Any]]:
    """Every defect picture through box and point prompts, with its measurement."""
    from evals.inspection_data import PX_PER_MM, defect_cases
    from tools.vision.measure import measure
    from tools.vision.segmentation import Prompt, segment

    rows = []
    for case in defect_cases(count):
        started = time.perf_counter()
        mask = segment(case.image, Prompt(box=case.box)).segments[0].mask
        found = measure(mask, PX_PER_MM)
        seconds = time.perf_counter() - started
        by_point = segment(case.image, Prompt(points=[case.point])).segments[0].mask
        width = found.max_width_mm()
        rows.append(
            {
                "id": case.id,
                "kind": case.kind,
                "background": case.background,
                "box_iou": round(iou(mask, case.mask), 3),
                "point_iou": round(iou(by_point, case.mask), 3),
                "true_width_mm": case.width_mm,
                "width_mm": round(width, 2) if case.width_mm else None,
                "width_error_mm": round(abs(width - case.width_mm), 2)
                if case.width_mm
                else None,
                "seconds": round(seconds, 3),
            }
        )
    return rows


def plate_rows() -> list[dict[str, Any]]:
    """Every rendered nameplate through OCR and matching."""
    from evals.inspection_data import plate_cases
    from simulator.model import DEMO_SITE_DIR, load_site
    from tools.vision.nameplate import read_nameplate

    devices = [d.model_dump() for d in load_site(DEMO_SITE_DIR).devices]
    rows = []
    for case in plate_cases():
        started = time.perf_counter()
        found = read_nameplate(case.image, devices)
        rows.append(
            {
                "id": case.id,
                "device": case.device,
                "found": found.get("device"),
                "correct": found.get("device") == case.device,
                "matched_on": found.get("matched_on", found.get("note")),
                "seconds": round(time.perf_counter() - started, 2),
            }
        )
    return rows


def figures(rows: list[dict[str, Any]], plates: list[dict[str, Any]]) -> dict:
    """The suite's headline numbers."""
    widths = [r["width_error_mm"] for r in rows if r["width_error_mm"] is not None]
    cracks = [r["width_error_mm"] for r in rows if r["kind"] == "crack"]
    seconds = [r["seconds"] for r in rows]
    by_background: dict[str, list[float]] = {}
    for r in rows:
        by_background.setdefault(r["background"].split(":")[0], []).append(r["box_iou"])
    return {
        "images": len(rows),
        "box_iou_mean": round(statistics.mean(r["box_iou"] for r in rows), 3),
        "box_iou_by_background": {
            k: round(statistics.mean(v), 3) for k, v in by_background.items()
        },
        "point_iou_mean": round(statistics.mean(r["point_iou"] for r in rows), 3),
        "width_error_mm_mean": round(statistics.mean(widths), 3),
        "width_error_mm_median": round(statistics.median(widths), 3),
        "crack_width_error_mm_mean": round(statistics.mean(cracks), 3),
        "latency_s_mean": round(statistics.mean(seconds), 3),
        "latency_s_p95": round(percentile(seconds, 95), 3),
        "nameplates": len(plates),
        "nameplate_accuracy": round(
            sum(p["correct"] for p in plates) / max(len(plates), 1), 3
        ),
    }


def plot(path: Path, rows: list[dict[str, Any]]) -> None:
    """Box IoU per picture and width error per crack or scratch."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (top, bottom) = plt.subplots(2, 1, figsize=(11, 6))
    top.bar([r["id"] for r in rows], [r["box_iou"] for r in rows])
    top.axhline(TARGETS["box_iou"], color="tab:red", linestyle="--")
    top.set_ylabel("box IoU")
    top.tick_params(axis="x", rotation=70, labelsize=6)
    thin = [r for r in rows if r["width_error_mm"] is not None]
    bottom.bar([r["id"] for r in thin], [r["width_error_mm"] for r in thin])
    bottom.axhline(TARGETS["width_error_mm"], color="tab:red", linestyle="--")
    bottom.set_ylabel("width error (mm)")
    bottom.tick_params(axis="x", rotation=70, labelsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run(settings: Any, out: Path, images: int = 36, **_: Any) -> dict[str, Any]:
    """Segmentation, width, latency and nameplates; write inspection.json,
    inspection.md and inspection.png under `out`."""
    out.mkdir(parents=True, exist_ok=True)
    rows = defect_rows(images)
    plates = plate_rows()
    summary = {"suite": "inspection", "targets": TARGETS, **figures(rows, plates)}
    write_json(out / "inspection.json", {**summary, "rows": rows, "plates": plates})
    plot(out / "inspection.png", rows)
    columns = ["id", "kind", "background", "box_iou", "point_iou",
               "true_width_mm", "width_mm", "width_error_mm", "seconds"]  # fmt: skip
    text = (
        "# Inspection (classical back-end, no SAM checkpoint)\n\n"
        + "\n".join(f"- {k}: {v}" for k, v in summary.items() if k != "suite")
        + "\n\n## Defects\n\n"
        + markdown_table(rows, columns)
        + "\n## Nameplates\n\n"
        + markdown_table(plates, ["id", "device", "found", "correct", "matched_on"])
    )
    (out / "inspection.md").write_text(text)
    return summary
