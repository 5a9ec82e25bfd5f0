"""Tests for simulator/model.py: the demo site's content and load_site's errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from simulator.errors import SiteModelError
from simulator.model import DEMO_SITE_DIR, SiteModel, load_site


@pytest.fixture(scope="module")
def site() -> SiteModel:
    """The packaged demo site."""
    return load_site(DEMO_SITE_DIR)


def test_demo_site_has_the_required_devices(site: SiteModel) -> None:
    """Every device the agent and the evals talk about exists with its type."""
    expected = {
        "HVAC-3A": "hvac",
        "LIGHT-3A": "light",
        "VLV-1": "valve",
        "CH-6": "chiller",
        "M-1": "machine",
        "P-1": "pump",
        "P-2": "pump",
        "P-3": "pump",
        "D-1": "drone",
        "D-4": "drone",
    }
    found = {d.id: d.type for d in site.devices}
    assert {k: found.get(k) for k in expected} == expected
    assert [d.id for d in site.devices if d.type == "drone"] == [
        "D-1",
        "D-2",
        "D-3",
        "D-4",
    ]


def test_every_floor_has_two_meeting_rooms_and_two_offices_with_hvac_and_lights(
    site: SiteModel,
) -> None:
    """HVAC zones and lights cover meeting rooms and offices on all three floors."""
    for floor in (1, 2, 3):
        for kind in ("meeting room", "office"):
            areas = [a.id for a in site.areas if a.floor == floor and a.kind == kind]
            assert len(areas) >= 2, (floor, kind)
            for area in areas:
                types = {d.type for d in site.devices if d.area == area}
                assert {"hvac", "light"} <= types, area


def test_zone_setpoints_are_celsius_within_16_to_28(site: SiteModel) -> None:
    """Thermostats use °C, limits 16–28 °C and start at 21–22 °C."""
    zones = [d for d in site.devices if d.type == "hvac"]
    assert len(zones) >= 12
    for zone in zones:
        assert zone.unit == "°C"
        assert (zone.limits.min, zone.limits.max) == (16, 28)
        assert 21 <= zone.state["setpoint"] <= 22
        assert "set_setpoint" in zone.actions


def test_on_is_a_state_key_not_a_boolean(site: SiteModel) -> None:
    """`on:` in YAML stays the key 'on' (YAML 1.1 would read it as True)."""
    assert site.device("LIGHT-3A").state == {"on": True}


def test_device_floor_comes_from_its_area_and_ids_match_any_case(
    site: SiteModel,
) -> None:
    """A device without a floor gets its area's; lookups ignore case."""
    assert site.device("hvac-3a").floor == 3
    assert site.area("mr-3a").aliases == ["3A", "boardroom"]


def test_every_manual_a_device_names_is_packaged_with_a_licence(
    site: SiteModel,
) -> None:
    """Devices point at manual folders that exist beside site.yaml."""
    manuals = DEMO_SITE_DIR / "manuals"
    assert (manuals / "SOURCES.md").is_file()
    named = {name for device in site.devices for name in device.manuals}
    assert {"px4-user-guide", "linuxcnc", "klipper", "zigbee2mqtt"} <= named
    for name in named:
        assert (manuals / name / "LICENSE").is_file(), name
    assert site.device("D-1").manuals == ["px4-user-guide"]


def test_telemetry_folders_carry_their_licences() -> None:
    """Copied recordings sit beside their licence files."""
    telemetry = DEMO_SITE_DIR / "telemetry"
    assert (telemetry / "nab" / "LICENSE.txt").is_file()
    assert (telemetry / "skab" / "LICENSE").is_file()
    assert (telemetry / "skab" / "README.md").is_file()
    assert (telemetry / "assetopsbench" / "LICENSE").is_file()
    assert (telemetry / "assetopsbench" / "failure_codes.csv").is_file()


def _write_site(folder: Path, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "site.yaml").write_text(text, encoding="utf-8")
    return folder


MINIMAL = """
name: tiny
clock: {now: "2026-01-01T00:00:00Z"}
floors: [{id: 1, name: first floor}]
areas: [{id: A, name: room a, floor: 1, kind: office}]
devices:
"""


def test_minimal_site_loads(tmp_path: Path) -> None:
    """A site with no devices is valid."""
    site = load_site(_write_site(tmp_path, MINIMAL))
    assert site.name == "tiny" and site.devices == []


def test_invalid_yaml_names_the_file(tmp_path: Path) -> None:
    """A YAML syntax error becomes a SiteModelError naming site.yaml."""
    folder = _write_site(tmp_path, "name: [unclosed\n")
    with pytest.raises(SiteModelError, match="site.yaml is not valid YAML"):
        load_site(folder)


def test_missing_folder_says_what_to_point_at(tmp_path: Path) -> None:
    """A folder without site.yaml is reported with what to do."""
    with pytest.raises(SiteModelError, match="holds a site.yaml"):
        load_site(tmp_path / "nowhere")


def test_device_in_unknown_area_is_reported(tmp_path: Path) -> None:
    """A device pointing at an undefined area is a malformed site."""
    text = MINIMAL + "  - {id: L-1, name: lamp, type: light, area: B}\n"
    with pytest.raises(SiteModelError, match="unknown area B"):
        load_site(_write_site(tmp_path, text))


def test_action_without_its_state_key_is_reported(tmp_path: Path) -> None:
    """set_setpoint needs a setpoint in the initial state."""
    text = MINIMAL + (
        "  - {id: T-1, name: stat, type: hvac, area: A, limits: {min: 1, max: 2},"
        " actions: [set_setpoint], state: {on: true}}\n"
    )
    with pytest.raises(SiteModelError, match="needs 'setpoint'"):
        load_site(_write_site(tmp_path, text))


def test_missing_recording_file_is_reported(tmp_path: Path) -> None:
    """A metric replaying a file that is not there fails at load time."""
    text = MINIMAL + (
        "  - id: M-9\n    name: m\n    type: machine\n    area: A\n"
        "    metrics:\n      - name: t\n        unit: C\n        source:\n"
        "          file: telemetry/none.csv\n          value_column: value\n"
        "          recording_now: '2020-01-01T00:00:00Z'\n"
    )
    with pytest.raises(SiteModelError, match="does not exist"):
        load_site(_write_site(tmp_path, text))
