"""Replay recorded telemetry, and synthesised telemetry, on the site clock.

A recorded metric names a file, a timestamp column, a value column and the
recording's timestamp that plays at the site's reference now (the `clock.now`
of site.yaml). Site time `t` plays recording time `t - site_now + recording_now`;
a looping recording wraps that time into its span. Readings are held: the value
at a time is the latest sample at or before it, so replayed values equal the
file's values exactly.

Every time here is float64 seconds since the Unix epoch, UTC; a `Series` holds
two 1-D float64 arrays of equal length, times ascending.
"""

from __future__ import annotations

import csv
import json
import logging
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from simulator import synthetic
from simulator.errors import SiteModelError
from simulator.model import Device, Metric, RecordedSource, SiteModel, as_utc

logger = logging.getLogger(__name__)

StateHistory = Sequence[tuple[float, dict[str, bool | float]]]
"""A device's states, oldest first: (epoch seconds it took effect, state).

The first entry is the initial state and takes effect at `-inf`.
"""


@dataclass(frozen=True)
class Series:
    """Samples of one metric: `times` (epoch s, UTC, ascending) and `values`."""

    times: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return int(self.times.size)


class Reading(BaseModel):
    """One value of one metric of one device at one time (UTC)."""

    model_config = ConfigDict(frozen=True)

    device: str
    metric: str
    value: float
    unit: str
    ts: datetime


def to_epoch(value: datetime) -> float:
    """Seconds since the Unix epoch of a datetime (naive values are UTC)."""
    return as_utc(value).timestamp()


def from_epoch(seconds: float) -> datetime:
    """The UTC datetime of epoch seconds."""
    return datetime.fromtimestamp(seconds, tz=UTC)


@dataclass(frozen=True)
class _Recording:
    times: np.ndarray
    values: np.ndarray
    step: float

    @property
    def span(self) -> float:
        return float(self.times[-1] - self.times[0] + self.step)


class TelemetryReplay:
    """Readings and windows of every metric of a site, recorded or synthesised."""

    def __init__(self, site: SiteModel) -> None:
        self._site = site
        self._reference_now = to_epoch(site.clock.now)

    def window(
        self,
        device: Device,
        metric: Metric,
        start: float,
        end: float,
        history: StateHistory,
    ) -> Series:
        """All samples of `metric` with site times in [start, end] (epoch s)."""
        source = metric.source
        if isinstance(source, RecordedSource):
            recording = self._recording(source)
            offset = to_epoch(source.recording_now) - self._reference_now
            if source.loop:
                return _looped_window(recording, offset, start, end)
            return _plain_window(recording, offset, start, end)
        times, values = synthetic.window(device.id, source, history, start, end)
        return Series(times, values)

    def reading(
        self, device: Device, metric: Metric, at: float, history: StateHistory
    ) -> Reading | None:
        """The value of `metric` held at site time `at`, or None past the recording."""
        source = metric.source
        if isinstance(source, RecordedSource):
            found = self._recorded_reading(source, at)
        else:
            found = synthetic.reading(device.id, source, history, at)
        if found is None:
            return None
        ts, value = found
        return Reading(
            device=device.id,
            metric=metric.name,
            value=value,
            unit=metric.unit,
            ts=from_epoch(ts),
        )

    def _recorded_reading(
        self, source: RecordedSource, at: float
    ) -> tuple[float, float] | None:
        recording = self._recording(source)
        offset = to_epoch(source.recording_now) - self._reference_now
        played = at + offset
        shift = 0.0
        if source.loop:
            cycles = math.floor((played - recording.times[0]) / recording.span)
            shift = cycles * recording.span
            played -= shift
        elif played > recording.times[-1] + recording.step:
            return None
        index = int(np.searchsorted(recording.times, played, side="right")) - 1
        if index < 0:
            return None
        ts = float(recording.times[index]) + shift - offset
        return ts, float(recording.values[index])

    def _recording(self, source: RecordedSource) -> _Recording:
        path = (self._site.directory / source.file).resolve()
        return _load_recording(
            str(path),
            source.format,
            source.separator,
            source.timestamp_column,
            source.value_column,
        )


