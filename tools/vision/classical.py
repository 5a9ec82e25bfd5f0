"""Classical segmentation with OpenCV, used when no SAM checkpoint is set.

- A box or point prompt: GrabCut, seeded with what differs from the surface
  just outside the box, so that thin dark cracks survive its smoothing.
- No prompt: surface defects on a plate by thresholds and morphology: dark
  thin cracks (black-hat), bright thin scratches (top-hat) and rust-coloured
  corrosion (hue and saturation).

Images are HWC uint8 RGB, points XY pixels, boxes XYXY pixels; masks are H×W
bool at the image's size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import numpy as np

from tools.vision.errors import VisionUnavailable

log = logging.getLogger(__name__)

# Contrast (in Lab units, over the surface's own spread) above which a pixel in
# the box is seeded as probably the object.
SEED_CONTRAST = 2.0
GRABCUT_ITERATIONS = 4


def cv2_module() -> Any:
    """OpenCV, or a message naming the install line."""
    try:
        import cv2
    except ImportError as exc:
        raise VisionUnavailable("opencv-python") from exc
    return cv2


@dataclass(frozen=True)
class Defect:
    """A region found without a prompt: its mask (H×W bool) and kind."""

    mask: np.ndarray
    kind: str  # crack, scratch or corrosion


def _window(box: np.ndarray, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
    """The box grown by a margin of surface around it, XYXY pixels, clipped."""
    x0, y0, x1, y1 = box
    margin = max(8.0, 0.2 * max(x1 - x0, y1 - y0))
    height, width = shape[:2]
    return (
        int(max(0, x0 - margin)),
        int(max(0, y0 - margin)),
        int(min(width, x1 + margin + 1)),
        int(min(height, y1 + margin + 1)),
    )


def contrast_to_surround(lab: np.ndarray, inside: np.ndarray) -> np.ndarray:
    """How far each pixel's Lab colour is from the pixels outside `inside`,
    in units of their spread (median and MAD per channel)."""
    ring = lab[~inside]
    if len(ring) < 10:
        ring = lab.reshape(-1, 3)
    median = np.median(ring, axis=0)
    spread = np.maximum(1.4826 * np.median(np.abs(ring - median), axis=0), 6.0)
    return np.sqrt((((lab - median) / spread) ** 2).sum(axis=2))


def seed_threshold(contrast: np.ndarray) -> float:
    """Otsu's split of the contrast values in the box, at least SEED_CONTRAST."""
    cv2 = cv2_module()
    scaled = np.clip(contrast * 10, 0, 255).astype(np.uint8).reshape(-1, 1)
    otsu, _ = cv2.threshold(scaled, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    return max(SEED_CONTRAST, otsu / 10)


def segment_box(image: np.ndarray, box: np.ndarray, point: Any = None) -> np.ndarray:
    """The object inside `box` (XYXY pixels) as an H×W bool mask."""
    from tools.vision.thin import segment_thin

    cv2 = cv2_module()
    wx0, wy0, wx1, wy1 = _window(box, image.shape)
    crop = np.ascontiguousarray(image[wy0:wy1, wx0:wx1])
    inside = np.zeros(crop.shape[:2], dtype=bool)
    bx0, by0 = int(box[0]) - wx0, int(box[1]) - wy0
    bx1, by1 = int(box[2]) - wx0, int(box[3]) - wy0
    inside[by0 : by1 + 1, bx0 : bx1 + 1] = True
    mask = np.zeros(image.shape[:2], dtype=bool)

    # A crack or scratch is traced from its ridge response; GrabCut's
    # smoothing would thin or break it.
    thin = (
        None if point is not None else segment_thin(crop, inside, (bx0, by0, bx1, by1))
    )
    if thin is not None:
        mask[wy0:wy1, wx0:wx1] = thin
        return mask

    # Seed GrabCut: outside the box is surface; inside, what stands out from
    # the surface is probably the object and the rest probably not.
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB).astype(np.float32)
    contrast = contrast_to_surround(lab, inside)
    stands_out = inside & (contrast > seed_threshold(contrast[inside]))
    seeds = np.full(crop.shape[:2], cv2.GC_BGD, dtype=np.uint8)
    seeds[inside] = cv2.GC_PR_BGD
    seeds[stands_out] = cv2.GC_PR_FGD
    if point is not None:
        px, py = int(point[0]) - wx0, int(point[1]) - wy0
        cv2.circle(seeds, (px, py), 2, int(cv2.GC_FGD), -1)
    if not (seeds == cv2.GC_PR_FGD).any() and point is None:
        seeds[inside] = cv2.GC_PR_FGD
    background = np.zeros((1, 65), np.float64)
    foreground = np.zeros((1, 65), np.float64)
    cv2.grabCut(
        crop,
        seeds,
        None,
        background,
        foreground,
        GRABCUT_ITERATIONS,
        cv2.GC_INIT_WITH_MASK,
    )
    found = ((seeds == cv2.GC_FGD) | (seeds == cv2.GC_PR_FGD)) & inside
    # GrabCut's smoothing can erase a thin crack; then trust the contrast alone.
    if found.sum() < 0.5 * stands_out.sum():
        log.debug("GrabCut lost a thin object; using the contrast threshold")
        found = stands_out
    found = keep_main_parts(found)
    mask[wy0:wy1, wx0:wx1] = found
    return mask


def segment_point(image: np.ndarray, point: np.ndarray) -> np.ndarray:
    """The object under `point` (XY pixels) as an H×W bool mask.

    The object's extent is first guessed from how far the colour under the
    point reaches (a flood fill); GrabCut then works in a box around that.
    """
    cv2 = cv2_module()
    height, width = image.shape[:2]
    x, y = int(point[0]), int(point[1])
    flood = np.zeros((height + 2, width + 2), np.uint8)
    blurred = cv2.GaussianBlur(image, (5, 5), 0)
    cv2.floodFill(
        blurred.copy(),
        flood,
        (x, y),
        (0, 0, 0),
        (12, 12, 12),
        (12, 12, 12),
        4 | cv2.FLOODFILL_MASK_ONLY | (255 << 8),
    )
    ys, xs = np.nonzero(flood[1:-1, 1:-1])
    reach = max(16, int(0.05 * max(height, width)))
    box = np.array(
        [
            max(0, min(xs.min(), x - reach)),
            max(0, min(ys.min(), y - reach)),
            min(width - 1, max(xs.max(), x + reach)),
            min(height - 1, max(ys.max(), y + reach)),
        ],
        dtype=float,
    )
    return segment_box(image, box, point=(x, y))


def keep_main_parts(mask: np.ndarray, share: float = 0.1) -> np.ndarray:
    """The mask's connected parts of at least `share` of the largest one."""
    cv2 = cv2_module()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    if count <= 1:
        return mask.astype(bool)
    areas = stats[1:, cv2.CC_STAT_AREA]
    keep = np.flatnonzero(areas >= share * areas.max()) + 1
    return np.isin(labels, keep)
