"""Tests for simulator/stats.py: downsampling and window statistics."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.replay import Series
from simulator.stats import downsample, summarise


def test_downsample_averages_equal_width_buckets() -> None:
    """Ten samples into two buckets give the two halves' means."""
    series = Series(np.arange(10.0), np.arange(10.0) * 2)
    result = downsample(series, 0.0, 10.0, 2)
    assert result.times.tolist() == [2.0, 7.0]
    assert result.values.tolist() == [4.0, 14.0]


def test_downsample_leaves_short_series_alone() -> None:
    """A series within max_points comes back unchanged."""
    series = Series(np.arange(3.0), np.ones(3))
    assert downsample(series, 0.0, 3.0, 5) is series


def test_summary_counts_alarms_and_finds_the_outlier() -> None:
    """One spike is above the alarm, has the largest robust z and gives max_ts."""
    values = np.array([1.0, 1.1, 0.9, 1.0, 5.0, 1.05, 0.95])
    summary = summarise(Series(np.arange(7.0) * 60, values), alarm_high=2.0)
    assert summary.count == 7 and summary.max == 5.0 and summary.max_ts == 240.0
    assert summary.above_alarm_high == 1 and summary.below_alarm_low == 0
    assert summary.median == 1.0
    assert summary.max_robust_z == pytest.approx((5.0 - 1.0) / (1.4826 * 0.05))


def test_summary_of_an_empty_window_has_only_a_count() -> None:
    """No samples: count 0 and no statistics."""
    summary = summarise(Series(np.empty(0), np.empty(0)))
    assert summary.count == 0 and summary.mean is None
