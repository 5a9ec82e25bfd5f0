"""Tests for simulator/gateway.py: the HTTP API of the demo site over a real server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from simulator.model import DEMO_SITE_DIR
from simulator.server import InProcessGateway

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def api(tmp_path: Path) -> Iterator[httpx.Client]:
    """An httpx client of the demo site served on loopback with a fresh database."""
    with InProcessGateway(DEMO_SITE_DIR, tmp_path / "site.db", now=NOW) as server:
        with httpx.Client(base_url=server.url, timeout=10) as client:
            yield client


def _command(api: httpx.Client, device: str, **body: object) -> httpx.Response:
    return api.post(f"/api/devices/{device}/commands", json=body)


def _setpoint(api: httpx.Client, device: str = "HVAC-3A") -> float:
    return api.get(f"/api/devices/{device}").json()["state"]["setpoint"]


def test_health_and_site_report_the_site_clock(api: httpx.Client) -> None:
    """The site answers with its name, now (ISO Z), floors and areas."""
    assert api.get("/api/health").json()["status"] == "ok"
    site = api.get("/api/site").json()
    assert site["now"] == "2026-06-15T12:00:00Z"
    assert [f["name"] for f in site["floors"]][:1] == ["first floor"]
    assert any("boardroom" in a["aliases"] for a in site["areas"])


def test_devices_filter_by_area_alias_type_and_floor(api: httpx.Client) -> None:
    """Areas match by alias, floors by name; filters combine."""
    in_3a = api.get("/api/devices", params={"area": "boardroom"}).json()
    assert {d["id"] for d in in_3a} == {"HVAC-3A", "LIGHT-3A"}
    assert in_3a[0]["area_kind"] == "meeting room"
    pumps = api.get("/api/devices", params={"type": "pump"}).json()
    assert [d["id"] for d in pumps] == ["P-1", "P-2", "P-3"]
    third = api.get("/api/devices", params={"type": "hvac", "floor": "third floor"})
    assert {d["floor"] for d in third.json()} == {3} and len(third.json()) == 5


def test_unknown_filter_value_is_refused_with_the_choices(api: httpx.Client) -> None:
    """An unknown area gives 422 and lists the areas."""
    response = api.get("/api/devices", params={"area": "mars"})
    assert response.status_code == 422
    assert "MR-3A (meeting room 3A)" in response.json()["error"]


def test_device_state_includes_current_readings(api: httpx.Client) -> None:
    """An HVAC zone reports on, setpoint and temperature; a pump its vibration."""
    state = api.get("/api/devices/HVAC-3A").json()["state"]
    assert state["on"] is True and state["setpoint"] == 21.5
    assert 20.5 < state["temperature"] < 22.5
    pump = api.get("/api/devices/p-2").json()
    assert pump["id"] == "P-2" and pump["state"]["vibration"] > 0.4
    assert pump["readings"][0]["ts"] == "2026-06-15T12:00:00Z"


def test_setpoint_in_celsius_is_applied(api: httpx.Client) -> None:
    """set_setpoint in °C answers ok with before and after, and sticks."""
    reply = _command(api, "HVAC-3A", action="set_setpoint", value=23, unit="°C")
    assert reply.status_code == 200
    body = reply.json()
    assert body["ok"] and body["before"]["setpoint"] == 21.5
    assert body["after"]["setpoint"] == 23.0 and body["audit_id"] >= 1
    assert _setpoint(api) == 23.0


def test_setpoint_in_fahrenheit_is_converted_to_celsius(api: httpx.Client) -> None:
    """70 °F is stored as 21.1 °C."""
    reply = _command(api, "HVAC-2A", action="set_setpoint", value=70, unit="degF")
    assert reply.status_code == 200
    assert _setpoint(api, "HVAC-2A") == 21.1


def test_out_of_range_setpoint_is_refused_and_changes_nothing(api: httpx.Client):
    """35 °C is outside 16–28 °C: 422 with a sentence, state unchanged."""
    reply = _command(api, "HVAC-3A", action="set_setpoint", value=35, unit="°C")
    assert reply.status_code == 422
    assert reply.json() == {
        "error": "Setpoint 35.0 °C is outside HVAC-3A's limits 16–28 °C."
    }
    fahrenheit = _command(api, "HVAC-3A", action="set_setpoint", value=95, unit="F")
    assert "95.0 °F (35.0 °C)" in fahrenheit.json()["error"]
    assert _setpoint(api) == 21.5


@pytest.mark.parametrize(
    ("device", "body", "status", "phrase"),
    [
        (
            "HVAC-3A",
            {"action": "set_setpoint", "value": 21, "unit": "K"},
            422,
            "°C or °F",
        ),
        ("HVAC-3A", {"action": "explode"}, 422, "allows: turn_on, turn_off"),
        ("LIGHT-3A", {"action": "set_setpoint", "value": 21}, 422, "does not allow"),
        ("HVAC-3A", {"action": "set_setpoint"}, 422, "needs a value"),
        ("HVAC-3A", {"action": "set_setpoint", "value": "warm"}, 422, "not a number"),
        ("VLV-1", {"action": "set_position", "value": 101}, 422, "0–100 %"),
        ("D-1", {"action": "turn_on"}, 422, "read-only"),
        ("HVAC-9Z", {"action": "turn_on"}, 404, "No device has id 'HVAC-9Z'"),
    ],
)
def test_bad_command_is_refused_with_a_sentence_and_changes_nothing(
    api: httpx.Client, device: str, body: dict, status: int, phrase: str
) -> None:
    """Wrong unit, unknown action or device, missing value: refused, nothing moves."""
    before = api.get("/api/devices", params={"type": "hvac"}).json()
    states = [
        api.get(f"/api/devices/{d}").json()["state"] for d in ("HVAC-3A", "VLV-1")
    ]

    reply = _command(api, device, **body)

    assert reply.status_code == status
    assert phrase in reply.json()["error"]
    assert reply.json()["error"].endswith((".", "?"))
    assert api.get("/api/devices", params={"type": "hvac"}).json() == before
    after = [api.get(f"/api/devices/{d}").json()["state"] for d in ("HVAC-3A", "VLV-1")]
    assert after == states


def test_malformed_requests_get_an_error_sentence_too(api: httpx.Client) -> None:
    """FastAPI's own validation answers {"error": sentence}, not its default body."""
    extra = _command(api, "HVAC-3A", action="turn_on", colour="red")
    assert extra.status_code == 422 and set(extra.json()) == {"error"}
    assert "colour" in extra.json()["error"]
    bad_points = api.get("/api/devices/P-1/telemetry", params={"max_points": 0})
    assert "max_points" in bad_points.json()["error"]
    assert api.get("/api/nowhere").json()["error"].startswith("There is no GET")


