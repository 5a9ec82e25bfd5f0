"""The one shape every tool returns, so the agent acts on success and failure alike."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ToolArgs(BaseModel):
    """Base of every tool's arguments: strict types, no unknown fields.

    Strict means `true` is no number and "21" no float; a model's malformed call
    is refused with the field named, before anything reaches a device.
    """

    model_config = ConfigDict(extra="forbid", strict=True)


class Source(BaseModel):
    """Where a result came from: a device, or a manual's document and section."""

    device: str | None = None
    document: str | None = None
    section: str | None = None


class ToolResult(BaseModel):
    """One tool call's outcome: `data` if `ok`, else `error`, a sentence to act on."""

    ok: bool
    data: Any = None
    error: str | None = None
    sources: list[Source] = Field(default_factory=list)

    @classmethod
    def success(cls, data: Any, sources: list[Source] | None = None) -> ToolResult:
        """Build a successful result."""
        return cls(ok=True, data=data, sources=sources or [])

    @classmethod
    def failure(cls, error: str, data: Any = None) -> ToolResult:
        """Build a failed result whose error the model (and the person) can act on."""
        return cls(ok=False, error=error, data=data)
