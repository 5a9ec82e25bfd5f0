"""Tests for tools/gateway.py: the client against the demo site over real HTTP."""

from __future__ import annotations

import logging
import socket
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simulator.model import DEMO_SITE_DIR
from simulator.server import InProcessGateway
from tools.errors import CommandRejected, DeviceNotFound, GatewayError
from tools.gateway import GatewayClient

NOW = datetime(2026, 6, 15, 12, tzinfo=UTC)


@pytest.fixture
def client(tmp_path: Path) -> Iterator[GatewayClient]:
    """A GatewayClient of the demo site served in process with a fresh database."""
    with InProcessGateway(DEMO_SITE_DIR, tmp_path / "site.db", now=NOW) as server:
        with GatewayClient(server.url) as gateway:
            yield gateway


def test_site_and_devices_come_back_as_json(client: GatewayClient) -> None:
    """site() and devices() return the gateway's dicts; filters are passed on."""
    assert client.site()["name"] == "Harbourside Works"
    drones = client.devices(type="drone")
    assert [d["id"] for d in drones] == ["D-1", "D-2", "D-3", "D-4"]
    assert drones[0]["manuals"] == ["px4-user-guide"]
    assert {d["id"] for d in client.devices(area="3A", floor=3)} == {
        "HVAC-3A",
        "LIGHT-3A",
    }


def test_command_changes_the_device_and_logs_one_line(
    client: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    """A command answers before/after and the state reads back changed."""
    with caplog.at_level(logging.INFO, logger="tools.gateway"):
        reply = client.command("HVAC-3A", "set_setpoint", 70, "°F", actor="test")
    assert reply["ok"] and reply["after"]["setpoint"] == 21.1
    assert client.device("HVAC-3A")["state"]["setpoint"] == 21.1
    lines = [r for r in caplog.records if r.name == "tools.gateway"]
    assert len(lines) == 1 and "HVAC-3A" in lines[0].getMessage()
    assert client.audit(device="HVAC-3A")[0]["actor"] == "test"


def test_refused_command_raises_command_rejected_with_the_sentence(
    client: GatewayClient,
) -> None:
    """422 becomes CommandRejected carrying the gateway's sentence verbatim."""
    with pytest.raises(CommandRejected) as caught:
        client.command("HVAC-3A", "set_setpoint", 35, "°C")
    assert caught.value.sentence == (
        "Setpoint 35.0 °C is outside HVAC-3A's limits 16–28 °C."
    )
    assert str(caught.value) == caught.value.sentence
    assert client.device("HVAC-3A")["state"]["setpoint"] == 21.5
    assert client.audit(limit=1)[0]["ok"] is False


def test_unknown_device_raises_device_not_found(client: GatewayClient) -> None:
    """404 becomes DeviceNotFound with the gateway's suggestion."""
    with pytest.raises(DeviceNotFound, match="Did you mean P-2"):
        client.device("P-22")
    with pytest.raises(DeviceNotFound):
        client.command("NOPE", "turn_on")


def test_telemetry_and_summary_accept_datetimes(client: GatewayClient) -> None:
    """Datetime bounds are sent as ISO Z; points and summary come back."""
    start = NOW - timedelta(hours=6)
    body = client.telemetry("M-1", "temperature", start=start, end=NOW)
    assert body["count"] == 73 and body["points"][0][0] == "2026-06-15T06:00:00Z"
    down = client.telemetry("P-3", "vibration", max_points=24)
    assert len(down["points"]) <= 24
    summary = client.telemetry_summary("P-3", "vibration", start=start)
    assert summary["above_alarm_high"] > 0 and summary["unit"] == "g"
    with pytest.raises(CommandRejected, match="its metrics are"):
        client.telemetry_summary("P-3", "rpm")


def test_set_clock_moves_site_time(client: GatewayClient) -> None:
    """set_clock takes a datetime and the clock reports it back."""
    moved = client.set_clock(NOW + timedelta(hours=1), speed=0)
    assert moved["now"] == "2026-06-15T13:00:00Z"
    assert client.clock()["now"] == "2026-06-15T13:00:00Z"


def test_no_gateway_raises_gateway_error_naming_url_and_fix() -> None:
    """Nothing listening: GatewayError names the URL and how to start a gateway."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with GatewayClient(f"http://127.0.0.1:{port}", timeout=2) as gateway:
        with pytest.raises(GatewayError) as caught:
            gateway.devices()
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "fieldpilot site serve" in message
    assert "FIELDPILOT_GATEWAY_URL" in message


def test_silent_gateway_times_out_with_gateway_error() -> None:
    """A server that accepts but never answers gives a timeout GatewayError."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        with GatewayClient(url, timeout=0.3) as gateway:
            with pytest.raises(GatewayError, match="did not answer within 0.3 s"):
                gateway.site()


def test_a_transient_failure_is_retried_and_logged(
    client: GatewayClient, caplog: pytest.LogCaptureFixture
) -> None:
    client.simulate_faults(fail_next=2)
    with caplog.at_level(logging.WARNING, logger="tools.gateway"):
        assert client.device("LIGHT-K")["id"] == "LIGHT-K"
    assert sum("retrying" in r.getMessage() for r in caplog.records) == 2


def test_a_failure_that_lasts_is_raised_after_the_retries(
    client: GatewayClient,
) -> None:
    client.simulate_faults(fail_next=3)
    with pytest.raises(GatewayError, match="503"):
        client.device("LIGHT-K")
    assert client.device("LIGHT-K")["id"] == "LIGHT-K"


def test_a_500_is_not_retried(client: GatewayClient) -> None:
    client.simulate_faults(fail_next=2, status=500)
    with pytest.raises(GatewayError, match="500"):
        client.device("LIGHT-K")
    assert client._request("GET", "/api/faults")["fail_next"] == 1


def test_site_model_is_read_once_per_ttl_and_state_always(tmp_path: Path) -> None:
    """site() and devices() come from one read within the TTL, and again after
    it; device() (the state) is read every time; copies do not leak edits."""
    with InProcessGateway(DEMO_SITE_DIR, tmp_path / "site.db", now=NOW) as server:
        with GatewayClient(server.url, model_ttl_s=60) as gateway:
            seen: list[str] = []
            send = gateway._client.request

            def counting(method: str, path: str, **kwargs: object) -> object:
                seen.append(path)
                return send(method, path, **kwargs)

            gateway._client.request = counting  # type: ignore[method-assign]
            first = gateway.devices()
            first[0]["name"] = "edited by a caller"
            assert gateway.devices()[0]["name"] != "edited by a caller"
            gateway.site(), gateway.site()
            gateway.device("HVAC-3A"), gateway.device("HVAC-3A")
            assert seen.count("/api/devices") == 1 and seen.count("/api/site") == 1
            assert seen.count("/api/devices/HVAC-3A") == 2
            gateway.devices(type="drone")  # a filtered list is always asked for
            assert seen.count("/api/devices") == 2
            gateway.forget_site_model()
            gateway.devices()
            assert seen.count("/api/devices") == 3
