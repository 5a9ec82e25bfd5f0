"""The overlay picture: masks tinted, prompts drawn, measurements labelled.

Input images are HWC uint8 RGB, masks H×W bool, points XY and boxes XYXY pixels.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

COLOURS = [(255, 64, 64), (64, 160, 255), (255, 200, 0), (80, 220, 120)]


def draw_overlay(
    image: np.ndarray,
    masks: list[np.ndarray],
    labels: list[str],
    points: list[tuple[float, float]] | None = None,
    box: tuple[float, float, float, float] | None = None,
) -> np.ndarray:
    """The image with each mask tinted and outlined, the prompt and the labels."""
    from PIL import Image, ImageDraw, ImageFont

    tinted = image.astype(np.float32)
    for i, mask in enumerate(masks):
        colour = np.array(COLOURS[i % len(COLOURS)], np.float32)
        tinted[mask] = 0.5 * tinted[mask] + 0.5 * colour
    picture = Image.fromarray(tinted.astype(np.uint8))
    draw = ImageDraw.Draw(picture)
    font = ImageFont.load_default(size=max(12, image.shape[0] // 40))
    if box is not None:
        draw.rectangle(list(box), outline=(0, 255, 0), width=2)
    for x, y in points or []:
        draw.ellipse([x - 5, y - 5, x + 5, y + 5], outline=(0, 255, 0), width=2)
    for i, (mask, label) in enumerate(zip(masks, labels, strict=True)):
        rows, cols = np.nonzero(mask)
        if not len(rows):
            continue
        x, y = int(cols.min()), max(0, int(rows.min()) - font.size - 4)
        draw.text((x, y), label, fill=COLOURS[i % len(COLOURS)], font=font,
                  stroke_width=2, stroke_fill=(0, 0, 0))  # fmt: skip
    return np.asarray(picture)


def save_overlay(path: Path, overlay: np.ndarray) -> Path:
    """Write an HWC uint8 RGB overlay as PNG and return its path."""
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(overlay).save(path, format="PNG")
    log.debug("wrote overlay %s", path)
    return path


def label_for(finding: dict[str, Any]) -> str:
    """A short label: kind and size, in mm when known."""
    m = finding["measurement"]
    kind = finding.get("kind") or "region"
    if "max_width_mm" in m:
        return f"{kind} L {m['length_mm']:.1f} mm W {m['max_width_mm']:.1f} mm"
    return f"{kind} L {m['length_px']:.0f} px W {m['max_width_px']:.0f} px"