def _plain_window(rec: _Recording, offset: float, start: float, end: float) -> Series:
    lo = np.searchsorted(rec.times, start + offset, side="left")
    hi = np.searchsorted(rec.times, end + offset, side="right")
    return Series(rec.times[lo:hi] - offset, rec.values[lo:hi])


def _looped_window(rec: _Recording, offset: float, start: float, end: float) -> Series:
    first, span = float(rec.times[0]), rec.span
    played_start, played_end = start + offset, end + offset
    if played_end < played_start:
        return Series(np.empty(0), np.empty(0))
    times: list[np.ndarray] = []
    values: list[np.ndarray] = []
    first_cycle = math.floor((played_start - first) / span)
    last_cycle = math.floor((played_end - first) / span)
    for cycle in range(first_cycle, last_cycle + 1):
        shift = cycle * span
        lo = np.searchsorted(rec.times, played_start - shift, side="left")
        hi = np.searchsorted(rec.times, played_end - shift, side="right")
        times.append(rec.times[lo:hi] + (shift - offset))
        values.append(rec.values[lo:hi])
    return Series(np.concatenate(times), np.concatenate(values))


@lru_cache(maxsize=64)
def _load_recording(
    path: str, fmt: str, separator: str, timestamp_column: str, value_column: str
) -> _Recording:
    raw_times, raw_values = _read_columns(Path(path), fmt, separator, timestamp_column)
    if value_column not in raw_values:
        raise SiteModelError(
            f"The recording {path} has no column '{value_column}'; its columns are "
            f"{', '.join(sorted(raw_values))}. Fix value_column in site.yaml."
        )
    times = np.array([_parse_time(raw) for raw in raw_times], dtype=np.float64)
    values = np.array(raw_values[value_column], dtype=np.float64)

    # Keep the file's order among equal timestamps; drop gaps in this column.
    order = np.argsort(times, kind="stable")
    times, values = times[order], values[order]
    keep = np.isfinite(values)
    times, values = times[keep], values[keep]
    if times.size == 0:
        raise SiteModelError(
            f"The recording {path} has no values in column '{value_column}'. "
            "Choose a column with data."
        )
    steps = np.diff(times)
    step = float(np.median(steps[steps > 0])) if np.any(steps > 0) else 1.0
    logger.debug("loaded %s[%s]: %d samples", path, value_column, times.size)
    return _Recording(times=times, values=values, step=step)


@lru_cache(maxsize=16)
def _read_columns(
    path: Path, fmt: str, separator: str, timestamp_column: str
) -> tuple[list[object], dict[str, list[float]]]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            if fmt == "jsonl":
                rows = [json.loads(line) for line in handle if line.strip()]
            else:
                rows = list(csv.DictReader(handle, delimiter=separator))
    except (OSError, ValueError) as exc:
        raise SiteModelError(
            f"Cannot read the recording {path} ({exc}). Check the file and its format."
        ) from exc
    if not rows or timestamp_column not in rows[0]:
        raise SiteModelError(
            f"The recording {path} has no '{timestamp_column}' column. "
            "Fix timestamp_column in site.yaml."
        )
    columns = {key for row in rows for key in row if key != timestamp_column}
    values = {key: [_number(row.get(key)) for row in rows] for key in columns}
    return [row[timestamp_column] for row in rows], values


def _number(raw: object) -> float:
    if isinstance(raw, bool) or raw is None or raw == "":
        return math.nan
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return math.nan


def _parse_time(raw: object) -> float:
    if isinstance(raw, int | float):
        return float(raw)
    text = str(raw).strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return as_utc(datetime.fromisoformat(text)).timestamp()
