"""One `segment` call over two back-ends: SAM when a checkpoint is set, else OpenCV.

Prompts: points (N×2 XY pixels) with labels (1 object, 0 background), a box
(XYXY pixels), both, or neither (automatic: every object SAM finds, or the
surface defects the classical back-end finds). The image is HWC uint8 RGB and
every mask comes back H×W bool at the image's own size.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from tools.vision.images import check_box, check_image, check_points

log = logging.getLogger(__name__)

CLASSICAL = "classical (no SAM checkpoint set)"


@dataclass(frozen=True)
class Prompt:
    """Where the object is: points XY pixels with labels, a box XYXY pixels."""

    points: list[tuple[float, float]] = field(default_factory=list)
    labels: list[int] = field(default_factory=list)
    box: tuple[float, float, float, float] | None = None

    @property
    def automatic(self) -> bool:
        """True when nothing points at an object."""
        return not self.points and self.box is None


@dataclass(frozen=True)
class Segment:
    """One mask (H×W bool), the back-end's confidence 0-1 if any, and a kind."""

    mask: np.ndarray
    score: float | None = None
    kind: str | None = None


@dataclass(frozen=True)
class Segmentation:
    """The segments found and which back-end found them."""

    backend: str
    segments: list[Segment]


def segment(
    image: np.ndarray,
    prompt: Prompt,
    checkpoint: Path | None = None,
    model_type: str | None = None,
    device: str = "cpu",
) -> Segmentation:
    """Masks of the prompted object (or all objects) in an HWC uint8 RGB image."""
    image = check_image(image)
    points = check_points(np.array(prompt.points or []), image.shape)
    labels = np.array(prompt.labels or [1] * len(points), dtype=int)
    if len(labels) != len(points):
        labels = np.ones(len(points), dtype=int)
    box = check_box(np.array(prompt.box), image.shape) if prompt.box else None
    if checkpoint is not None:
        return _segment_sam(image, points, labels, box, checkpoint, model_type, device)
    log.warning("no SAM checkpoint set: segmenting with OpenCV")
    return Segmentation(CLASSICAL, _segment_classical(image, points, labels, box))


def _segment_sam(
    image: np.ndarray,
    points: np.ndarray,
    labels: np.ndarray,
    box: np.ndarray | None,
    checkpoint: Path,
    model_type: str | None,
    device: str,
) -> Segmentation:
    from tools.vision.sam import SamSegmenter, load_sam

    sam = load_sam(checkpoint, model_type, device)
    segmenter = SamSegmenter(sam, image)
    if box is None and not len(points):
        masks, scores = segmenter.automatic()
    elif box is not None:
        masks, scores = segmenter.predict(points, labels, box)
    else:
        masks, scores = segmenter.predict(points, labels, together=True)
    segments = [
        Segment(m, round(float(s), 3)) for m, s in zip(masks, scores, strict=True)
    ]
    return Segmentation(f"segment-anything ({Path(checkpoint).name})", segments)


def _segment_classical(
    image: np.ndarray, points: np.ndarray, labels: np.ndarray, box: np.ndarray | None
) -> list[Segment]:
    from tools.vision.classical import segment_box, segment_point
    from tools.vision.defects import find_defects

    positive = points[labels == 1]
    if box is not None:
        point = positive[0] if len(positive) else None
        return [Segment(segment_box(image, box, point=point))]
    if len(positive):
        return [Segment(segment_point(image, p)) for p in positive[:1]]
    return [Segment(d.mask, kind=d.kind) for d in find_defects(image)]
