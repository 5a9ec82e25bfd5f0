"""Deterministic telemetry for devices that have no recording.

Values sit on a 5-minute grid of site time and depend only on the device id,
the metric's parameters and the device's state history, never on the window
asked for, so a reading and a window over the same instant always agree.

- `setpoint_follow`: a zone (or supply) temperature in °C that relaxes toward
  the setpoint plus `offset` while the device is on, and toward `idle` while it
  is off, with time constant `tau_minutes`, a daily cycle peaking at 15:00 UTC
  and a small seeded ripple.
- `battery`: a drone's state of charge in %, cycling through a flight (drain)
  and a charge on the dock; `capacity` below 100 models an aged pack.
"""

from __future__ import annotations

import math
import zlib
from collections.abc import Sequence

import numpy as np

from simulator.model import SyntheticSource

GRID_SECONDS = 300.0
"""Spacing of synthesised samples, in seconds."""

_DAY = 86_400.0
_RIPPLE_PERIODS = np.array([587.0, 2221.0, 8513.0])
_RIPPLE_AMPLITUDES = np.array([0.03, 0.08, 0.05])


def window(
    device_id: str,
    source: SyntheticSource,
    history: Sequence[tuple[float, dict[str, bool | float]]],
    start: float,
    end: float,
) -> tuple[np.ndarray, np.ndarray]:
    """Grid samples within [start, end] (epoch s): (times, values), float64 1-D."""
    first = math.ceil(start / GRID_SECONDS) * GRID_SECONDS
    count = max(math.floor((end - first) / GRID_SECONDS) + 1, 0)
    times = first + GRID_SECONDS * np.arange(count, dtype=np.float64)
    return times, evaluate(device_id, source, history, times)


def reading(
    device_id: str,
    source: SyntheticSource,
    history: Sequence[tuple[float, dict[str, bool | float]]],
    at: float,
) -> tuple[float, float]:
    """The latest grid sample at or before `at`: (epoch s, value)."""
    ts = math.floor(at / GRID_SECONDS) * GRID_SECONDS
    value = evaluate(device_id, source, history, np.array([ts]))[0]
    return ts, float(value)


def evaluate(
    device_id: str,
    source: SyntheticSource,
    history: Sequence[tuple[float, dict[str, bool | float]]],
    times: np.ndarray,
) -> np.ndarray:
    """The metric's values at `times` (epoch s, float64 1-D), rounded to 0.01."""
    if source.synthetic == "battery":
        values = _battery(device_id, source, times)
    else:
        values = _follow(device_id, source, history, times)
    return np.round(values, 2)


def _seed(device_id: str) -> int:
    return zlib.crc32(device_id.encode("utf-8"))


def _ripple(device_id: str, times: np.ndarray, scale: float = 1.0) -> np.ndarray:
    phases = np.random.default_rng(_seed(device_id)).uniform(0, 2 * np.pi, 3)
    angles = 2 * np.pi * times[:, None] / _RIPPLE_PERIODS[None, :] + phases[None, :]
    return scale * (np.sin(angles) * _RIPPLE_AMPLITUDES[None, :]).sum(axis=1)


def _target(source: SyntheticSource, state: dict[str, bool | float]) -> float:
    if state.get("on", True) and "setpoint" in state:
        return float(state["setpoint"]) + source.offset
    return source.idle


def _follow(
    device_id: str,
    source: SyntheticSource,
    history: Sequence[tuple[float, dict[str, bool | float]]],
    times: np.ndarray,
) -> np.ndarray:
    starts = np.array([start for start, _ in history], dtype=np.float64)
    targets = np.array([_target(source, state) for _, state in history])
    tau = source.tau_minutes * 60.0

    # The value each segment starts from: where the previous one had got to.
    # The first segment has run forever, so the second starts from its target.
    initial = targets.copy()
    if targets.size > 1:
        initial[1] = targets[0]
    for i in range(2, targets.size):
        elapsed = starts[i] - starts[i - 1]
        decay = math.exp(-elapsed / tau)
        initial[i] = targets[i - 1] + (initial[i - 1] - targets[i - 1]) * decay

    segment = np.searchsorted(starts, times, side="right") - 1
    segment = np.clip(segment, 0, targets.size - 1)
    elapsed = np.where(segment > 0, times - starts[segment], 0.0)
    decay = np.exp(-np.maximum(elapsed, 0.0) / tau)
    base = targets[segment] + (initial[segment] - targets[segment]) * decay

    daily = source.daily_amplitude * np.sin(2 * np.pi * (times / _DAY - 9 / 24))
    return base + daily + _ripple(device_id, times)


def _battery(device_id: str, source: SyntheticSource, times: np.ndarray) -> np.ndarray:
    seed = _seed(device_id)
    cycle = (source.cycle_minutes + seed % 30) * 60.0
    phase = (times + (seed % 997) * 61.0) % cycle / cycle
    capacity = source.capacity
    drain = 50.0 * 100.0 / capacity
    bottom = max(capacity - drain, 3.0)

    # 30 % of the cycle flying, 40 % charging, 30 % docked and full.
    flying = capacity - (capacity - bottom) * phase / 0.3
    charging = bottom + (capacity - bottom) * (phase - 0.3) / 0.4
    level = np.where(phase < 0.3, flying, np.where(phase < 0.7, charging, capacity))
    return np.clip(level + _ripple(device_id, times, scale=2.0), 0.0, 100.0)
