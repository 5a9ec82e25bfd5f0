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


def said(name: Any, request: str) -> bool:
    """False for a device id of the prompt's examples ("D-4") that the request
    never mentions: the model copied it."""
    if not isinstance(name, str) or name.strip().upper() not in example_ids():
        return True
    squash = request.lower().replace("-", "").replace(" ", "")
    return name.lower().replace("-", "").strip() in squash


def example_ids() -> set[str]:
    """Device ids that appear in the planner's examples."""
    from agent.prompts import EXAMPLES

    return {ref.upper() for req, _ in EXAMPLES for ref in ID_LIKE.findall(req)}


def ground_arguments(arguments: dict[str, Any], request: str) -> dict[str, Any]:
    """Drop a floor, or an example's device id, that the request never named;
    read "area: 2" as floor 2. A small model copies such details."""
    if not said(arguments.get("device"), request):
        arguments = {**arguments, "device": None}
    target = arguments.get("target")
    if not isinstance(target, dict):
        return arguments
    if not said(target.get("device"), request):
        target = {**target, "device": None}
    if target.get("floor") is not None and not FLOOR_WORDS.search(request):
        target = {**target, "floor": None}
    return {**arguments, "target": floor_from_area(target, request)}


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


ID_LIKE = re.compile(r"\b([A-Za-z]{1,5}-\d{1,4}[A-Za-z]?)\b")
GROUP_WORDS = re.compile(
    r"\b(all|every|each|both|lights|lamps|rooms|offices|pumps|valves|thermostats|"
    r"drones|zones|heaters|floors)\b",
    re.I,
)
AREA_AS_FLOOR = re.compile(
    r"^\s*(\d{1,2})\s*$|\b(first|second|third|\d+(st|nd|rd|th))\b"
)
ORDINALS = {"first": 1, "second": 2, "third": 3}


def unknown_references(request: str, devices: list[dict]) -> list[str]:
    """Device ids in the request ("P-9") that name no device of the site."""
    known = set()
    for device in devices:
        for name in [device["id"], *device.get("aliases", [])]:
            known.add(name.lower().replace("-", ""))
    return [
        ref
        for ref in dict.fromkeys(ID_LIKE.findall(request))
        if ref.lower().replace("-", "") not in known
    ]


def allows_group(request: str) -> bool:
    """True when the person asked for more than one device ("all", "lights")."""
    return bool(GROUP_WORDS.search(request))


def floor_from_area(target: dict[str, Any], request: str) -> dict[str, Any]:
    """Read an area "2" or "second floor" as a floor when the request names one."""
    area = target.get("area")
    if not area or not FLOOR_WORDS.search(request):
        return target
    match = AREA_AS_FLOOR.search(area.lower())
    if not match or (not match.group(1) and "floor" not in area.lower()):
        return target
    word = match.group(1) or match.group(2)
    floor = ORDINALS.get(word) or int(re.sub(r"\D", "", word))
    if target.get("floor") not in (None, floor):
        return target
    return {**target, "area": None, "floor": floor}
