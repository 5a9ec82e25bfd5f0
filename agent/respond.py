"""Turn tool results into the answer a technician reads.

Device changes, states and telemetry are reported from the results themselves,
word for word, so a number in the answer is a number the site returned. Only
manual answers are written by a model, from the retrieved excerpts.
"""

from __future__ import annotations

import re
from typing import Any


def fmt(value: Any, unit: str | None = None) -> str:
    """A number rounded for people, with its unit."""
    if isinstance(value, float):
        digits = 2 if abs(value) >= 1 or value == 0 else 3 - int(f"{value:e}"[-3:])
        value = f"{value:.{min(digits, 6)}f}".rstrip("0").rstrip(".")
    return f"{value} {unit}".strip() if unit else str(value)


def describe_change(tool: str, row: dict) -> str:
    """One line per device changed or refused."""
    if not row.get("ok"):
        return f"{row['device']}: not changed. {row.get('error', '')}".strip()
    before, after = row.get("before") or {}, row.get("after") or {}
    changed = {k: v for k, v in after.items() if before.get(k) != v}
    if not changed:
        return f"{row['device']}: already as asked."
    parts = [
        ("switched on" if v else "switched off")
        if k == "on"
        else f"{k} {fmt(before.get(k))} → {fmt(v)}"
        for k, v in changed.items()
    ]
    return f"{row['device']}: {', '.join(parts)}."


def describe_state(row: dict) -> str:
    """One line of a device's current state."""
    state = row.get("state", {})
    unit = row.get("unit")
    parts = []
    for key, value in state.items():
        if key == "on" and isinstance(value, bool):
            parts.append("on" if value else "off")
        elif isinstance(value, bool):
            parts.append(f"{key} {'yes' if value else 'no'}")
        elif key in ("setpoint", "temperature") and unit in ("°C", "°F"):
            parts.append(f"{key} {fmt(value, unit)}")
        elif isinstance(value, (int, float, str)):
            parts.append(f"{key} {fmt(value)}")
    return f"{row['id']} ({row.get('name', '')}): {', '.join(parts)}."


def count_on(rows: list[dict]) -> list[str]:
    """A first line counting devices that are on, when several were read."""
    flags = [r for r in rows if isinstance(r.get("state", {}).get("on"), bool)]
    if len(flags) < 2:
        return []
    on = [r["id"] for r in flags if r["state"]["on"]]
    return [f"{len(on)} of {len(flags)} are on: {', '.join(on) or 'none'}."]


def describe_telemetry(data: dict) -> str:
    """Which devices were anomalous over the window, then each device's figures."""
    rows = data["devices"]
    hours = fmt(float(data["window"]["hours"]))
    flagged = [r for r in rows if r["anomalous"]]
    lines = []
    if len(rows) > 1 or flagged:
        names = ", ".join(r["device"] for r in flagged) or "none"
        lines.append(f"Anomalous over the last {hours} h: {names}.")
    for r in rows:
        unit = r.get("unit")
        verdict = f"anomalous ({r['reason']})" if r["anomalous"] else "normal"
        lines.append(
            f"{r['device']} {r['metric']}: min {fmt(r['min'], unit)}, "
            f"max {fmt(r['max'], unit)}, mean {fmt(r['mean'], unit)}, "
            f"latest {fmt(r['last'], unit)}; {verdict}."
        )
    return "\n".join(lines)


def describe_work_orders(tool: str, data: Any) -> str:
    """A new work order, or the list."""
    if tool == "open_work_order":
        return f"Opened {data['number']} for {data['device']}: {data['title']}."
    if not data:
        return "No matching work orders."
    return "\n".join(
        f"{w['number']} {w['device']} [{w['priority']}, {w['status']}]: {w['title']}"
        for w in data
    )


def describe_result(result: dict) -> str:
    """A short text for one tool result (manual passages are answered elsewhere)."""
    tool, data = result["tool"], result.get("data")
    if tool in ("set_setpoint", "switch", "set_position") and isinstance(data, list):
        return "\n".join(describe_change(tool, row) for row in data)
    if not result["ok"]:
        return result.get("error") or f"{tool} failed."
    if tool == "read_state":
        return "\n".join([*count_on(data), *(describe_state(row) for row in data)])
    if tool == "find_devices":
        return "\n".join(f"{d['id']}: {d.get('name', '')}" for d in data)
    if tool == "query_telemetry":
        return describe_telemetry(data)
    if tool in ("open_work_order", "list_work_orders"):
        return describe_work_orders(tool, data)
    return ""


IMAGE = re.compile(r"^\s*!\[[^\]]*\]\([^)]*\)\s*$", re.M)
LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


def plain(text: str) -> str:
    """Manual text without images and link targets, which cost tokens and say
    nothing to the model."""
    text = LINK.sub(r"\1", IMAGE.sub("", text))
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def excerpts(passages: list[dict], limit: int = 800) -> str:
    """Numbered excerpts for the answer prompt."""
    return "\n\n".join(
        f"[{i}] {p['document']} § {p['section']}\n{plain(p['text'])[:limit]}"
        for i, p in enumerate(passages, start=1)
    )
