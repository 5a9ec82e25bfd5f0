"""What the agent may do with a model's plan before any tool runs.

A plan from a small model is checked against the request itself: filters the
person never said (a floor number) are dropped, and a question never runs a tool
that changes the world.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from agent.state import QUESTIONS, Intent
from tools.registry import SPECS, Risk
from tools.selectors import device_names, normalize

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


ACTING_INTENTS = {Intent.COMMAND: None, Intent.WORK_ORDERS: {"open_work_order"}}


def refusal_reason(intent: str, tool: str) -> str | None:
    """Why a step must not run for this intent, or None when it may.

    Only a command changes devices; a work-order request may open a work order.
    """
    if risk_of(tool) is Risk.READ:
        return None
    try:
        kind = Intent(intent)
    except ValueError:
        kind = Intent.OTHER
    if kind in ACTING_INTENTS and tool in (ACTING_INTENTS[kind] or {tool}):
        return None
    if kind in QUESTIONS:
        return "the request is a question, and questions never change devices"
    return "the request did not ask to change anything"


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
    """Device ids in the request ("P-9") that name no device of the site.

    Only words shaped like the site's own ids count, so "ISO-9001" is no device.
    """
    known, prefixes = set(), set()
    for device in devices:
        if "-" in device["id"]:
            prefixes.add(device["id"].split("-")[0].lower())
        for name in [device["id"], *device.get("aliases", [])]:
            known.add(name.lower().replace("-", ""))
    return [
        ref
        for ref in dict.fromkeys(ID_LIKE.findall(request))
        if ref.split("-")[0].lower() in prefixes
        and ref.lower().replace("-", "") not in known
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


FLOOR_NAMED = re.compile(
    r"\b(first|second|third|fourth|ground|\d+(?:st|nd|rd|th))\s+floor\b"
    r"|\bfloor\s+(\d+)\b",
    re.I,
)


def named_floor(request: str) -> int | None:
    """The floor a request names ("third floor", "floor 2"), if any."""
    match = FLOOR_NAMED.search(request)
    if not match:
        return None
    word = (match.group(1) or match.group(2)).lower()
    if word == "ground":
        return 0
    return ORDINALS.get(word) or int(re.sub(r"\D", "", word) or 0) or None


def phrase_in(text: str, name: str) -> bool:
    """True when `name` appears in `text` as whole words (both normalised)."""
    norm = normalize(name)
    return len(norm) >= 2 and f" {norm} " in text


def out_of_scope(
    request: str, touched: list[str], devices: list[dict], areas: list[dict]
) -> list[str]:
    """Devices an action would change that the request does not name.

    When the request names devices or rooms, only those (and the devices in those
    rooms) are in scope; when it names a floor, only devices on that floor.
    """
    text = f" {normalize(request)} "
    named = {
        d["id"] for d in devices if any(phrase_in(text, n) for n in device_names(d))
    }
    rooms = {
        a["id"]
        for a in areas
        if any(phrase_in(text, n) for n in [a["id"], a["name"], *a.get("aliases", [])])
    }
    floor = named_floor(request)
    by_id = {d["id"]: d for d in devices}
    outside = []
    for device_id in touched:
        device = by_id.get(device_id, {})
        if device_id in named:
            continue
        if (named or rooms) and device.get("area") not in rooms:
            outside.append(device_id)
        elif floor is not None and device.get("floor") != floor:
            outside.append(device_id)
    return outside


STOPPING_IS_CRITICAL = {"machine", "pump", "chiller", "ahu", "heat_pump", "compressor"}


@dataclass(frozen=True)
class SiteLimits:
    """Where an allowed action becomes one a person must approve."""

    comfort_min_c: float = 19.0
    comfort_max_c: float = 25.0
    group_limit: int = 5


def critical_reasons(
    tool: str,
    arguments: dict[str, Any],
    touched: list[dict],
    setpoints: dict[str, float],
    limits: SiteLimits,
    positions: dict[str, float] | None = None,
) -> list[str]:
    """Why an action needs a person's approval (empty when it does not).

    `touched` are the devices it changes, `setpoints` the absolute °C values a
    setpoint change would give them, `positions` the percent open a valve change
    would give them (after relative changes and rounding).
    """
    reasons = []
    if len(touched) > limits.group_limit:
        reasons.append(
            f"it changes {len(touched)} devices, more than {limits.group_limit}"
        )
    low, high = limits.comfort_min_c, limits.comfort_max_c
    by_id = {d["id"]: d for d in touched}
    for device, value in setpoints.items():
        if by_id.get(device, {}).get("type") == "hvac" and not low <= value <= high:
            reasons.append(
                f"{device} setpoint {value:g} °C is outside the comfort band "
                f"{low:g}–{high:g} °C"
            )
    if tool == "switch" and arguments.get("on") is False:
        stopped = [d["id"] for d in touched if d.get("type") in STOPPING_IS_CRITICAL]
        if stopped:
            reasons.append(f"it stops {', '.join(stopped)}")
    opened = [d for d, value in (positions or {}).items() if value >= 100]
    if tool == "set_position" and opened:
        reasons.append(f"it opens {', '.join(opened)} fully")
    return reasons


def ground_to_site(
    arguments: dict[str, Any], request: str, devices: list[dict], areas: list[dict]
) -> dict[str, Any]:
    """Tie a planned target to what the request says about this site.

    A small model fills targets loosely: "stop pump P-1" with an empty device,
    "the heating water valve" as area "heating water", "the lights on the first
    floor" with area "lobby" added. The device the request names by id or by
    exact name fills an empty device, and an area the request never mentions is
    dropped. Guard's scope checks still run on the result.
    """
    target = arguments.get("target")
    if not isinstance(target, dict):
        return arguments
    target = dict(target)
    if not target.get("device"):
        device = named_device(target, request, devices)
        if device:
            target["device"] = device["id"]
            if target.get("type") not in (None, device["type"]):
                target["type"] = None
            if not said_area(target.get("area"), request, areas, named=False):
                target["area"] = None
    if target.get("area") and not said_area(target["area"], request, areas):
        target["area"] = None
    return {**arguments, "target": target}


def named_device(target: dict, request: str, devices: list[dict]) -> dict | None:
    """The one device the request names by id, or by the exact name the target's
    area (plus type) spells; None when it is not exactly one."""
    said_ids = {ref.upper() for ref in ID_LIKE.findall(request)}
    by_id = [d for d in devices if d["id"].upper() in said_ids]
    if len(by_id) == 1:
        return by_id[0]
    if by_id or not target.get("area"):
        return None
    area, kind = normalize(target["area"]), normalize(target.get("type") or "")
    spelled = {area, f"{area} {kind}".strip()}
    text = f" {normalize(request)} "
    found = [
        d
        for d in devices
        if any(normalize(n) in spelled and phrase_in(text, n) for n in device_names(d))
    ]
    return found[0] if len(found) == 1 else None


def mentions(text: str, name: str) -> bool:
    """True when `text` (normalised, space-padded) has `name` or its plural."""
    return any(phrase_in(text, name + end) for end in ("", "s", "es"))


def said_area(area: Any, request: str, areas: list[dict], named: bool = True) -> bool:
    """True when the request mentions `area`, or a site area it names (by id,
    name, alias or kind). With `named=False`, only site areas count."""
    if not isinstance(area, str) or not area.strip():
        return False
    text, wanted = f" {normalize(request)} ", normalize(area)
    if named and mentions(text, area):
        return True
    for site_area in areas:
        names = [site_area["id"], site_area.get("name", ""), site_area.get("kind", "")]
        names = [n for n in [*names, *site_area.get("aliases", [])] if n]
        if wanted in {normalize(n) for n in names}:
            if any(mentions(text, n) for n in names):
                return True
    return False


def scope_refusal(
    step: dict, request: str, found: list[str], devices: list, areas: list
) -> str | None:
    """Why an action must not run: it reaches devices nobody asked to change."""
    target = step["arguments"].get("target")
    if isinstance(target, dict) and not any(target.values()):
        return "it names no device, room, type or floor"
    outside = out_of_scope(request, found, devices, areas)
    if outside:
        return (
            f"it would also change {', '.join(outside)}, which the request does "
            "not name"
        )
    if len(found) > 1 and not allows_group(request):
        return (
            f"it would change {len(found)} devices ({', '.join(found)}); name one "
            "device, or say 'all' to change every one"
        )
    return None
