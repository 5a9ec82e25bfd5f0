"""Thin marks (cracks, scratches) inside a box, by ridge morphology.

A crack is a line darker than the surface on both sides of it, a scratch one
brighter. Inside a box prompt:

1. Ridge response: how much darker (cracks) or brighter (scratches) each
   pixel's lightness is than the median around it, over windows of a few
   sizes (a median ignores a mark narrower than half its window).
2. Core: seeds above Otsu's split and half the peak response; then pixels of
   the seeds' commonest colour, in connected parts. A person draws
   the box around the whole mark, so the part whose own bounding box best
   matches the prompt's wins, provided it is line-like (its length at least
   LINE_RATIO times its mean width). Otherwise the caller falls back to GrabCut
   (blob-like objects such as corrosion).
3. Edge: a pixel near the core belongs to the mark where its lightness is
   nearer the mark's own level than the surface's local level (the median):
   the half-coverage edge of a blurred line, which is
   what a person tracing the mark would follow.

Images are HWC uint8 RGB, boxes XYXY pixels in the crop's frame; masks are
bool at the crop's size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from tools.vision.classical import cv2_module, keep_main_parts

log = logging.getLogger(__name__)

# A mark's length over its mean width above which it counts as line-like.
LINE_RATIO = 4.0
# Lightness levels (0-255) a core must differ from its surround by.
MIN_CONTRAST = 12.0
# How well a core's bounding box must match the prompt's (IoU) to be trusted.
MIN_SPAN = 0.5
WINDOWS = (31, 61, 101)
# Share of rust-coloured pixels in a core above which it is corrosion.
RUSTY_SHARE = 0.5
# Least Lab distance from a mark's colour that still counts as the same mark.
COLOUR_TOLERANCE = 15.0


@dataclass(frozen=True)
class Ridge:
    """A candidate mark: its core (bool), polarity, median window and score (its
    span of the box times its median contrast)."""

    core: np.ndarray
    dark: bool
    window: int
    score: float


def box_iou(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """IoU of two XYXY pixel boxes (inclusive corners)."""
    ix = min(a[2], b[2]) - max(a[0], b[0]) + 1
    iy = min(a[3], b[3]) - max(a[1], b[1]) + 1
    if ix <= 0 or iy <= 0:
        return 0.0
    area = (a[2] - a[0] + 1) * (a[3] - a[1] + 1) + (b[2] - b[0] + 1) * (b[3] - b[1] + 1)
    return ix * iy / (area - ix * iy)


def is_line_like(mask: np.ndarray) -> bool:
    """True when the mask's length is at least LINE_RATIO times its mean width.

    Across a band of width w the distance to its edge runs evenly from 0 to
    w/2, so w ≈ 4 × the mean distance, and the length is the area over w.
    """
    from tools.vision.defects import fill_holes

    cv2 = cv2_module()
    if not mask.any():
        return False
    # Holes would make a mottled blob (corrosion) look like a web of lines.
    padded = np.pad(fill_holes(mask), 1).astype(np.uint8)
    inner = cv2.distanceTransform(padded, cv2.DIST_L2, 5)[padded > 0]
    width = 4 * float(inner.mean())
    return mask.sum() / width >= LINE_RATIO * width


def _response(lightness: np.ndarray, window: int, dark: bool) -> np.ndarray:
    """How much darker (or brighter) each pixel is than the median of a
    `window`-pixel square around it, float32 lightness levels.

    A median, unlike a closing, is not pulled up by a bright mark nearby, so a
    scratch does not make its surroundings look like a dark mark.
    """
    cv2 = cv2_module()
    surface = cv2.medianBlur(lightness, window).astype(np.float32)
    contrast = surface - lightness.astype(np.float32)
    return np.maximum(contrast if dark else -contrast, 0)


def _best_part(
    strong: np.ndarray, box: tuple[int, int, int, int]
) -> tuple[np.ndarray, float]:
    """The connected part of `strong` whose bounding box best matches `box`."""
    cv2 = cv2_module()
    count, labels, stats, _ = cv2.connectedComponentsWithStats(
        strong.astype(np.uint8), connectivity=8
    )
    best, best_span = 0, 0.0
    for label in range(1, count):
        x, y, w, h = stats[label, :4]
        span = box_iou((x, y, x + w - 1, y + h - 1), box)
        if span > best_span:
            best, best_span = label, span
    if not best:
        return np.zeros(strong.shape, bool), 0.0
    return labels == best, best_span


def mark_colour(lab: np.ndarray, seeds: np.ndarray) -> tuple[np.ndarray, float]:
    """The commonest colour among `seeds` (Lab) and how far from it a pixel of
    the same mark may stray (Lab units).

    The mode of the seeds' lightness, not their median, because seeds on a busy
    surface also catch its own dark or bright detail.
    """
    light = lab[..., 0][seeds]
    counts = np.bincount(light.astype(np.int64) // 8, minlength=32)
    mode = 8 * int(np.argmax(counts)) + 4
    colour = np.median(lab[seeds][np.abs(light - mode) <= 12], axis=0)
    spread = np.sqrt(((lab[seeds] - colour) ** 2).sum(axis=1))
    return colour, max(COLOUR_TOLERANCE, 3 * 1.4826 * float(np.median(spread)))


def find_ridge(
    lab: np.ndarray, inside: np.ndarray, box: tuple[int, int, int, int]
) -> Ridge | None:
    """The line-like core spanning `box` best, over polarities and window sizes.

    `lab` is the crop in Lab (H×W×3 float32), `inside` the box (H×W bool).
    """
    cv2 = cv2_module()
    lightness = lab[..., 0].astype(np.uint8)
    widest = max(box[2] - box[0], box[3] - box[1]) + 1
    windows = [w for w in WINDOWS if w <= widest] or [WINDOWS[0]]
    best: Ridge | None = None
    for dark in (True, False):
        for window in windows:
            response = _response(lightness, window, dark)
            scaled = np.clip(response[inside], 0, 255).astype(np.uint8)
            otsu, _ = cv2.threshold(
                scaled.reshape(-1, 1), 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU
            )
            # Half the mark's peak contrast is where a blurred mark's edge lies.
            peak = float(np.percentile(response[inside], 99))
            seeds = inside & (response > max(otsu, MIN_CONTRAST, 0.5 * peak))
            if seeds.sum() < 10:
                continue

            # The surface's own ridges differ in colour from the mark's.
            colour, tolerance = mark_colour(lab, seeds)
            distance = np.sqrt(((lab - colour) ** 2).sum(axis=2))
            strong = inside & (distance < tolerance) & (response > MIN_CONTRAST)
            core, span = _best_part(strong, box)
            if span < MIN_SPAN or not is_line_like(core):
                continue
            score = span * float(np.median(response[core]))
            if best is None or score > best.score:
                best = Ridge(core, dark, window, score)
    return best


def trace_edge(lightness: np.ndarray, inside: np.ndarray, ridge: Ridge) -> np.ndarray:
    """The mark's extent: pixels near the core nearer its level than the surface's.

    The surface's local level is the median over the ridge's window.
    """
    cv2 = cv2_module()
    light = lightness.astype(np.float32)
    level = float(np.median(light[ridge.core]))
    surface = cv2.medianBlur(lightness, ridge.window).astype(np.float32)
    nearer = np.abs(light - level) < np.abs(light - surface)

    # Only pixels a few pixels from the core, and connected to it, so that
    # dark patches of the surface elsewhere in the box stay out.
    grow = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (9, 9))
    near = cv2.dilate(ridge.core.astype(np.uint8), grow).astype(bool)
    candidate = (nearer & near & inside) | ridge.core
    count, labels = cv2.connectedComponents(candidate.astype(np.uint8), None, 8)
    keep = np.unique(labels[ridge.core])
    return trim_spurs(np.isin(labels, keep[keep > 0]))


def trim_spurs(mask: np.ndarray) -> np.ndarray:
    """The mask opened with a disc of about 0.6× its own width, so that the
    surface's thinner streaks clinging to a mark fall away (H×W bool)."""
    cv2 = cv2_module()
    padded = np.pad(mask, 1).astype(np.uint8)
    inner = cv2.distanceTransform(padded, cv2.DIST_L2, 5)[1:-1, 1:-1][mask]
    # Across a band of width w, the distance's 75th percentile is 3w/8.
    size = int(round(0.6 * 8 / 3 * float(np.percentile(inner, 75))))
    # Below 5 pixels the disc would break a thin crack at its diagonal steps.
    if size < 5:
        return mask
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (size, size))
    opened = cv2.morphologyEx(mask.astype(np.uint8), cv2.MORPH_OPEN, kernel)
    return keep_main_parts(opened) if opened.any() else mask


def segment_thin(
    crop: np.ndarray, inside: np.ndarray, box: tuple[int, int, int, int]
) -> np.ndarray | None:
    """A thin mark filling `box` in an HWC uint8 RGB crop, or None if none is.

    `inside` is the box as an H×W bool mask; `box` XYXY pixels in the crop.
    """
    from tools.vision.defects import rust_mask

    cv2 = cv2_module()
    lab = cv2.cvtColor(crop, cv2.COLOR_RGB2LAB)
    lightness = lab[..., 0]
    ridge = find_ridge(lab.astype(np.float32), inside, box)
    # The inner edge of a mottled rust patch can pass for a ring of cracks.
    if ridge is None or rust_mask(crop)[ridge.core].mean() > RUSTY_SHARE:
        return None
    mask = trace_edge(lightness, inside, ridge)
    if not is_line_like(mask):
        return None
    log.debug(
        "thin %s mark (window %d px, score %.1f)",
        "dark" if ridge.dark else "bright",
        ridge.window,
        ridge.score,
    )
    return mask
