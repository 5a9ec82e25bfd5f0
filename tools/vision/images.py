"""Reading images and checking prompts: every image is HWC uint8 RGB."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np

from tools.vision.errors import BadPrompt, ImageUnreadable

log = logging.getLogger(__name__)


def load_image(path: Path | str) -> np.ndarray:
    """Read an image file as an HWC uint8 RGB array."""
    from PIL import Image, UnidentifiedImageError

    path = Path(path)
    if not path.is_file():
        raise ImageUnreadable(f"{path} does not exist: give the path of an image.")
    try:
        with Image.open(path) as img:
            rgb = img.convert("RGB")
            rgb.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise ImageUnreadable(
            f"{path} is not a readable image ({exc}): give a PNG or JPEG file."
        ) from exc
    log.debug("read %s (%dx%d)", path, rgb.width, rgb.height)
    return np.asarray(rgb, dtype=np.uint8).copy()


def check_image(image: np.ndarray) -> np.ndarray:
    """The image itself if it is HWC uint8 RGB; otherwise a clear error."""
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ImageUnreadable(
            f"Expected an HWC uint8 RGB image, got shape {image.shape} of "
            f"{image.dtype}: convert it with PIL's Image.convert('RGB')."
        )
    if image.shape[0] < 2 or image.shape[1] < 2:
        raise ImageUnreadable("The image is empty: give a picture of the object.")
    return image


def check_points(points: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Points as an N×2 float array of XY pixels, all inside the image."""
    points = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    height, width = shape[:2]
    for x, y in points:
        if not (0 <= x < width and 0 <= y < height):
            raise BadPrompt(
                f"Point ({x:g}, {y:g}) lies outside the {width}x{height} image: "
                "give X,Y in pixels from the top-left corner."
            )
    return points


def check_box(box: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """A box as XYXY pixels, clipped to the image, with positive size."""
    x0, y0, x1, y1 = (float(v) for v in np.asarray(box).reshape(4))
    height, width = shape[:2]
    if x1 <= x0 or y1 <= y0:
        raise BadPrompt(
            f"Box ({x0:g}, {y0:g}, {x1:g}, {y1:g}) is empty: give X0,Y0,X1,Y1 "
            "with X0 < X1 and Y0 < Y1."
        )
    if x0 >= width or y0 >= height or x1 <= 0 or y1 <= 0:
        raise BadPrompt(
            f"Box ({x0:g}, {y0:g}, {x1:g}, {y1:g}) lies outside the "
            f"{width}x{height} image."
        )
    return np.array(
        [max(x0, 0.0), max(y0, 0.0), min(x1, width - 1.0), min(y1, height - 1.0)]
    )
