"""`inspect_image`: the inspection tool, from a picture to findings and an overlay.

It segments (SAM or OpenCV), measures each mask, answers "wider than N mm?",
reads a nameplate when asked, describes the picture, and writes an overlay PNG
for a person to check. Every failure comes back as a ToolResult error.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import Field, field_validator

from tools.base import ToolArgs, ToolResult
from tools.errors import ToolError
from tools.vision.settings import VisionSettings

log = logging.getLogger(__name__)

MAX_FINDINGS = 10


class InspectImageArgs(ToolArgs):
    """What to inspect: an image file and optional prompts (pixels) and scale."""

    image: str = Field(description="Path of a PNG or JPEG picture.")
    points: list[list[float]] = Field(
        default_factory=list, description="XY pixels on the object, e.g. [[120, 80]]."
    )
    point_labels: list[int] = Field(
        default_factory=list, description="1 object, 0 background, per point."
    )
    box: list[float] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="XYXY pixels around the object, e.g. [10, 20, 300, 200].",
    )
    px_per_mm: float | None = Field(default=None, gt=0)
    reference: list[float] | None = Field(
        default=None,
        min_length=4,
        max_length=4,
        description="Two XY pixel points a known distance apart: [x0, y0, x1, y1].",
    )
    reference_mm: float | None = Field(default=None, gt=0)
    width_threshold_mm: float | None = Field(
        default=None, gt=0, description="Answer: is any finding wider than this?"
    )
    question: str | None = None
    nameplate: bool = False
    overlay: str | None = Field(default=None, description="Where to write the PNG.")

    @field_validator("points", "box", "reference", mode="before")
    @classmethod
    def _tuples_as_lists(cls, value: Any) -> Any:
        # Strict mode refuses tuples for lists; Python callers pass tuples,
        # JSON from a model passes lists, and both mean the same numbers.
        if isinstance(value, tuple):
            value = list(value)
        if isinstance(value, list):
            return [list(v) if isinstance(v, tuple) else v for v in value]
        return value

    @field_validator("points")
    @classmethod
    def _points_are_pairs(cls, points: list[list[float]]) -> list[list[float]]:
        for point in points:
            if len(point) != 2:
                raise ValueError(
                    f"each point is [x, y] in pixels; got {point} "
                    f"({len(point)} numbers)"
                )
        return points


def _scale(args: InspectImageArgs, settings: VisionSettings) -> float | None:
    from tools.vision.measure import scale_from_reference

    if args.reference is not None:
        if args.reference_mm is None:
            raise ToolError("A reference needs its length: give reference_mm too.")
        x0, y0, x1, y1 = args.reference
        return scale_from_reference((x0, y0), (x1, y1), args.reference_mm)
    return args.px_per_mm or settings.px_per_mm


def width_answer(findings: list[dict[str, Any]], threshold_mm: float) -> dict:
    """Whether any finding is wider than `threshold_mm`, with the widest."""
    widths = [f["measurement"].get("max_width_mm") for f in findings]
    known = [w for w in widths if w is not None]
    if not known:
        return {
            "threshold_mm": threshold_mm,
            "wider": None,
            "reason": "No scale is known: give px_per_mm or a reference length.",
        }
    return {
        "threshold_mm": threshold_mm,
        "wider": max(known) > threshold_mm,
        "widest_mm": max(known),
    }


def inspect_array(
    image: np.ndarray, args: InspectImageArgs, settings: VisionSettings
) -> dict[str, Any]:
    """The findings for an HWC uint8 RGB image (raises ToolError subclasses)."""
    from tools.vision.describe import describe
    from tools.vision.measure import measure
    from tools.vision.segmentation import Prompt, segment

    started = time.perf_counter()
    px_per_mm = _scale(args, settings)
    box = tuple(args.box) if args.box is not None else None
    points = [(p[0], p[1]) for p in args.points]
    prompt = Prompt(points, list(args.point_labels), box)
    result = segment(
        image,
        prompt,
        settings.sam_checkpoint,
        settings.sam_model_type,
        settings.sam_device,
    )
    findings = [
        {
            "kind": s.kind,
            "score": s.score,
            "measurement": measure(s.mask, px_per_mm).as_dict(),
        }
        for s in result.segments[:MAX_FINDINGS]
    ]
    data: dict[str, Any] = {
        "backend": result.backend,
        "image_size": [int(image.shape[1]), int(image.shape[0])],
        "px_per_mm": px_per_mm,
        "findings": findings,
    }
    if args.width_threshold_mm is not None:
        data["width_check"] = width_answer(findings, args.width_threshold_mm)
    data["description"] = describe(image, findings, px_per_mm, args.question, settings)
    data["seconds"] = round(time.perf_counter() - started, 3)
    data["_masks"] = [s.mask for s in result.segments[:MAX_FINDINGS]]
    return data


def inspect_image(
    args: InspectImageArgs,
    gateway: Any = None,
    settings: VisionSettings | None = None,
) -> ToolResult:
    """Segment, measure, read and describe a picture; write the overlay PNG."""
    from tools.vision.images import load_image
    from tools.vision.overlay import draw_overlay, label_for, save_overlay

    settings = settings or VisionSettings()
    try:
        image = load_image(args.image)
        data = inspect_array(image, args, settings)
        if args.nameplate:
            data["nameplate"] = _nameplate(image, gateway)
    except ToolError as exc:
        return ToolResult.failure(str(exc))
    masks = data.pop("_masks")
    if args.overlay:
        labels = [label_for(f) for f in data["findings"]]
        picture = draw_overlay(image, masks, labels, list(args.points), args.box)
        data["overlay"] = str(save_overlay(Path(args.overlay), picture))
    log.info("inspected %s with %s", args.image, data["backend"])
    return ToolResult.success(data)


def _nameplate(image: np.ndarray, gateway: Any) -> dict[str, Any]:
    from tools.vision.nameplate import read_nameplate

    devices = gateway.devices() if gateway is not None else []
    return read_nameplate(image, devices)
