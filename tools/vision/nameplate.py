"""Read a rating plate and find the site device it belongs to.

OCR is RapidOCR on onnxruntime, whose detection and recognition models ship in
its wheel, so reading works offline. The text is then matched against the
site model from the gateway: a device id printed as an asset tag ("ASSET P-2",
"TAG: CH-6") counts most, then a `serial` or `model` field where a site's
devices carry one, then a device's name or an alias of five characters or more.

Images are HWC uint8 RGB; OCR boxes are four XY pixel corners.
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tools.vision.errors import VisionUnavailable

log = logging.getLogger(__name__)

MIN_CONFIDENCE = 0.5
MIN_NAME_CHARS = 5
LABELS = re.compile(
    r"(ASSET\s*(ID|NO\.?|TAG)?|TAG\s*(NO\.?)?|EQUIPMENT\s*(ID|NO\.?)?)\s*[:#.]?\s*"
)


@dataclass(frozen=True)
class TextLine:
    """One line the OCR read: text, confidence 0-1, corners in XY pixels."""

    text: str
    confidence: float
    corners: list[list[float]]


@dataclass(frozen=True)
class DeviceMatch:
    """The device a plate names, what matched and how strongly (score 1-3)."""

    device: dict[str, Any]
    matched_on: str
    score: int
    rivals: list[str] = field(default_factory=list)


@functools.lru_cache(maxsize=1)
def _engine() -> Any:
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError as exc:
        raise VisionUnavailable("rapidocr-onnxruntime") from exc
    log.info("loaded the RapidOCR models")
    return RapidOCR()


def read_text(image: np.ndarray) -> list[TextLine]:
    """The text lines in an image, top to bottom; none for a blank plate."""
    found, _ = _engine()(np.ascontiguousarray(image))
    lines = [
        TextLine(str(text), float(score), [[float(v) for v in p] for p in corners])
        for corners, text, score in found or []
        if float(score) >= MIN_CONFIDENCE and str(text).strip()
    ]
    lines.sort(key=lambda line: (line.corners[0][1], line.corners[0][0]))
    log.debug("read %d text lines", len(lines))
    return lines


def compact(text: str) -> str:
    """Upper case letters and digits only: how OCR text and names are compared."""
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def id_pattern(device_id: str) -> re.Pattern[str]:
    """A device id as printed: its parts joined by a dash, dot, space or nothing."""
    parts = re.findall(r"[A-Z0-9]+", device_id.upper())
    joined = r"[-\s./]?".join(re.escape(p) for p in parts)
    return re.compile(rf"(?<![A-Z0-9]){joined}(?![A-Z0-9])")


def _id_hit(device_id: str, lines: list[str]) -> bool:
    pattern = id_pattern(device_id)
    for line in lines:
        upper = line.upper()
        if pattern.search(upper) or pattern.search(LABELS.sub(" ", upper)):
            return True
    return False


def _score(device: dict[str, Any], lines: list[str]) -> tuple[int, str]:
    """How strongly the text names this device, and by what."""
    if _id_hit(str(device["id"]), lines):
        return 3, f"id {device['id']}"
    text = compact(" ".join(lines))
    for key in ("serial", "model"):
        value = compact(str(device.get(key) or ""))
        if len(value) >= 4 and value in text:
            return 3, f"{key} {device[key]}"
    names = [device.get("name", ""), *device.get("aliases", [])]
    names = sorted((n for n in names if len(compact(n)) >= MIN_NAME_CHARS), key=len)
    for name in reversed(names):
        if compact(name) in text:
            return 2, f"name {name!r}"
    return 0, ""


def identify(lines: list[str], devices: list[dict[str, Any]]) -> DeviceMatch | None:
    """The device whose id, serial, model or name the text holds, if any."""
    scored = [(*_score(d, lines), d) for d in devices]
    scored = [s for s in scored if s[0] > 0]
    if not scored:
        return None
    scored.sort(key=lambda s: (-s[0], -len(s[1])))
    best_score, matched_on, device = scored[0]
    rivals = [
        str(d["id"])
        for score, on, d in scored[1:]
        if score == best_score and len(on) == len(matched_on)
    ]
    return DeviceMatch(device, matched_on, best_score, rivals)


def read_nameplate(image: np.ndarray, devices: list[dict[str, Any]]) -> dict:
    """What the plate says and which device it is, as JSON-able data."""
    lines = read_text(image)
    if not lines:
        return {
            "text": [],
            "device": None,
            "note": "No text found on the plate: take a closer, sharper picture "
            "facing the plate.",
        }
    texts = [line.text for line in lines]
    match = identify(texts, devices)
    if match is None:
        return {
            "text": texts,
            "device": None,
            "note": "The text names no device of this site: check the asset tag.",
        }
    found = match.device
    return {
        "text": texts,
        "device": found["id"],
        "name": found.get("name"),
        "matched_on": match.matched_on,
        "ambiguous_with": match.rivals,
        "manuals": list(found.get("manuals", [])),
        "metrics": [
            {"name": m.get("name"), "unit": m.get("unit")}
            for m in found.get("metrics", [])
        ],
    }
