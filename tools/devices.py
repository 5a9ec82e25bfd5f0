"""Device tools: find devices, read their state, and change setpoints, power and
positions through the site's gateway.

Every change is validated twice: here (units, relative changes, the device's limits,
so a group change is made on all its devices or none, and the model gets a precise
sentence back) and again by the gateway, which is the authority and keeps the
audit log.
"""

from __future__ import annotations

import logging
from typing import Literal

from pydantic import Field

from tools.base import Source, ToolArgs, ToolResult
from tools.errors import CommandRejected, DeviceNotFound, GatewayError, ToolError
from tools.gateway import GatewayClient
from tools.selectors import DeviceSelector, select, with_area_aliases

log = logging.getLogger(__name__)

Unit = Literal["C", "F"]


class FindDevicesArgs(ToolArgs):
    """Arguments of find_devices."""

    target: DeviceSelector = Field(default_factory=DeviceSelector)


class ReadStateArgs(ToolArgs):
    """Arguments of read_state."""

    target: DeviceSelector


class SetSetpointArgs(ToolArgs):
    """Arguments of set_setpoint: absolute, or relative (+/- delta) when asked."""

    target: DeviceSelector
    value: float = Field(
        ge=-1000,
        le=1000,
        allow_inf_nan=False,
        description="The new setpoint, or the change if relative.",
    )
    relative: bool = Field(default=False, description="True for 'raise/lower by'.")
    unit: Unit = Field(default="C", description="C for Celsius, F for Fahrenheit.")


class SwitchArgs(ToolArgs):
    """Arguments of switch."""

    target: DeviceSelector
    on: bool


class SetPositionArgs(ToolArgs):
    """Arguments of set_position (valves, dampers), in percent open."""

    target: DeviceSelector
    percent: float = Field(
        ge=-100, le=200, allow_inf_nan=False, description="Percent open, 0-100."
    )
    relative: bool = False


def to_celsius(value: float, unit: Unit, relative: bool) -> float:
    """Convert a setpoint or a setpoint change to degrees Celsius."""
    if unit == "C":
        return value
    return value * 5 / 9 if relative else (value - 32) * 5 / 9


def summarize(device: dict) -> dict:
    """The fields of a device record that people and the model need."""
    keys = ("id", "name", "type", "area", "area_name", "floor", "unit", "limits")
    return {k: device.get(k) for k in keys if device.get(k) is not None}


def site_devices(gateway: GatewayClient) -> list[dict]:
    """Every device of the site, with its area's aliases."""
    return with_area_aliases(gateway.devices(), gateway.site().get("areas", []))


def resolve(
    gateway: GatewayClient, target: DeviceSelector, action: str | None = None
) -> list[dict]:
    """Devices named by `target`; with `action`, only those that support it."""
    devices = site_devices(gateway)
    if action:
        capable = [d for d in devices if action in d.get("actions", [])]
        try:
            return select(capable, target, exact=True)
        except DeviceNotFound:
            matched = select(devices, target, exact=True)  # names the closest
            names = ", ".join(d["id"] for d in matched)
            allowed = ", ".join(matched[0].get("actions", [])) or "none"
            raise DeviceNotFound(
                f"{names} cannot {action.replace('_', ' ')}; allowed actions: "
                f"{allowed}."
            ) from None
    return select(devices, target)


def find_devices(gateway: GatewayClient, args: FindDevicesArgs) -> ToolResult:
    """List the devices a selector names."""
    found = resolve(gateway, args.target)
    return ToolResult.success([summarize(d) for d in found])


def read_state(gateway: GatewayClient, args: ReadStateArgs) -> ToolResult:
    """Read the current state of each device a selector names."""
    states = []
    for device in resolve(gateway, args.target):
        full = gateway.device(device["id"])
        states.append({**summarize(full), "state": full.get("state", {})})
    return ToolResult.success(states, sources=[Source(device=s["id"]) for s in states])


def apply(
    gateway: GatewayClient,
    device: dict,
    action: str,
    value: float | None,
    unit: str | None,
) -> dict:
    """Send one command; return a per-device outcome, never raise for a refusal."""
    try:
        reply = gateway.command(device["id"], action, value=value, unit=unit)
    except CommandRejected as exc:
        return {"device": device["id"], "ok": False, "error": str(exc)}
    except ToolError as exc:
        # The gateway failed mid-group: report it beside what already changed.
        return {"device": device["id"], "ok": False, "error": f"not sent: {exc}"}
    return {
        "device": device["id"],
        "ok": True,
        "before": reply.get("before"),
        "after": reply.get("after"),
    }


