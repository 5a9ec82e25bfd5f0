"""What the agent may do with a model's plan before any tool runs.

A plan from a small model is checked against the request itself: filters the
person never said (a floor number) are dropped, and a question never runs a tool
that changes the world.
"""

from __future__ import annotations

import re
from typing import Any

from agent.state import QUESTIONS, Intent
from tools.registry import SPECS, Risk

FLOOR_WORDS = re.compile(r"\b(floor|storey|story|level|upstairs|downstairs)\b", re.I)


def ground_arguments(arguments: dict[str, Any], request: str) -> dict[str, Any]:
    """Drop a target's floor when the request names no floor."""
    target = arguments.get("target")
    if isinstance(target, dict) and target.get("floor") is not None:
        if not FLOOR_WORDS.search(request):
            arguments = {**arguments, "target": {**target, "floor": None}}
    return arguments


def risk_of(tool: str) -> Risk:
    """The risk class of a tool (unknown tools count as reads: they fail safely)."""
    spec = SPECS.get(tool)
    return spec.risk if spec else Risk.READ


def refusal_reason(intent: str, tool: str) -> str | None:
    """Why a step must not run for this intent, or None when it may."""
    try:
        kind = Intent(intent)
    except ValueError:
        kind = Intent.OTHER
    if kind in QUESTIONS and risk_of(tool) is not Risk.READ:
        return "the request is a question, and questions never change devices"
    return None
