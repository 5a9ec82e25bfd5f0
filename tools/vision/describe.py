"""A description of the picture: from a vision-language model when one is set
(`FIELDPILOT_VLM_URL`, an OpenAI-compatible endpoint), otherwise written from
the measured findings, and saying which."""

from __future__ import annotations

import base64
import io
import logging
from typing import Any

import numpy as np

from tools.vision.errors import VisionError
from tools.vision.settings import VisionSettings

log = logging.getLogger(__name__)

DERIVED = "derived from measurements; no vision model configured"
PROMPT = (
    "You are inspecting industrial equipment. Describe what the picture shows "
    "in two or three sentences: the object, any visible damage (cracks, "
    "corrosion, scratches, leaks) and where it is."
)


def data_url(image: np.ndarray) -> str:
    """An HWC uint8 RGB image as a PNG data URL."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def ask_vlm(image: np.ndarray, question: str | None, settings: VisionSettings) -> str:
    """The model's description of the image; errors say which setting to check."""
    import httpx

    content = [
        {"type": "text", "text": f"{PROMPT}\n{question or ''}".strip()},
        {"type": "image_url", "image_url": {"url": data_url(image)}},
    ]
    headers = {}
    if settings.vlm_api_key is not None:
        headers["Authorization"] = f"Bearer {settings.vlm_api_key.get_secret_value()}"
    url = str(settings.vlm_url).rstrip("/") + "/chat/completions"
    body = {
        "model": settings.vlm_model or "default",
        "messages": [{"role": "user", "content": content}],
        "temperature": 0,
    }
    try:
        response = httpx.post(
            url, json=body, headers=headers, timeout=settings.vlm_timeout_s
        )
        response.raise_for_status()
        text = response.json()["choices"][0]["message"]["content"]
    except (httpx.HTTPError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise VisionError(
            f"The vision model at {settings.vlm_url} failed ({exc}): check "
            "FIELDPILOT_VLM_URL and FIELDPILOT_VLM_MODEL, or unset them."
        ) from exc
    log.info("described the image with %s at %s", settings.vlm_model, url)
    return str(text).strip()


def describe_findings(findings: list[dict[str, Any]], px_per_mm: float | None) -> str:
    """A deterministic sentence or two from the measured segments."""
    if not findings:
        return "No object or defect was segmented."
    parts = []
    for i, found in enumerate(findings, start=1):
        kind = found.get("kind") or "region"
        m = found["measurement"]
        if px_per_mm:
            size = (
                f"{m['length_mm']:.1f} mm long, up to {m['max_width_mm']:.1f} mm "
                f"wide, {m['area_mm2']:.0f} mm²"
            )
        else:
            size = (
                f"{m['length_px']:.0f} px long, up to {m['max_width_px']:.0f} px "
                f"wide, {m['area_px']} px"
            )
        x0, y0, x1, y1 = m["box_xyxy"]
        parts.append(f"{i}. {kind} at ({x0}, {y0})-({x1}, {y1}): {size}")
    return f"{len(findings)} region(s) segmented: " + "; ".join(parts) + "."


def describe(
    image: np.ndarray,
    findings: list[dict[str, Any]],
    px_per_mm: float | None,
    question: str | None,
    settings: VisionSettings,
) -> dict[str, str]:
    """{"text", "source"}: the model's words if one is set, else the findings'."""
    if settings.vlm_url:
        return {"text": ask_vlm(image, question, settings), "source": "vision model"}
    return {"text": describe_findings(findings, px_per_mm), "source": DERIVED}