def outcome(results: list[dict]) -> ToolResult:
    """One ToolResult for a group action: ok only if every device succeeded."""
    sources = [Source(device=r["device"]) for r in results]
    failed = [r for r in results if not r["ok"]]
    if not failed:
        return ToolResult(ok=True, data=results, sources=sources)
    errors = " ".join(r["error"] for r in failed)
    return ToolResult(ok=False, data=results, error=errors, sources=sources)


def outside_limits(device: dict, value: float, what: str, unit: str) -> str | None:
    """A sentence when `value` lies outside the device's limits, else None."""
    limits = device.get("limits") or {}
    low, high = limits.get("min"), limits.get("max")
    if (low is not None and value < low) or (high is not None and value > high):
        return f"{what.capitalize()} {value:g} {unit} is outside its limits " + (
            f"{low:g}–{high:g} {unit}."
        )
    return None


def refuse_all(problems: list[tuple[str, str]]) -> ToolResult:
    """Refuse a whole group when any device would be out of its limits."""
    return ToolResult.failure(
        "Nothing was changed: " + " ".join(sentence for _, sentence in problems),
        data=[
            {"device": d, "ok": False, "error": sentence} for d, sentence in problems
        ],
    )


def new_setpoints(
    gateway: GatewayClient, args: SetSetpointArgs
) -> tuple[list[tuple[dict, float]], list[tuple[str, str]]]:
    """The absolute setpoint (°C) each targeted device would get, and the problems
    (no current setpoint for a relative change, or outside the device's limits)."""
    change = to_celsius(args.value, args.unit, args.relative)
    plan, problems = [], []
    for device in resolve(gateway, args.target, "set_setpoint"):
        new = change
        if args.relative:
            current = gateway.device(device["id"]).get("state", {}).get("setpoint")
            if current is None:
                problems.append((device["id"], "It reports no current setpoint."))
                continue
            new = float(current) + change
        new = round(new, 1)
        problem = outside_limits(device, new, "setpoint", "°C")
        if problem:
            problems.append((device["id"], problem))
        plan.append((device, new))
    return plan, problems


def set_setpoint(gateway: GatewayClient, args: SetSetpointArgs) -> ToolResult:
    """Set (or raise/lower) the temperature setpoint of each targeted device.

    The new values are checked against every device's limits first: a group
    change is made on all of its devices or on none.
    """
    plan, problems = new_setpoints(gateway, args)
    if problems:
        return refuse_all(problems)
    return outcome([apply(gateway, d, "set_setpoint", v, "°C") for d, v in plan])


def switch(gateway: GatewayClient, args: SwitchArgs) -> ToolResult:
    """Turn each targeted device on or off."""
    action = "turn_on" if args.on else "turn_off"
    devices = resolve(gateway, args.target, action)
    return outcome([apply(gateway, d, action, None, None) for d in devices])


def new_positions(
    gateway: GatewayClient, args: SetPositionArgs
) -> tuple[list[tuple[dict, float]], list[tuple[str, str]]]:
    """The position (percent open) each targeted valve would get, and the
    problems (outside 0–100 %)."""
    plan, problems = [], []
    for device in resolve(gateway, args.target, "set_position"):
        new = args.percent
        if args.relative:
            state = gateway.device(device["id"]).get("state", {})
            new = float(state.get("position", 0)) + args.percent
        new = round(new, 1)
        if not 0 <= new <= 100:
            problems.append((device["id"], f"Position {new:g} % is outside 0–100 %."))
        plan.append((device, new))
    return plan, problems


def set_position(gateway: GatewayClient, args: SetPositionArgs) -> ToolResult:
    """Set (or change) the opening of each targeted valve, in percent."""
    plan, problems = new_positions(gateway, args)
    if problems:
        return refuse_all(problems)
    return outcome([apply(gateway, d, "set_position", v, "%") for d, v in plan])


__all__ = [
    "FindDevicesArgs",
    "GatewayError",
    "ReadStateArgs",
    "SetPositionArgs",
    "SetSetpointArgs",
    "SwitchArgs",
    "find_devices",
    "new_positions",
    "new_setpoints",
    "read_state",
    "set_position",
    "set_setpoint",
    "switch",
]
