"""Surface defects found without a prompt, by thresholds and morphology.

Dark thin marks (black-hat) are cracks, bright thin marks (top-hat) are
scratches, rust-coloured patches (hue 5-25° on OpenCV's 0-180 scale, saturated)
are corrosion. Meant for a plate filling most of the picture; on a busy scene
it finds edges as well, which is why a box or point prompt is better there.

Images are HWC uint8 RGB; masks H×W bool.
"""

from __future__ import annotations

import logging

import numpy as np

from tools.vision.classical import Defect, cv2_module

log = logging.getLogger(__name__)

MIN_AREA_PX = 40
THIN_CONTRAST = 28  # grey levels a crack or scratch differs from its surround
RUST_HUE = (5, 25)
RUST_MIN_SATURATION = 90


def find_defects(image: np.ndarray, max_width_px: int = 61) -> list[Defect]:
    """Cracks, scratches and corrosion on a plate, largest first."""
    cv2 = cv2_module()
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    size = max_width_px | 1
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    rust = rust_mask(image)

    dark = cv2.morphologyEx(gray, cv2.MORPH_BLACKHAT, kernel) > THIN_CONTRAST
    bright = cv2.morphologyEx(gray, cv2.MORPH_TOPHAT, kernel) > THIN_CONTRAST
    found = [
        *_thin_parts(dark & ~rust, "crack"),
        *_thin_parts(bright & ~rust, "scratch"),
        *_parts(rust, "corrosion"),
    ]
    found.sort(key=lambda d: -int(d.mask.sum()))
    log.debug("found %d defects", len(found))
    return found


def rust_mask(image: np.ndarray) -> np.ndarray:
    """Rust-coloured pixels, closed into patches (H×W bool)."""
    cv2 = cv2_module()
    hsv = cv2.cvtColor(image, cv2.COLOR_RGB2HSV)
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    mask = (
        (hue >= RUST_HUE[0])
        & (hue <= RUST_HUE[1])
        & (sat >= RUST_MIN_SATURATION)
        & (val >= 40)
    )
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (5, 5))
    mask = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_CLOSE, kernel)
    mask = cv2.morphologyEx(mask, cv2.MORPH_OPEN, kernel)
    return mask.astype(bool)


def _parts(mask: np.ndarray, kind: str) -> list[Defect]:
    """Each connected part of at least MIN_AREA_PX pixels, holes filled."""
    cv2 = cv2_module()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        mask.astype(np.uint8), connectivity=8
    )
    parts = []
    for label in range(1, count):
        if stats[label, cv2.CC_STAT_AREA] >= MIN_AREA_PX:
            parts.append(Defect(fill_holes(labels == label), kind))
    return parts


def _thin_parts(mask: np.ndarray, kind: str) -> list[Defect]:
    """Parts long and thin enough to be a crack or scratch (length ≥ 4× width)."""
    cv2 = cv2_module()
    mask = cv2.morphologyEx(
        mask.astype(np.uint8), cv2.MORPH_CLOSE, np.ones((3, 3), np.uint8)
    ).astype(bool)
    thin = []
    for part in _parts(mask, kind):
        points = np.column_stack(np.nonzero(part.mask)).astype(np.float32)
        (_, _), (w, h), _ = cv2.minAreaRect(points)
        if max(w, h) >= 4 * max(1.0, min(w, h)) or part.mask.sum() < 0.3 * w * h:
            thin.append(part)
    return thin


def fill_holes(mask: np.ndarray) -> np.ndarray:
    """The mask with enclosed holes filled (H×W bool)."""
    cv2 = cv2_module()
    contours, _ = cv2.findContours(
        mask.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE
    )
    filled = np.zeros(mask.shape, np.uint8)
    cv2.drawContours(filled, contours, -1, 1, thickness=-1)
    return filled.astype(bool)
