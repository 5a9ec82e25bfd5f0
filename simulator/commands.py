"""Check a device command against the site model and work out the state it sets.

`plan_command` is pure: it reads only the device's definition, raises a
`CommandError` whose sentence says what was wrong and what is allowed, and
returns the state keys to write. Setpoints are stored in °C; a setpoint sent
in °F is converted (and rounded to 0.1 °C) before the limits are checked.
"""

from __future__ import annotations

import math
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict

from simulator.errors import CommandError
from simulator.model import Action, Device

ACTIONS: tuple[str, ...] = get_args(Action)
"""Every action the gateway knows."""

CELSIUS_UNITS = frozenset({"°c", "c", "degc", "celsius", "deg c", "degrees c", "℃"})
FAHRENHEIT_UNITS = frozenset(
    {"°f", "f", "degf", "fahrenheit", "deg f", "degrees f", "℉"}
)
PERCENT_UNITS = frozenset({"%", "percent", "pct"})


class CommandRequest(BaseModel):
    """The body of POST /api/devices/{id}/commands; checked by `plan_command`."""

    model_config = ConfigDict(extra="forbid")

    action: str | None = None
    value: Any = None
    unit: str | None = None
    actor: str | None = None


def plan_command(
    device: Device, action: str | None, value: Any, unit: str | None
) -> dict[str, bool | float]:
    """Validate a command for `device`; return the state keys it sets.

    Raises `CommandError` (HTTP 422) for a missing, unknown or disallowed action,
    a missing or non-numeric value, a wrong unit or a value outside the limits.
    """
    allowed = ", ".join(device.actions) or "none (it is read-only)"
    if not action:
        raise CommandError(f"A command needs an action; {device.id} allows: {allowed}.")
    if action not in ACTIONS:
        raise CommandError(
            f"'{action}' is not an action the gateway knows; {device.id} allows: "
            f"{allowed}."
        )
    if action not in device.actions:
        raise CommandError(
            f"{device.id} does not allow {action}; it allows: {allowed}."
        )

    if action in ("turn_on", "turn_off"):
        if value is not None:
            raise CommandError(
                f"{action} takes no value; send the action alone to {device.id}."
            )
        return {"on": action == "turn_on"}
    if action == "set_setpoint":
        return {"setpoint": _setpoint(device, _number(device, action, value), unit)}
    return {"position": _position(device, _number(device, action, value), unit)}


def _number(device: Device, action: str, value: Any) -> float:
    example = "21.5" if action == "set_setpoint" else "50"
    if value is None:
        raise CommandError(
            f"{action} needs a value; send e.g. value {example} for {device.id}."
        )
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CommandError(
            f"The value {value!r} is not a number; send {action} for {device.id} "
            f"with a number such as {example}."
        )
    if not math.isfinite(value):
        raise CommandError(
            f"The value {value} is not a finite number; send a real one."
        )
    return float(value)


def _setpoint(device: Device, value: float, unit: str | None) -> float:
    device_unit = device.unit or ""
    given = (unit or device_unit).strip()
    key = given.casefold()
    if device_unit == "°C" and key in CELSIUS_UNITS:
        celsius, shown = round(value, 2), f"{value:.1f} °C"
    elif device_unit == "°C" and key in FAHRENHEIT_UNITS:
        celsius = round((value - 32.0) * 5.0 / 9.0, 1)
        shown = f"{value:.1f} °F ({celsius:.1f} °C)"
    elif given == device_unit:
        celsius, shown = value, f"{value:.1f} {device_unit}"
    else:
        accepted = "°C or °F" if device_unit == "°C" else device_unit
        raise CommandError(
            f"Unit '{unit}' is not accepted for {device.id}'s setpoint; use {accepted}."
        )
    _check_limits(device, "Setpoint", celsius, shown)
    return celsius


def _position(device: Device, value: float, unit: str | None) -> float:
    if unit is not None and unit.strip().casefold() not in PERCENT_UNITS:
        raise CommandError(
            f"Unit '{unit}' is not accepted for {device.id}'s position; send a "
            "percentage open with unit '%' or no unit."
        )
    _check_limits(device, "Position", value, f"{value:.1f} %")
    return round(value, 2)


def _check_limits(device: Device, what: str, value: float, shown: str) -> None:
    limits = device.limits
    if limits is None:
        return
    if not limits.min <= value <= limits.max:
        unit = device.unit or ""
        raise CommandError(
            f"{what} {shown} is outside {device.id}'s limits "
            f"{_plain(limits.min)}–{_plain(limits.max)} {unit}.".replace(" .", ".")
        )


def _plain(number: float) -> str:
    return f"{number:g}"
