"""Resolve what people say ("all meeting rooms on the third floor", "pump 2") to
device records from the gateway.

Names and aliases are what people say; ids are what the gateway uses. Matching is
deterministic: exact id, name or alias first, then an area (id, name, alias or kind),
then the closest name by token overlap. A miss raises `DeviceNotFound` with the
names that were close, so the model or the person can try again.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from difflib import SequenceMatcher

from pydantic import Field, field_validator

from tools.base import ToolArgs
from tools.errors import DeviceNotFound

TYPE_WORDS = {
    "hvac": ("hvac", "thermostat", "temperature", "heating", "cooling", "ac", "zone"),
    "light": ("light", "lights", "lamp", "lamps", "lighting", "bulb", "bulbs"),
    "pump": ("pump", "pumps"),
    "valve": ("valve", "valves"),
    "drone": ("drone", "drones", "uav"),
    "chiller": ("chiller", "chillers"),
    "machine": ("machine", "machines", "mill", "cnc"),
    "ahu": ("ahu", "air handling unit", "air handler"),
    "heat_pump": ("heat pump", "heat_pump"),
    "printer": ("printer", "3d printer"),
    "router": ("router",),
}
ORDINALS = {"first": 1, "second": 2, "third": 3, "ground": 0}
STOP_WORDS = {"the", "a", "an", "all", "in", "on", "of", "every", "my", "floor"}


class DeviceSelector(ToolArgs):
    """Which devices a step is about: one named device, or a group by filters."""

    device: str | None = Field(
        default=None, description="A device id, name or alias, e.g. 'P-2'."
    )
    type: str | None = Field(
        default=None, description="Device type: hvac, light, pump, valve, drone..."
    )
    area: str | None = Field(
        default=None,
        description="A room id, name or kind, e.g. '3A' or 'meeting room'.",
    )
    floor: int | None = Field(default=None, ge=0, le=99)

    @field_validator("device", "type", "area", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def describe(self) -> str:
        """A short phrase for messages: 'hvac in meeting room on floor 3'."""
        parts = [self.device or self.type or "devices"]
        if self.area:
            parts.append(f"in {self.area}")
        if self.floor is not None:
            parts.append(f"on floor {self.floor}")
        return " ".join(parts)


def with_area_aliases(devices: list[dict], areas: list[dict]) -> list[dict]:
    """Devices with their area's aliases attached, so "boardroom" finds room 3A."""
    aliases = {a["id"]: a.get("aliases", []) for a in areas}
    return [{**d, "area_aliases": aliases.get(d.get("area"), [])} for d in devices]


def normalize(text: str) -> str:
    """Lower-case, keep letters, digits and dashes, single spaces."""
    text = re.sub(r"[^a-z0-9\-]+", " ", text.lower())
    return " ".join(text.split())


def tokens(text: str) -> set[str]:
    """Meaningful tokens of a phrase, singularised crudely ('rooms' -> 'room')."""
    out = set()
    for word in normalize(text).replace("-", " ").split():
        if word in STOP_WORDS:
            continue
        out.add(word[:-1] if len(word) > 3 and word.endswith("s") else word)
    return out


def canonical_type(word: str | None) -> str | None:
    """Map 'thermostats' or 'lamps' to the site's device type, else keep the word."""
    if not word:
        return None
    norm = normalize(word).replace("_", " ")
    singular = norm[:-1] if norm.endswith("s") else norm
    for kind, words in TYPE_WORDS.items():
        if {norm, singular} & {kind, *words}:
            return kind
    return norm


def device_names(device: dict) -> list[str]:
    """Every way people may name a device."""
    return [device["id"], device.get("name", ""), *device.get("aliases", [])]


def area_names(device: dict) -> list[str]:
    """Every way people may name a device's area."""
    names = [device.get("area") or "", device.get("area_name") or ""]
    names += device.get("area_aliases") or []
    return [n for n in names if n]


def matches_area(device: dict, wanted: str) -> bool:
    """True when `wanted` names the device's area, its alias, or its kind."""
    norm = normalize(wanted)
    if any(norm == normalize(name) for name in area_names(device)):
        return True
    kind = device.get("area_kind") or ""
    if kind and tokens(kind) and tokens(kind) == tokens(wanted):
        return True
    # "3A" names "meeting room 3A"; "room" alone names no room.
    wanted_tokens = tokens(wanted)
    if not any(ch.isdigit() for token in wanted_tokens for ch in token):
        return False
    return any(wanted_tokens <= tokens(n) for n in area_names(device))


def similarity(query: str, candidate: str) -> float:
    """Token overlap blended with character similarity, 0..1."""
    q, c = tokens(query), tokens(candidate)
    overlap = len(q & c) / max(len(q), 1)
    ratio = SequenceMatcher(None, normalize(query), normalize(candidate)).ratio()
    return 0.7 * overlap + 0.3 * ratio


def exact_names(devices: list[dict], name: str) -> list[dict]:
    """Devices whose id, name or alias is exactly `name` (case and spacing aside)."""
    norm = normalize(name)
    return [d for d in devices if norm in {normalize(n) for n in device_names(d)}]


def by_name(devices: list[dict], name: str, exact: bool = False) -> list[dict]:
    """Devices named exactly `name`, or the area it names, or (unless `exact`)
    the closest name."""
    named = exact_names(devices, name)
    if named:
        return named
    in_area = [d for d in devices if matches_area(d, name)]
    if in_area or exact:
        return in_area
    scored = sorted(
        (
            (max(similarity(name, n) for n in device_names(d) + area_names(d)), d)
            for d in devices
        ),
        key=lambda pair: pair[0],
        reverse=True,
    )
    if scored and scored[0][0] >= 0.6:
        best = scored[0][0]
        return [d for score, d in scored if score >= best - 1e-9]
    return []


def select(
    devices: Iterable[dict], selector: DeviceSelector, exact: bool = False
) -> list[dict]:
    """The devices `selector` names; a miss raises DeviceNotFound naming close ones.

    With `exact` (used for actions), names must match an id, name or alias, and
    a near miss such as "chiller 7" for chiller 6 is no match.
    """
    devices = list(devices)
    pool = devices
    kind = canonical_type(selector.type)
    if kind:
        typed = [d for d in pool if d["type"] == kind]
        pool = typed or pool
    if selector.floor is not None:
        pool = [d for d in pool if d.get("floor") == selector.floor]
    if selector.area:
        in_area = [d for d in pool if matches_area(d, selector.area)]
        if not in_area and not selector.device:
            # A small model sometimes puts a device name in the area field.
            in_area = by_name(pool, selector.area, exact)
        pool = in_area
    if selector.device:
        pool = by_name(pool, selector.device, exact)
    elif kind:
        pool = [d for d in pool if d["type"] == kind]
    if not pool:
        # A wrong type, area or floor guess must not hide a device named exactly.
        names = [n for n in (selector.device, selector.area) if n]
        pool = [d for name in names for d in exact_names(devices, name)]
    if not pool:
        raise DeviceNotFound(not_found_message(devices, selector))
    return pool


def not_found_message(devices: list[dict], selector: DeviceSelector) -> str:
    """A sentence naming the closest real devices."""
    query = " ".join(filter(None, [selector.device, selector.area, selector.type]))
    close = sorted(
        devices,
        key=lambda d: max(similarity(query, n) for n in device_names(d)),
        reverse=True,
    )[:4]
    names = ", ".join(f"{d['id']} ({d.get('name', '')})" for d in close)
    return f"No device matches {selector.describe()}. Closest known devices: {names}."
