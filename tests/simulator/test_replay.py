"""Tests for simulator/replay.py and simulator/synthetic.py: values on site time."""

from __future__ import annotations

import csv
import json
import math
import time
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest

from simulator.model import DEMO_SITE_DIR, SiteModel, load_site
from simulator.replay import TelemetryReplay, to_epoch

TELEMETRY = DEMO_SITE_DIR / "telemetry"
SITE_NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> SiteModel:
    """The packaged demo site."""
    return load_site(DEMO_SITE_DIR)


@pytest.fixture(scope="module")
def replay(site: SiteModel) -> TelemetryReplay:
    """Replay of the demo site."""
    return TelemetryReplay(site)


def _initial(site: SiteModel, device_id: str) -> list:
    return [(-math.inf, dict(site.device(device_id).state))]


def _value(site, replay, device_id: str, metric: str, at: datetime) -> float | None:
    device = site.device(device_id)
    found = replay.reading(
        device, device.metric(metric), to_epoch(at), _initial(site, device_id)
    )
    return None if found is None else found.value


def _csv_value(name: str, column: str, stamp: str, sep: str = ",") -> float:
    with (TELEMETRY / name).open(newline="") as handle:
        for row in csv.DictReader(handle, delimiter=sep):
            if row.get("timestamp", row.get("datetime")) == stamp:
                return float(row[column])
    raise AssertionError(f"{stamp} not in {name}")


def test_site_now_plays_nab_2014_02_09_0600(site, replay) -> None:
    """M-1's temperature at site now is NAB's reading at 2014-02-09 06:00."""
    nab = "nab/machine_temperature_system_failure.csv"
    assert _value(site, replay, "M-1", "temperature", SITE_NOW) == _csv_value(
        nab, "value", "2014-02-09 06:00:00"
    )
    earlier = SITE_NOW - timedelta(hours=30)
    assert _value(site, replay, "M-1", "temperature", earlier) == _csv_value(
        nab, "value", "2014-02-08 00:00:00"
    )


def test_readings_hold_between_samples(site, replay) -> None:
    """Between two 5-minute NAB samples the earlier one is held."""
    at = SITE_NOW + timedelta(minutes=4, seconds=59)
    assert _value(site, replay, "M-1", "temperature", at) == _value(
        site, replay, "M-1", "temperature", SITE_NOW
    )


def test_non_looping_recording_ends(site, replay) -> None:
    """Past the end of the NAB file (2014-02-19) M-1 has no reading."""
    assert (
        _value(site, replay, "M-1", "temperature", SITE_NOW + timedelta(days=30))
        is None
    )


def test_skab_values_replay_at_their_recording_times(site, replay) -> None:
    """P-2 plays SKAB other-5 with 16:20:00 at site now; P-3 plays other-9."""
    p2 = _csv_value("skab/other-5.csv", "Accelerometer1RMS", "2020-02-08 16:20:00", ";")
    assert _value(site, replay, "P-2", "vibration", SITE_NOW) == p2
    at = SITE_NOW - timedelta(minutes=10)
    p3 = _csv_value(
        "skab/other-9.csv", "Volume Flow RateRMS", "2020-02-08 17:30:00", ";"
    )
    assert _value(site, replay, "P-3", "flow", at) == p3


def test_looping_recording_wraps_to_its_start(site, replay) -> None:
    """One loop span after a sample, P-1 plays the same sample again."""
    with (TELEMETRY / "skab/anomaly-free-head.csv").open(newline="") as handle:
        rows = list(csv.reader(handle, delimiter=";"))
    first = datetime.fromisoformat(rows[1][0]).replace(tzinfo=UTC)
    last = datetime.fromisoformat(rows[-1][0]).replace(tzinfo=UTC)
    span = last - first + timedelta(seconds=1)
    at_first = SITE_NOW + (first - datetime(2020, 2, 8, 13, 50, tzinfo=UTC))

    for cycles in (0, 1, -7, 40):
        value = _value(site, replay, "P-1", "vibration", at_first + cycles * span)
        assert value == float(rows[1][1])


def test_looped_day_has_no_gaps(site, replay) -> None:
    """24 h of a looped 1 Hz run has ~86,400 samples with no gap above 2 s."""
    device = site.device("P-2")
    series = replay.window(
        device,
        device.metric("vibration"),
        to_epoch(SITE_NOW - timedelta(days=1)),
        to_epoch(SITE_NOW),
        _initial(site, "P-2"),
    )
    assert 80_000 < len(series) <= 86_401
    assert np.all(np.diff(series.times) > 0)
    assert np.diff(series.times).max() <= 2.0


def test_a_day_of_1hz_data_is_read_in_under_50_ms(site, replay) -> None:
    """Windows are numpy slices, fast enough for every request."""
    device = site.device("P-1")
    args = (
        device,
        device.metric("vibration"),
        to_epoch(SITE_NOW - timedelta(days=1)),
        to_epoch(SITE_NOW),
        _initial(site, "P-1"),
    )
    replay.window(*args)
    best = min(_timed(lambda: replay.window(*args)) for _ in range(3))
    assert best < 0.05


def _timed(call) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def test_chiller_plays_assetopsbench_with_now_at_2020_06_20_1200(site, replay) -> None:
    """CH-6's supply temperature at site now is the record at 2020-06-20 12:00."""
    target = datetime(2020, 6, 20, 12, tzinfo=UTC).timestamp()
    path = TELEMETRY / "assetopsbench" / "chiller6_june2020_sensordata_couchdb.jsonl"
    with path.open() as handle:
        records = [json.loads(line) for line in handle]
    held = max(
        (r for r in records if r["timestamp"] <= target and "supply_temperature" in r),
        key=lambda r: r["timestamp"],
    )
    value = _value(site, replay, "CH-6", "supply_temperature", SITE_NOW)
    assert value == held["supply_temperature"]


def test_zone_temperature_is_deterministic_and_near_setpoint(site, replay) -> None:
    """HVAC-3A sits within a degree of 21.5 °C; 3B runs about 2.5 °C warm."""
    first = _value(site, replay, "HVAC-3A", "temperature", SITE_NOW)
    again = _value(site, replay, "HVAC-3A", "temperature", SITE_NOW)
    assert first == again
    assert abs(first - 21.5) < 1.0
    warm = _value(site, replay, "HVAC-3B", "temperature", SITE_NOW)
    assert 23.0 < warm < 25.0


def test_zone_temperature_drifts_toward_a_new_setpoint(site, replay) -> None:
    """After a setpoint change the temperature moves toward the new setpoint."""
    device = site.device("HVAC-3A")
    change = to_epoch(SITE_NOW)
    history = _initial(site, "HVAC-3A") + [(change, {"on": True, "setpoint": 25.0})]
    metric = device.metric("temperature")
    before = replay.reading(device, metric, change - 300, history).value
    soon = replay.reading(device, metric, change + 600, history).value
    later = replay.reading(device, metric, change + 4 * 3600, history).value
    assert before < soon < later
    assert abs(later - 25.0) < 1.0


def test_drone_batteries_stay_in_range_and_aged_pack_caps_lower(site, replay) -> None:
    """Batteries are 0–100 %; D-3's aged pack never charges past ~72 %."""
    start, end = to_epoch(SITE_NOW - timedelta(days=1)), to_epoch(SITE_NOW)
    for drone in ("D-1", "D-3"):
        device = site.device(drone)
        series = replay.window(
            device, device.metric("battery"), start, end, _initial(site, drone)
        )
        assert len(series) == 289
        assert series.values.min() >= 0 and series.values.max() <= 100
    assert series.values.max() < 75
