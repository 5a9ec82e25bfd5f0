"""Summaries of a telemetry window: bucket-mean downsampling and robust statistics.

Inputs are `replay.Series` (epoch seconds UTC, float64 values in the metric's
unit); outputs keep the metric's unit.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict

from simulator.replay import Series

MAD_TO_SIGMA = 1.4826
"""Scales a median absolute deviation to a standard deviation for normal data."""


class Summary(BaseModel):
    """Statistics of one metric over a window; None where the window is empty."""

    model_config = ConfigDict(frozen=True)

    count: int
    min: float | None = None
    max: float | None = None
    mean: float | None = None
    std: float | None = None
    median: float | None = None
    p05: float | None = None
    p95: float | None = None
    first: float | None = None
    last: float | None = None
    last_ts: float | None = None
    max_ts: float | None = None
    above_alarm_high: int = 0
    below_alarm_low: int = 0
    max_robust_z: float | None = None


def downsample(series: Series, start: float, end: float, max_points: int) -> Series:
    """Average samples into at most `max_points` equal-width time buckets.

    Each bucket's point sits at the mean time of the samples in it; empty
    buckets are left out. A series already short enough comes back unchanged.
    """
    if len(series) <= max_points:
        return series
    width = max(end - start, 1e-9) / max_points
    bucket = ((series.times - start) / width).astype(np.int64)
    bucket = np.clip(bucket, 0, max_points - 1)
    counts = np.bincount(bucket, minlength=max_points)
    time_sums = np.bincount(bucket, weights=series.times, minlength=max_points)
    value_sums = np.bincount(bucket, weights=series.values, minlength=max_points)
    filled = counts > 0
    return Series(
        time_sums[filled] / counts[filled], value_sums[filled] / counts[filled]
    )


def summarise(
    series: Series, alarm_high: float | None = None, alarm_low: float | None = None
) -> Summary:
    """Count, spread, percentiles, alarm counts and the largest robust z-score."""
    values = series.values
    if values.size == 0:
        return Summary(count=0)

    median = float(np.median(values))
    mad = float(np.median(np.abs(values - median)))
    if mad > 0:
        robust_z = float(np.max(np.abs(values - median)) / (MAD_TO_SIGMA * mad))
    else:
        robust_z = 0.0 if np.all(values == median) else None
    p05, p95 = np.percentile(values, [5, 95])
    peak = int(np.argmax(values))

    return Summary(
        count=int(values.size),
        min=float(values.min()),
        max=float(values[peak]),
        mean=float(values.mean()),
        std=float(values.std()),
        median=median,
        p05=float(p05),
        p95=float(p95),
        first=float(values[0]),
        last=float(values[-1]),
        last_ts=float(series.times[-1]),
        max_ts=float(series.times[peak]),
        above_alarm_high=int(np.sum(values > alarm_high))
        if alarm_high is not None
        else 0,
        below_alarm_low=int(np.sum(values < alarm_low)) if alarm_low is not None else 0,
        max_robust_z=robust_z,
    )
