"""Seeded test pictures for the inspection eval, with their ground truth.

- Defects at 10 px/mm: dark cracks (centre-line polylines of a known width),
  bright scratches and rust spots, drawn on procedural brushed-metal plates
  or on crops of the segment-anything example photos (Apache-2.0, see
  `evals/data/inspection/LICENSE`). Each comes with its true mask (H×W bool),
  width in mm (cracks and scratches) and a hand-drawn-like box (XYXY pixels).
- Nameplates of demo-site devices: manufacturer, model, serial and asset tag
  rendered with PIL, at varied font sizes, slight rotations and noise.

Every image is HWC uint8 RGB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

PX_PER_MM = 10.0
SIZE = (480, 640)  # H, W pixels
PHOTOS = Path(__file__).parent / "data" / "inspection"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
CRACK_WIDTHS_MM = (0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 3.0, 4.0)


@dataclass(frozen=True)
class DefectCase:
    """One picture with one defect and its truth."""

    id: str
    kind: str  # crack, scratch, corrosion
    background: str  # plate or photo:<name>
    image: np.ndarray
    mask: np.ndarray
    box: tuple[int, int, int, int]
    point: tuple[int, int]
    width_mm: float | None


def plate_texture(rng: np.random.Generator) -> np.ndarray:
    """A brushed-metal plate: grey with streaks along one direction and shading."""
    import cv2

    height, width = SIZE
    grain = rng.normal(0, 1, (height, width)).astype(np.float32)
    grain = cv2.GaussianBlur(grain, (0, 0), sigmaX=25, sigmaY=0.8)
    yy, xx = np.mgrid[0:height, 0:width].astype(np.float32)
    shade = 12 * np.sin(
        xx / width * math.pi * rng.uniform(0.5, 1.5) + rng.uniform(0, 7)
    )
    base = rng.uniform(120, 185) + shade + 25 * grain / (grain.std() + 1e-6)
    tint = rng.uniform(-6, 6, 3)
    image = base[..., None] + tint + rng.normal(0, 3, (height, width, 3))
    return np.clip(image, 0, 255).astype(np.uint8)


def photo_texture(rng: np.random.Generator, name: str) -> np.ndarray:
    """A random crop of an example photo, scaled to SIZE."""
    from PIL import Image

    with Image.open(PHOTOS / name) as img:
        photo = np.asarray(img.convert("RGB"))
    height, width = SIZE
    top = int(rng.integers(0, max(1, photo.shape[0] - height)))
    left = int(rng.integers(0, max(1, photo.shape[1] - width)))
    crop = photo[top : top + height, left : left + width]
    if crop.shape[:2] != SIZE:
        crop = np.asarray(Image.fromarray(crop).resize((width, height)))
    return crop.copy()


def random_walk(
    rng: np.random.Generator, steps: int, step_px: tuple[float, float], turn: float
) -> np.ndarray:
    """A polyline (N×2 XY pixels) wandering inside the image's inner part."""
    height, width = SIZE
    for _ in range(100):
        heading = rng.uniform(0, 2 * math.pi)
        point = np.array(
            [rng.uniform(0.3, 0.7) * width, rng.uniform(0.3, 0.7) * height]
        )
        line = [point]
        for _ in range(steps):
            heading += rng.uniform(-turn, turn)
            point = point + rng.uniform(*step_px) * np.array(
                [math.cos(heading), math.sin(heading)]
            )
            line.append(point)
        line = np.array(line)
        inside = (line >= 50).all() and (line[:, 0] < width - 50).all()
        if inside and (line[:, 1] < height - 50).all():
            return line
    raise RuntimeError("No polyline fitted in the image; change the seed.")


def distance_to_line(line: np.ndarray) -> np.ndarray:
    """Each pixel's distance to a polyline (H×W float32, pixels)."""
    import cv2

    canvas = np.full(SIZE, 255, np.uint8)
    cv2.polylines(canvas, [np.round(line).astype(np.int32)], False, 0, 1)
    return cv2.distanceTransform(canvas, cv2.DIST_L2, 5)


