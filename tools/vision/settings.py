"""Settings of the inspection tools, read from `FIELDPILOT_*` variables.

Kept here until they join `agent.config.Settings`; tools never import `agent`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

SamModelType = Literal["vit_h", "vit_l", "vit_b"]


class VisionSettings(BaseSettings):
    """Where the SAM checkpoint and the vision-language model are, and the scale."""

    model_config = SettingsConfigDict(env_prefix="FIELDPILOT_", extra="ignore")

    sam_checkpoint: Path | None = Field(
        default=None,
        description="A segment-anything checkpoint (.pth); unset uses OpenCV.",
    )
    sam_model_type: SamModelType | None = Field(
        default=None,
        description="vit_h, vit_l or vit_b; unset infers it from the checkpoint.",
    )
    sam_device: str = Field(default="cpu", description="torch device for SAM.")
    px_per_mm: float | None = Field(
        default=None, gt=0, description="Image scale, pixels per millimetre."
    )
    vlm_url: str | None = Field(
        default=None,
        description="Base URL of an OpenAI-compatible endpoint with a vision model.",
    )
    vlm_model: str | None = None
    vlm_api_key: SecretStr | None = None
    vlm_timeout_s: float = Field(default=60.0, gt=0)
