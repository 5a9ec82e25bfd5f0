"""The fast path: common device commands matched by templates, with no model.

"turn off the lights in the kitchen", "set meeting room 3A to 21 degrees",
"lower the temperature by 2 degrees in all meeting rooms on the third floor",
"close the heating water valve": sentence templates (hassil, the template
matcher of Home Assistant) are filled with the site's own words — area names
and aliases, floor names, device names, aliases and ids — and a whole-sentence
match becomes the same tool calls the planner would write. The calls then go
through the same guard, act and verify as a model's, so the fast path is only
quicker, never more trusted. Anything that does not match goes to a model.

    fast = FastPath.for_site(gateway.site(), gateway.devices())
    fast.match("turn off the kitchen lights")
    # [{"tool": "switch", "args": {"target": {...}, "on": False}}]
"""

from __future__ import annotations

import logging
import re
from typing import Any

log = logging.getLogger(__name__)

TEMPLATE_SYNTAX = re.compile(r"[()\[\]{}<>|;:]")
KINDS = {
    "light": "(light|lights|lamp|lamps|lighting)",
    "hvac": "(heating|air conditioning|thermostat|hvac)",
}
DEGREES = "[(degree|degrees|°)] [{unit}]"
TYPE = "[(pump|machine|chiller|valve|drone|light|heat pump|air handler|unit)]"

SENTENCES: dict[str, list[str]] = {
    # switch: type in one area, type on a whole floor, one device
    "switch_area": [
        "(turn|switch) {state} [the] {kind} in [the] {area}",
        "(turn|switch) [the] {kind} in [the] {area} {state}",
        "(turn|switch) {state} [the] {area} {kind}",
        "(turn|switch) [the] {area} {kind} {state}",
    ],
    "switch_floor": [
        "(turn|switch) {state} all [of] [the] {kind} on [the] {floor} [floor]",
        "(turn|switch) all [of] [the] {kind} on [the] {floor} [floor] {state}",
    ],
    "switch_all": [
        "(turn|switch) {state} (all|every one of) [of] [the] {kind} "
        "[(in|of) the (building|site)]",
    ],
    "switch_device": [
        f"(turn|switch) {{state}} [the] {TYPE} {{device}}",
        f"(turn|switch) [the] {TYPE} {{device}} {{state}}",
    ],
    "stop_device": [f"(stop|shut down|shut off) [the] {TYPE} {{device}}"],
    "start_device": [f"start [up] [the] {TYPE} {{device}}"],
    # setpoints: absolute, or by a step, in one area or on one device
    "set_area": [
        "set [the] [(temperature|thermostat|heating|setpoint) (in|of)] [the] {area} "
        "[(temperature|thermostat|setpoint)] to {temperature} " + DEGREES,
    ],
    "set_device": [f"set [the] {{thermostat}} to {{temperature}} {DEGREES}"],
    "lower_area": [
        "(lower|decrease|reduce) [the] (temperature|setpoint) (in|of) [the] {area} by "
        "{delta} " + DEGREES,
        "(lower|decrease|reduce) [the] {area} (temperature|setpoint) by {delta} "
        + DEGREES,
        "(lower|decrease|reduce) [the] temperature by {delta} "
        + DEGREES
        + " (in|of) [the] {area}",
    ],
    "raise_area": [
        "(raise|increase) [the] (temperature|setpoint) (in|of) [the] {area} by "
        "{delta} " + DEGREES,
        "(raise|increase) [the] {area} (temperature|setpoint) by {delta} " + DEGREES,
        "(raise|increase) [the] temperature by {delta} "
        + DEGREES
        + " (in|of) [the] {area}",
    ],
    "lower_group": [
        "(lower|decrease|reduce) [the] temperature by {delta} "
        + DEGREES
        + " in all [the] {area_kind} on [the] {floor} [floor]",
        "(lower|decrease|reduce) [the] temperature in all [the] {area_kind} on [the] "
        "{floor} [floor] by {delta} " + DEGREES,
    ],
    "raise_group": [
        "(raise|increase) [the] temperature by {delta} "
        + DEGREES
        + " in all [the] {area_kind} on [the] {floor} [floor]",
        "(raise|increase) [the] temperature in all [the] {area_kind} on [the] "
        "{floor} [floor] by {delta} " + DEGREES,
    ],
    # valves
    "position_device": [
        f"(open|set) [the] {TYPE} {{valve}} to {{percent}} [(percent|%)]",
        f"open [the] {TYPE} {{valve}} {{percent}} (percent|%)",
    ],
    "close_device": [f"(close|shut) [the] {TYPE} {{valve}}"],
    "open_fully": [f"open [the] {TYPE} {{valve}} (fully|all the way|completely)"],
}


def phrase(text: str) -> str | None:
    """A name as a template phrase, or None when it cannot be one."""
    text = " ".join(text.split())
    if not text or TEMPLATE_SYNTAX.search(text):
        return None
    return text


