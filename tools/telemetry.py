"""Telemetry tool: summary statistics of a metric over a time window, per device,
with a simple anomaly flag.

A window is flagged anomalous when readings cross the metric's alarm limits from
the site model, or when the largest robust z-score (distance from the median in
units of 1.4826 x MAD) exceeds `ROBUST_Z_LIMIT`.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import Field

from tools.base import Source, ToolArgs, ToolResult
from tools.devices import resolve
from tools.errors import DeviceNotFound
from tools.gateway import GatewayClient
from tools.selectors import DeviceSelector, normalize

ROBUST_Z_LIMIT = 8.0


class QueryTelemetryArgs(ToolArgs):
    """Arguments of query_telemetry."""

    target: DeviceSelector
    metric: str = Field(
        min_length=2, description="What is measured, e.g. vibration, temperature."
    )
    hours: float = Field(
        default=24, gt=0, le=24 * 31, allow_inf_nan=False, description="Window length."
    )


def metric_names(device: dict) -> list[str]:
    """Names of the metrics a device reports."""
    return [
        m["name"] if isinstance(m, dict) else str(m) for m in device.get("metrics", [])
    ]


def match_metric(device: dict, wanted: str) -> str | None:
    """The device's metric that `wanted` names: exact, then by words it contains."""
    names = metric_names(device)
    norm = normalize(wanted).replace(" ", "_")
    if norm in names:
        return norm
    words = set(norm.split("_"))
    for name in names:
        if words <= set(name.split("_")):
            return name
    for name in names:
        if norm in name or name in norm:
            return name
    return None


def anomaly_reason(summary: dict) -> str | None:
    """Why a window counts as anomalous, or None when it looks normal."""
    high, low = (
        summary.get("above_alarm_high") or 0,
        summary.get("below_alarm_low") or 0,
    )
    if high:
        return f"{high} readings above the alarm limit {summary['alarm_high']}"
    if low:
        return f"{low} readings below the alarm limit {summary['alarm_low']}"
    z = summary.get("max_robust_z") or 0
    if z > ROBUST_Z_LIMIT:
        return f"a reading {z:.0f} robust deviations from the median"
    return None


def query_telemetry(gateway: GatewayClient, args: QueryTelemetryArgs) -> ToolResult:
    """Summarise `metric` over the last `hours` for each targeted device."""
    devices = resolve(gateway, args.target)
    pairs = [(d, match_metric(d, args.metric)) for d in devices]
    pairs = [(d, m) for d, m in pairs if m]
    if not pairs:
        known = sorted({m for d in devices for m in metric_names(d)})
        raise DeviceNotFound(
            f"No {args.target.describe()} reports {args.metric!r}; "
            f"their metrics are: {', '.join(known) or 'none'}."
        )

    end = datetime.fromisoformat(gateway.clock()["now"].replace("Z", "+00:00"))
    start = end - timedelta(hours=args.hours)
    rows = []
    for device, metric in pairs:
        summary = gateway.telemetry_summary(device["id"], metric, start=start, end=end)
        reason = anomaly_reason(summary)
        rows.append(
            {
                "device": device["id"],
                "name": device.get("name"),
                **{
                    k: summary.get(k) for k in ("metric", "unit", "count", "min", "max")
                },
                "mean": summary.get("mean"),
                "last": summary.get("last"),
                "max_ts": summary.get("max_ts"),
                "anomalous": reason is not None,
                "reason": reason,
            }
        )
    window = {"start": start.isoformat(), "end": end.isoformat(), "hours": args.hours}
    return ToolResult.success(
        {"window": window, "devices": rows},
        sources=[Source(device=r["device"]) for r in rows],
    )
