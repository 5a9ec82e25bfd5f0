"""verify: read back every device an action changed and, on a mismatch, send the
same absolute command once more before reporting what the device really does.
A read-back that fails is reported as unverified, never re-sent; a value a later
command of the same turn set again is not checked against the earlier one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

from langgraph.runtime import Runtime

from agent.context import AgentContext
from agent.state import TurnState
from tools.errors import ToolError

DEVICE_ACTIONS = ("set_setpoint", "switch", "set_position")
CONTROL_KEYS = {"setpoint": "set_setpoint", "on": "switch", "position": "set_position"}
TOLERANCE = 0.05


def verify(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Read back each device an action changed; plan one re-send on a mismatch."""
    gateway = runtime.context.toolbox.gateway
    results = copy.deepcopy(state.get("results", []))
    checks, corrections = list(state.get("checks", [])), []
    last = last_writes(results)
    for index, result in enumerate(results):
        if result["tool"] not in DEVICE_ACTIONS or result.get("verified"):
            continue
        result["verified"] = True
        for row in changed_rows(result):
            for check in read_back(gateway, row, result.get("attempt", 1)):
                if last.get((check["device"], check["key"]), index) > index:
                    continue  # a later command of this turn set it again
                checks.append(check)
                if check["ok"] is False and check["attempt"] == 1:
                    corrections.append(correction(result, check))
    return {"results": results, "checks": checks, "corrections": corrections}


def last_writes(results: list[dict]) -> dict[tuple[str, str], int]:
    """The index of the last result that set each (device, key) this turn."""
    last: dict[tuple[str, str], int] = {}
    for index, result in enumerate(results):
        if result["tool"] in DEVICE_ACTIONS:
            for row in changed_rows(result):
                for key in row.get("after") or {}:
                    last[(row["device"], key)] = index
    return last


def changed_rows(result: dict) -> Iterable[dict]:
    """The per-device rows of an action that the gateway says it applied."""
    data = result.get("data")
    if isinstance(data, list):
        yield from (r for r in data if isinstance(r, dict) and r.get("ok"))


def read_back(gateway: Any, row: dict, attempt: int) -> list[dict[str, Any]]:
    """Compare what the gateway said it set with what the device now reports."""
    try:
        state = gateway.device(row["device"]).get("state", {})
        error = None
    except ToolError as exc:
        state, error = {}, str(exc)
    checks = []
    for key, expected in (row.get("after") or {}).items():
        if key not in CONTROL_KEYS:
            continue
        actual = state.get(key)
        same: bool | None = actual == expected
        if isinstance(expected, (int, float)) and isinstance(actual, (int, float)):
            same = abs(float(actual) - float(expected)) <= TOLERANCE
        if error is not None:
            same = None  # unknown: the read-back failed, not the device
        checks.append(
            {
                "device": row["device"],
                "key": key,
                "expected": expected,
                "actual": actual,
                "ok": same,
                "attempt": attempt,
                "error": error,
            }
        )
    return checks


def correction(result: dict, check: dict) -> dict[str, Any]:
    """The same effect again, as an absolute command on the one device."""
    target = {"device": check["device"], "type": None, "area": None, "floor": None}
    key, value = check["key"], check["expected"]
    arguments: dict[str, Any] = {"target": target}
    if key == "setpoint":
        arguments.update(value=float(value), relative=False, unit="C")
    elif key == "on":
        arguments["on"] = bool(value)
    else:
        arguments["percent"] = float(value)
    return {
        "task": result["task"],
        "tool": CONTROL_KEYS[key],
        "arguments": arguments,
        "risk": result["risk"],
        "critical": [],
        "approved_by": result.get("approved_by"),
        "retry_of": check["device"],
        "attempt": 2,
    }