def values(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A hassil list of (spoken words, value) pairs, duplicates dropped."""
    seen, out = set(), []
    for words, value in pairs:
        words = phrase(words)
        if words and words.lower() not in seen:
            seen.add(words.lower())
            out.append({"in": words, "out": value})
    return {"values": out}


def plural(word: str) -> str:
    """'meeting room' → 'meeting rooms', 'office' → 'offices'."""
    return word if word.endswith("s") else word + "s"


ORDINAL_WORDS = {
    1: ["first", "1st", "1"],
    2: ["second", "2nd", "2"],
    3: ["third", "3rd", "3"],
    4: ["fourth", "4th", "4"],
    5: ["fifth", "5th", "5"],
}


def site_lists(site: dict[str, Any], devices: list[dict[str, Any]]) -> dict[str, Any]:
    """The slot lists of the templates, from the site's own words."""
    areas = site.get("areas", [])
    floors = site.get("floors", [])
    area_pairs = [
        (word, a["id"]) for a in areas for word in (a["name"], a["id"], *a["aliases"])
    ]
    kinds = sorted({a["kind"] for a in areas if a.get("kind")})
    floor_pairs = [(f["name"], f["id"]) for f in floors]
    floor_pairs += [
        (word, f["id"]) for f in floors for word in ORDINAL_WORDS.get(f["id"], [])
    ]

    def device_pairs(wanted: set[str]) -> list[tuple[str, str]]:
        return [
            (word, d["id"])
            for d in devices
            if wanted & set(d.get("actions", []))
            for word in (d["id"], d["name"], *d.get("aliases", []))
        ]

    return {
        "state": {"values": [{"in": "on", "out": True}, {"in": "off", "out": False}]},
        "kind": {"values": [{"in": words, "out": k} for k, words in KINDS.items()]},
        "area": values(area_pairs),
        "area_kind": values([(plural(k), k) for k in kinds]),
        "floor": values(floor_pairs),
        "device": values(device_pairs({"turn_on", "turn_off"})),
        "valve": values(device_pairs({"set_position"})),
        "thermostat": values(device_pairs({"set_setpoint"})),
        "temperature": {"range": {"from": -40, "to": 120, "fractions": "tenths"}},
        "delta": {"range": {"from": 0, "to": 20, "fractions": "tenths"}},
        "percent": {"range": {"from": 0, "to": 100}},
        "unit": values(
            [("celsius", "C"), ("C", "C"), ("°C", "C"), ("fahrenheit", "F")]
            + [("F", "F"), ("°F", "F")]
        ),
    }


def target(
    device: str | None = None,
    kind: str | None = None,
    area: str | None = None,
    floor: int | None = None,
) -> dict[str, Any]:
    """A device target as the planner writes it."""
    return {"device": device, "type": kind, "area": area, "floor": floor}


class FastPath:
    """Templates over one site's words; `match` gives tool calls or None."""

    def __init__(self, lists: dict[str, Any]) -> None:
        from hassil import Intents

        self._intents = Intents.from_dict(
            {
                "language": "en",
                "intents": {
                    name: {"data": [{"sentences": sentences}]}
                    for name, sentences in SENTENCES.items()
                },
                "lists": lists,
            }
        )

    @classmethod
    def for_site(cls, site: dict[str, Any], devices: list[dict[str, Any]]) -> FastPath:
        """A fast path that knows the site's areas, floors and devices."""
        return cls(site_lists(site, devices))

    def match(self, request: str) -> list[dict[str, Any]] | None:
        """The tool calls of a request the templates cover, or None."""
        from hassil import recognize

        text = request.strip().rstrip(".!").strip()
        if not text or "?" in text:
            return None
        result = recognize(text, self._intents)
        if result is None:
            return None
        slots = {name: entity.value for name, entity in result.entities.items()}
        calls = to_calls(result.intent.name, slots, slots.get("kind"))
        log.debug("fast path %s %s -> %s", result.intent.name, slots, calls)
        return calls


def to_calls(
    intent: str, slots: dict[str, Any], kind: str | None
) -> list[dict[str, Any]] | None:
    """The planner's calls for one matched template."""
    unit = slots.get("unit", "C")
    if intent == "switch_area":
        where = target(kind=kind, area=slots["area"])
        return [{"tool": "switch", "args": {"target": where, "on": slots["state"]}}]
    if intent == "switch_all":
        where = target(kind=kind)
        return [{"tool": "switch", "args": {"target": where, "on": slots["state"]}}]
    if intent == "switch_floor":
        where = target(kind=kind, floor=slots["floor"])
        return [{"tool": "switch", "args": {"target": where, "on": slots["state"]}}]
    if intent in ("switch_device", "stop_device", "start_device"):
        on = slots["state"] if intent == "switch_device" else intent == "start_device"
        where = target(device=slots["device"])
        return [{"tool": "switch", "args": {"target": where, "on": on}}]
    if intent in ("set_area", "set_device"):
        where = (
            target(device=slots["thermostat"])
            if intent == "set_device"
            else target(kind="hvac", area=slots["area"])
        )
        args = {"target": where, "value": float(slots["temperature"])}
        return [
            {"tool": "set_setpoint", "args": {**args, "relative": False, "unit": unit}}
        ]
    if intent in ("lower_area", "raise_area", "lower_group", "raise_group"):
        sign = -1.0 if intent.startswith("lower") else 1.0
        if intent.endswith("group"):
            where = target(kind="hvac", area=slots["area_kind"], floor=slots["floor"])
        else:
            where = target(kind="hvac", area=slots["area"])
        args = {"target": where, "value": sign * float(slots["delta"])}
        return [
            {"tool": "set_setpoint", "args": {**args, "relative": True, "unit": unit}}
        ]
    if intent in ("position_device", "close_device", "open_fully"):
        percent = {"close_device": 0.0, "open_fully": 100.0}.get(intent)
        if percent is None:
            percent = float(slots["percent"])
        where = target(device=slots["valve"])
        return [{"tool": "set_position", "args": {"target": where, "percent": percent}}]
    return None
