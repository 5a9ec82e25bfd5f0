"""Tests for simulator/store.py: state, audit log and clock in one SQLite file."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator.model import DEMO_SITE_DIR, SiteModel, load_site
from simulator.store import SiteStore

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def site() -> SiteModel:
    """The packaged demo site."""
    return load_site(DEMO_SITE_DIR)


def test_first_use_takes_the_yaml_initial_state(site: SiteModel, tmp_path: Path):
    """A new database holds each device's initial state and the YAML clock."""
    store = SiteStore(tmp_path / "site.db", site)
    assert store.state("HVAC-3A") == {"on": True, "setpoint": 21.5}
    assert store.state("VLV-1") == {"position": 60}
    assert store.clock().now == NOW
    assert store.audit() == []


def test_command_changes_state_and_is_audited(site: SiteModel, tmp_path: Path):
    """apply_command writes the new state and an audit row with before/after."""
    store = SiteStore(tmp_path / "site.db", site)
    entry = store.apply_command(
        "HVAC-3A", "set_setpoint", 23, "°C", "tester", NOW, {"setpoint": 23.0}
    )
    assert entry.ok and entry.actor == "tester" and entry.value == 23
    assert entry.before == {"on": True, "setpoint": 21.5}
    assert entry.after == {"on": True, "setpoint": 23.0}
    assert store.state("HVAC-3A")["setpoint"] == 23.0
    assert [e.id for e in store.audit()] == [entry.id]


def test_two_stores_on_one_file_see_each_others_changes(
    site: SiteModel, tmp_path: Path
) -> None:
    """A second store (another process) reads what the first one wrote."""
    first = SiteStore(tmp_path / "site.db", site)
    second = SiteStore(tmp_path / "site.db", site)
    first.apply_command("LIGHT-3A", "turn_off", None, None, "a", NOW, {"on": False})
    assert second.state("LIGHT-3A") == {"on": False}
    second.apply_command("LIGHT-3A", "turn_on", None, None, "b", NOW, {"on": True})
    assert first.state("LIGHT-3A") == {"on": True}
    assert [e.actor for e in first.audit(device="light-3a")] == ["b", "a"]


def test_reopening_keeps_state_instead_of_resetting_it(
    site: SiteModel, tmp_path: Path
) -> None:
    """Initialisation only fills in what is missing."""
    SiteStore(tmp_path / "site.db", site).apply_command(
        "VLV-1", "set_position", 10, "%", "a", NOW, {"position": 10.0}
    )
    assert SiteStore(tmp_path / "site.db", site).state("VLV-1") == {"position": 10.0}


def test_rejection_is_audited_and_changes_nothing(site: SiteModel, tmp_path: Path):
    """A refused command leaves the state and records ok=false with the sentence."""
    store = SiteStore(tmp_path / "site.db", site)
    entry = store.record_rejection(
        "HVAC-3A", "set_setpoint", 35, "°C", "a", NOW, "Setpoint is too high."
    )
    assert not entry.ok and entry.error == "Setpoint is too high."
    assert entry.before == entry.after == {"on": True, "setpoint": 21.5}
    assert store.state("HVAC-3A")["setpoint"] == 21.5


def test_history_lists_accepted_states_oldest_first(site: SiteModel, tmp_path: Path):
    """history starts with the initial state and adds each accepted command."""
    store = SiteStore(tmp_path / "site.db", site)
    later = NOW + timedelta(hours=1)
    store.apply_command("HVAC-1A", "set_setpoint", 22, "°C", "a", NOW, {"setpoint": 22})
    store.record_rejection("HVAC-1A", "fly", None, None, "a", NOW, "No.")
    store.apply_command("HVAC-1A", "turn_off", None, None, "a", later, {"on": False})
    history = store.history("HVAC-1A")
    assert [ts for ts, _ in history] == [-math.inf, NOW.timestamp(), later.timestamp()]
    assert history[-1][1] == {"on": False, "setpoint": 22}


def test_clock_can_be_moved_and_frozen(site: SiteModel, tmp_path: Path) -> None:
    """set_clock moves now; passing `now` to the store freezes the clock there."""
    store = SiteStore(tmp_path / "site.db", site)
    moved = store.set_clock(NOW - timedelta(days=2), speed=0.0)
    assert moved.site_now() == NOW - timedelta(days=2)
    assert SiteStore(tmp_path / "site.db", site).clock().now == moved.now

    frozen = SiteStore(tmp_path / "site.db", site, now=NOW + timedelta(minutes=5))
    assert frozen.clock().site_now() == NOW + timedelta(minutes=5)
    assert frozen.clock().speed == 0.0


def test_running_clock_advances_with_wall_time(site: SiteModel, tmp_path: Path):
    """At speed 1 the site time moves as the wall clock does."""
    store = SiteStore(tmp_path / "site.db", site)
    clock = store.set_clock(NOW, speed=1.0)
    assert clock.site_now(clock.set_at + timedelta(minutes=3)) == NOW + timedelta(
        minutes=3
    )
