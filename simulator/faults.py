"""Faults a test, an evaluation or a drill can switch on in the simulated site.

    PUT /api/faults {"fail_next": 1}            the next request answers 503
    PUT /api/faults {"stuck": ["HVAC-3A"]}      commands are acknowledged, but
                                                the device's state does not move
    GET /api/faults                             what is switched on now

They live in the gateway's memory, never in the site's database, so a restart
clears them. A real gateway has no such endpoint; agents must cope with both
kinds of failure there too.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Faults(BaseModel):
    """The faults switched on in a running simulated gateway."""

    model_config = ConfigDict(extra="forbid")

    fail_next: int = Field(
        default=0, ge=0, le=1000, description="Requests to fail before recovering."
    )
    status: int = Field(default=503, ge=500, le=599)
    stuck: list[str] = Field(
        default_factory=list, description="Device ids whose actuators do not move."
    )