def test_audit_records_accepted_and_refused_commands(api: httpx.Client) -> None:
    """Both outcomes are audited, newest first, with actor, before and after."""
    _command(api, "LIGHT-3A", action="turn_off", actor="tech-7")
    _command(api, "LIGHT-3A", action="set_position", value=3, actor="tech-7")
    _command(api, "VLV-2", action="set_position", value=40)

    entries = api.get("/api/audit", params={"device": "LIGHT-3A"}).json()
    assert [(e["action"], e["ok"]) for e in entries] == [
        ("set_position", False),
        ("turn_off", True),
    ]
    assert entries[1]["before"] == {"on": True} and entries[1]["after"] == {"on": False}
    assert entries[0]["actor"] == "tech-7" and "does not allow" in entries[0]["error"]
    assert entries[0]["ts"] == "2026-06-15T12:00:00Z"
    assert len(api.get("/api/audit", params={"limit": 2}).json()) == 2


def test_state_persists_across_two_gateways_on_one_database(tmp_path: Path) -> None:
    """A second gateway process on the same file sees the first one's change."""
    db = tmp_path / "shared.db"
    with InProcessGateway(DEMO_SITE_DIR, db, now=NOW) as first:
        with InProcessGateway(DEMO_SITE_DIR, db) as second:
            httpx.post(
                f"{first.url}/api/devices/HVAC-3B/commands",
                json={"action": "set_setpoint", "value": 19.5},
            ).raise_for_status()
            seen = httpx.get(f"{second.url}/api/devices/HVAC-3B").json()
            assert seen["state"]["setpoint"] == 19.5
            clock = httpx.get(f"{second.url}/api/clock").json()
            assert clock["now"] == "2026-06-15T12:00:00Z"