def paint(image: np.ndarray, alpha: np.ndarray, colour: np.ndarray) -> np.ndarray:
    """Blend `colour` (H×W×3 or 3) over the image with coverage `alpha` (H×W)."""
    mixed = image * (1 - alpha[..., None]) + colour * alpha[..., None]
    return np.clip(mixed, 0, 255).astype(np.uint8)


def draw_thin(
    rng: np.random.Generator, image: np.ndarray, width_mm: float, dark: bool
) -> tuple[np.ndarray, np.ndarray]:
    """A crack (dark) or scratch (bright) of a known width; image and true mask."""
    width_px = width_mm * PX_PER_MM
    if dark:
        line = random_walk(rng, int(rng.integers(5, 9)), (30, 55), 0.35)
        level = rng.uniform(15, 45)
    else:
        line = random_walk(rng, 2, (80, 140), 0.1)
        level = rng.uniform(225, 250)
    distance = distance_to_line(line)
    alpha = np.clip(width_px / 2 + 0.5 - distance, 0, 1)
    colour = level + rng.normal(0, 4, (*SIZE, 3))
    return paint(image, alpha, colour), distance <= width_px / 2


def draw_rust(
    rng: np.random.Generator, image: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """An irregular rust spot of 10-40 mm across; image and true mask."""
    import cv2

    height, width = SIZE
    radius = rng.uniform(5, 20) * PX_PER_MM
    centre = np.array(
        [rng.uniform(0.35, 0.65) * width, rng.uniform(0.35, 0.65) * height]
    )
    angles = np.linspace(0, 2 * math.pi, 90, endpoint=False)
    wobble = sum(
        rng.uniform(0, 0.15) * np.cos(k * angles + rng.uniform(0, 7)) for k in (2, 3, 5)
    )
    outline = centre + (radius * (1 + wobble))[:, None] * np.column_stack(
        [np.cos(angles), np.sin(angles)]
    )
    mask = np.zeros(SIZE, np.uint8)
    cv2.fillPoly(mask, [np.round(outline).astype(np.int32)], 1)
    alpha = cv2.GaussianBlur(mask.astype(np.float32), (0, 0), 1.0)
    mottling = cv2.GaussianBlur(rng.normal(0, 1, SIZE).astype(np.float32), (0, 0), 3)
    base = np.array([rng.uniform(140, 175), rng.uniform(60, 85), rng.uniform(20, 40)])
    colour = base * (1 + 0.25 * mottling[..., None] / (mottling.std() + 1e-6))
    return paint(image, alpha, colour), mask.astype(bool)


def user_box(rng: np.random.Generator, mask: np.ndarray) -> tuple[int, int, int, int]:
    """The mask's box grown by 3-10 pixels on each side, as a person draws one."""
    rows, cols = np.nonzero(mask)
    pad = rng.integers(3, 11, 4)
    height, width = mask.shape
    return (
        int(max(0, cols.min() - pad[0])),
        int(max(0, rows.min() - pad[1])),
        int(min(width - 1, cols.max() + pad[2])),
        int(min(height - 1, rows.max() + pad[3])),
    )


def defect_cases(count: int = 36, seed: int = 7) -> list[DefectCase]:
    """`count` pictures: cracks, scratches and rust on plates and photos."""
    rng = np.random.default_rng(seed)
    photos = sorted(p.name for p in PHOTOS.glob("*.jpg"))
    cases = []
    for i in range(count):
        kind = ("crack", "crack", "scratch", "corrosion")[i % 4]
        use_photo = photos and i % 3 == 2
        background = f"photo:{photos[(i // 3) % len(photos)]}" if use_photo else "plate"
        image = photo_texture(rng, background[6:]) if use_photo else plate_texture(rng)
        width = None
        if kind == "crack":
            width = CRACK_WIDTHS_MM[i % len(CRACK_WIDTHS_MM)]
            image, mask = draw_thin(rng, image, width, dark=True)
        elif kind == "scratch":
            width = round(float(rng.uniform(0.4, 1.0)), 1)
            image, mask = draw_thin(rng, image, width, dark=False)
        else:
            image, mask = draw_rust(rng, image)
        image = np.clip(image + rng.normal(0, 2.5, image.shape), 0, 255)
        rows, cols = np.nonzero(mask)
        middle = len(rows) // 2
        cases.append(
            DefectCase(
                id=f"{kind}-{i:02d}",
                kind=kind,
                background=background,
                image=image.astype(np.uint8),
                mask=mask,
                box=user_box(rng, mask),
                point=(int(cols[middle]), int(rows[middle])),
                width_mm=width,
            )
        )
    return cases


PLATES = [
    ("P-1", "GRUNDFOS", "CR 10-04", "A96500142P11934"),
    ("P-2", "GRUNDFOS", "CR 10-04", "A96500142P11987"),
    ("P-3", "WILO", "IL 80/170-5.5/2", "2093-4411-07"),
    ("CH-6", "CARRIER", "30XA-1002", "3419Q51226"),
    ("AHU-1", "TROX", "X-CUBE 1.4", "TX-88120-3"),
    ("HP-1", "DAIKIN", "ALTHERMA EBLA16", "DK0062281"),
    ("M-1", "HAAS", "VF-2SS", "1184422"),
    ("PR-1", "VORON DESIGN", "VORON 2.4 R2", "V2-4417"),
    ("D-1", "HOLYBRO", "X500 V2", "HB-50-1201"),
    ("D-2", "HOLYBRO", "X500 V2", "HB-50-1202"),
    ("D-3", "HOLYBRO", "X500 V2", "HB-50-1219"),
    ("D-4", "HOLYBRO", "X650", "HB-65-0031"),
    ("VLV-1", "BELIMO", "R2050-10-S2", "BL-772810"),
    ("RT-1", "TELTONIKA", "RUTX11", "1101234567"),
]


@dataclass(frozen=True)
class PlateCase:
    """A rendered nameplate and the device it belongs to."""

    id: str
    device: str
    image: np.ndarray


def _font(size: int, bold: bool) -> object:
    """DejaVu Sans if the system has it, else PIL's own font."""
    from PIL import ImageFont

    path = FONTS / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
    if path.is_file():
        return ImageFont.truetype(str(path), size)
    return ImageFont.load_default(size=size)


def render_plate(rng: np.random.Generator, lines: list[str]) -> np.ndarray:
    """A metal plate with the lines engraved, slightly turned and noisy."""
    from PIL import Image, ImageDraw, ImageFilter

    size = int(rng.integers(18, 32))
    dark_plate = rng.random() < 0.3
    plate = (
        (40, 60, 110)
        if dark_plate
        else tuple(int(v) for v in rng.integers(175, 215, 3))
    )
    ink = (235, 235, 235) if dark_plate else (25, 25, 30)
    image = Image.new("RGB", (int(size * 22), int(size * 2.1 * len(lines) + 40)), plate)
    draw = ImageDraw.Draw(image)
    draw.rectangle([4, 4, image.width - 5, image.height - 5], outline=ink, width=3)
    for i, line in enumerate(lines):
        font = _font(size + (6 if i == 0 else 0), bold=i == 0)
        draw.text((24, 20 + i * size * 2.1), line, fill=ink, font=font)
    image = image.rotate(float(rng.uniform(-4, 4)), expand=True, fillcolor=(90, 90, 90))
    image = image.filter(ImageFilter.GaussianBlur(float(rng.uniform(0, 0.9))))
    noisy = np.asarray(image, np.float32) + rng.normal(
        0, rng.uniform(3, 10), (image.height, image.width, 3)
    )
    return np.clip(noisy, 0, 255).astype(np.uint8)


def plate_cases(seed: int = 11) -> list[PlateCase]:
    """One plate per entry of PLATES; every third shows the name, not the tag."""
    rng = np.random.default_rng(seed)
    from simulator.model import DEMO_SITE_DIR, load_site

    names = {d.id: d.name for d in load_site(DEMO_SITE_DIR).devices}
    cases = []
    for i, (device, maker, model, serial) in enumerate(PLATES):
        tag = names[device].upper() if i % 3 == 2 else f"ASSET {device}"
        lines = [maker, f"MODEL {model}", f"SER. NO. {serial}", tag]
        cases.append(PlateCase(f"plate-{device}", device, render_plate(rng, lines)))
    return cases
