"""Errors the inspection tools raise; each message says what to do next.

ToolError (tools.errors)
└── VisionError          base of the inspection errors
    ├── ImageUnreadable  the image file is missing, empty or not an image
    ├── BadPrompt        a point or box lies outside the image or is malformed
    ├── CheckpointError  the SAM checkpoint is missing, corrupt or unsupported
    └── VisionUnavailable an optional dependency is not installed
"""

from __future__ import annotations

from tools.errors import ToolError

INSTALL_VISION = "pip install 'fieldpilot[vision]'"


class VisionError(ToolError):
    """Base class of every error the inspection tools raise on purpose."""


class ImageUnreadable(VisionError):
    """The image could not be read or decoded."""


class BadPrompt(VisionError):
    """A point or box prompt is malformed or outside the image."""


class CheckpointError(VisionError):
    """The SAM checkpoint named by a setting cannot be used."""


class VisionUnavailable(VisionError):
    """An optional dependency of the inspection tools is missing."""

    def __init__(self, package: str) -> None:
        super().__init__(
            f"The inspection tools need the {package} package, which is not "
            f"installed: run `{INSTALL_VISION}`."
        )
        self.package = package