def test_telemetry_is_downsampled_to_max_points(api: httpx.Client) -> None:
    """24 h of 1 Hz vibration comes back as at most 96 bucket means."""
    body = api.get(
        "/api/devices/P-2/telemetry", params={"metric": "vibration", "max_points": 96}
    ).json()
    assert body["unit"] == "g" and 90 <= body["count"] == len(body["points"]) <= 96
    stamp, value = body["points"][0]
    assert stamp.startswith("2026-06-14T12") and stamp.endswith("Z")
    assert 0.1 < value < 0.8
    assert body["start"] == "2026-06-14T12:00:00Z"
    assert body["end"] == "2026-06-15T12:00:00Z"
    too_long = api.get("/api/devices/P-2/telemetry", params={"start": "2026-01-01"})
    assert too_long.status_code == 422 and "31 days" in too_long.json()["error"]


def test_telemetry_window_returns_raw_points(api: httpx.Client) -> None:
    """A closed one-hour window of M-1 holds thirteen 5-minute readings."""
    body = api.get(
        "/api/devices/M-1/telemetry",
        params={"start": "2026-06-15T11:00:00Z", "end": "2026-06-15T12:00:00Z"},
    ).json()
    assert body["metric"] == "temperature" and body["count"] == 13
    assert body["points"][-1][0] == "2026-06-15T12:00:00Z"


def test_unknown_metric_lists_the_device_metrics(api: httpx.Client) -> None:
    """Asking P-1 for humidity is a 422 naming its metrics."""
    reply = api.get("/api/devices/P-1/telemetry", params={"metric": "humidity"})
    assert reply.status_code == 422
    assert "vibration, vibration_2, current" in reply.json()["error"]


def test_vibration_summary_flags_the_imbalanced_pump_only(api: httpx.Client) -> None:
    """Over 24 h P-2 exceeds 0.4 g; P-1 (anomaly-free) never does."""
    url = "/api/devices/{}/telemetry/summary"
    p2 = api.get(url.format("P-2"), params={"metric": "vibration"}).json()
    p1 = api.get(url.format("P-1"), params={"metric": "vibration"}).json()
    assert p2["above_alarm_high"] > 0 and p2["alarm_high"] == 0.4
    assert p1["above_alarm_high"] == 0 and p1["count"] > 80_000
    assert p2["max_robust_z"] > 10 > p1["max_robust_z"]
    assert p2["max_ts"].endswith("Z") and p2["last_ts"] == "2026-06-15T12:00:00Z"


def test_setting_the_clock_moves_the_replay_point(api: httpx.Client) -> None:
    """Two days earlier M-1 was running normally (~90), not in its failure."""
    failing = api.get("/api/devices/M-1").json()["state"]["temperature"]
    reply = api.put("/api/clock", json={"now": "2026-06-13T06:00:00Z", "speed": 0})
    assert reply.json()["now"] == "2026-06-13T06:00:00Z"
    assert api.get("/api/clock").json()["speed"] == 0
    earlier = api.get("/api/devices/M-1").json()["state"]["temperature"]
    assert failing < 40 < 80 < earlier
    assert api.put("/api/clock", json={"speed": -1}).status_code == 422
