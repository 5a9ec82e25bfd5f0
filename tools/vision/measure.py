"""Measurements of a mask (H×W bool): area, box, length and width.

- `length_px`: the centre line's length: the longest path through the mask's
  skeleton (steps of 1 and √2 pixels), extended at both ends by the distance
  from its end pixel to the mask's edge, so a line of N pixels measures ≈ N.
- `max_width_px`: twice the 95th percentile of the distances from the
  skeleton to the edge, less one pixel (distances run between pixel centres):
  the widest point. The percentile, not the maximum, because a ragged edge or
  a skeleton's spur at a bend reaches a few pixels past the mark's width.
- `mean_width_px`: area over length, the width averaged along the line.
- `feret_px`: the largest caliper diameter (outline's farthest two points).

With a scale (pixels per millimetre) the same figures are given in mm.
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import asdict, dataclass

import numpy as np

from tools.vision.classical import cv2_module
from tools.vision.errors import BadPrompt

# Percentile of the centre line's distances to the edge taken as the widest.
WIDEST_PERCENTILE = 95
NEIGHBOURS = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if dy or dx]


@dataclass(frozen=True)
class Measurement:
    """A mask's size in pixels, and in millimetres when the scale is known."""

    area_px: int
    box_xyxy: tuple[int, int, int, int]
    length_px: float
    max_width_px: float
    mean_width_px: float
    feret_px: float
    px_per_mm: float | None = None

    def as_dict(self) -> dict[str, object]:
        """JSON-able figures, with *_mm keys when the scale is known."""
        data: dict[str, object] = asdict(self)
        data["box_xyxy"] = list(self.box_xyxy)
        if self.px_per_mm:
            s = self.px_per_mm
            data["area_mm2"] = round(self.area_px / s**2, 2)
            for key in ("length", "max_width", "mean_width", "feret"):
                data[f"{key}_mm"] = round(getattr(self, f"{key}_px") / s, 2)
        return data

    def max_width_mm(self) -> float | None:
        """The widest point in mm, or None without a scale."""
        return self.max_width_px / self.px_per_mm if self.px_per_mm else None


def scale_from_reference(
    start: tuple[float, float], end: tuple[float, float], length_mm: float
) -> float:
    """Pixels per mm from two points (XY pixels) a known distance apart."""
    distance = math.dist(start, end)
    if length_mm <= 0 or distance < 1:
        raise BadPrompt(
            "A reference needs two distinct points and a positive length in mm, "
            "e.g. the ends of a ruler's 10 mm mark."
        )
    return distance / length_mm


def skeletonize(mask: np.ndarray) -> np.ndarray:
    """The mask thinned to one-pixel lines (Zhang-Suen), H×W bool."""
    img = np.pad(mask.astype(np.uint8), 1)
    while True:
        changed = False
        for step in (0, 1):
            p = [np.roll(np.roll(img, -dy, 0), -dx, 1) for dy, dx in _ORDER]
            count = sum(p)
            ring = p + [p[0]]
            transitions = sum((ring[i] == 0) & (ring[i + 1] == 1) for i in range(8))
            if step == 0:
                a, b = p[0] * p[2] * p[4], p[2] * p[4] * p[6]
            else:
                a, b = p[0] * p[2] * p[6], p[0] * p[4] * p[6]
            remove = (
                (img == 1)
                & (count >= 2)
                & (count <= 6)
                & (transitions == 1)
                & (a == 0)
                & (b == 0)
            )
            if remove.any():
                img[remove] = 0
                changed = True
        if not changed:
            return img[1:-1, 1:-1].astype(bool)


# P2..P9 of Zhang-Suen: north, then clockwise.
_ORDER = [(-1, 0), (-1, 1), (0, 1), (1, 1), (1, 0), (1, -1), (0, -1), (-1, -1)]


def _farthest(start: tuple[int, int], pixels: set[tuple[int, int]]) -> tuple:
    """The skeleton pixel farthest from `start` (by steps) and the path to it."""
    parent = {start: start}
    queue = deque([start])
    last = start
    while queue:
        last = queue.popleft()
        for dy, dx in NEIGHBOURS:
            nxt = (last[0] + dy, last[1] + dx)
            if nxt in pixels and nxt not in parent:
                parent[nxt] = last
                queue.append(nxt)
    path = [last]
    while path[-1] != start:
        path.append(parent[path[-1]])
    return last, path


def longest_path(skeleton: np.ndarray) -> list[tuple[int, int]]:
    """The longest path through the skeleton's largest tree, as (row, col)."""
    pixels = set(zip(*np.nonzero(skeleton), strict=True))
    if not pixels:
        return []
    first = next(iter(pixels))
    end, _ = _farthest(first, pixels)
    _, path = _farthest(end, pixels)
    return path


def _path_length(path: list[tuple[int, int]]) -> float:
    return sum(math.dist(a, b) for a, b in zip(path, path[1:], strict=False))


def feret_diameter(mask: np.ndarray) -> float:
    """The largest distance between two outline points, in pixels."""
    cv2 = cv2_module()
    points = np.column_stack(np.nonzero(mask)[::-1]).astype(np.int32)
    hull = cv2.convexHull(points).reshape(-1, 2).astype(np.float64)
    gaps = hull[:, None, :] - hull[None, :, :]
    return float(np.sqrt((gaps**2).sum(axis=2)).max()) + 1.0


def measure(mask: np.ndarray, px_per_mm: float | None = None) -> Measurement:
    """Area, box, length and width of an H×W bool mask; mm too with a scale."""
    cv2 = cv2_module()
    mask = np.asarray(mask, dtype=bool)
    if not mask.any():
        return Measurement(0, (0, 0, 0, 0), 0.0, 0.0, 0.0, 0.0, px_per_mm)
    rows, cols = np.nonzero(mask)
    y0, y1, x0, x1 = rows.min(), rows.max(), cols.min(), cols.max()
    crop = np.pad(mask[y0 : y1 + 1, x0 : x1 + 1], 1)
    distance = cv2.distanceTransform(crop.astype(np.uint8), cv2.DIST_L2, 5)
    skeleton = skeletonize(crop)
    path = longest_path(skeleton)
    length = _path_length(path)
    if path:
        length += float(distance[path[0]] + distance[path[-1]])
    area = int(mask.sum())
    along = distance[skeleton]
    widest = float(np.percentile(along, WIDEST_PERCENTILE)) if along.size else 0.5
    return Measurement(
        area_px=area,
        box_xyxy=(int(x0), int(y0), int(x1), int(y1)),
        length_px=round(max(length, 1.0), 1),
        max_width_px=round(max(2 * widest - 1, 1.0), 1),
        mean_width_px=round(area / max(length, 1.0), 1),
        feret_px=round(feret_diameter(mask), 1),
        px_per_mm=px_per_mm,
    )
