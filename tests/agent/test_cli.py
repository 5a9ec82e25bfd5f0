"""Tests for agent/cli.py: commands that need no model."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from agent.cli import app


def test_site_state_prints_one_device_as_json(home: Path) -> None:
    result = CliRunner().invoke(app, ["site", "state", "HVAC-3A"])
    assert result.exit_code == 0, result.output
    device = json.loads(result.output)
    assert device["id"] == "HVAC-3A" and "setpoint" in device["state"]


def test_unknown_device_is_a_one_line_error_and_exit_code_1(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "site", "state", "NOPE-1"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"FIELDPILOT_HOME": str(home), "PATH": ""},
    )
    assert done.returncode == 1
    assert "error:" in done.stderr and "Traceback" not in done.stderr


def test_unknown_eval_suite_names_the_suites(home: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "agent", "eval", "nope"],
        capture_output=True,
        text=True,
        timeout=120,
        env={"FIELDPILOT_HOME": str(home), "PATH": ""},
    )
    assert done.returncode == 1 and "main_job" in done.stderr


def free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_and_turn_on(client: object) -> None:
    import time

    from tools.errors import GatewayError

    for _ in range(150):
        try:
            client.site()
            break
        except GatewayError:
            time.sleep(0.2)
    client.command("LIGHT-3B", "turn_on")


def test_site_serve_is_a_real_gateway_that_other_processes_share(home: Path) -> None:
    import os

    from tools.gateway import GatewayClient

    port = free_port()
    env = {**os.environ, "FIELDPILOT_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "agent", "site", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        with GatewayClient(url) as client:
            wait_and_turn_on(client)

        # Another process reading the same site database sees the change.
        result = CliRunner().invoke(app, ["site", "state", "LIGHT-3B"])
        assert json.loads(result.output)["state"]["on"] is True

        # And a client configured by URL talks to the served gateway.
        env_url = {**env, "FIELDPILOT_GATEWAY_URL": url}
        done = subprocess.run(
            [sys.executable, "-m", "agent", "site", "state", "LIGHT-3B"],
            capture_output=True,
            text=True,
            env=env_url,
            timeout=120,
        )
        assert json.loads(done.stdout)["state"]["on"] is True
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_site_reset_restores_the_initial_state(home: Path) -> None:
    from agent.config import Settings
    from agent.runtime import open_gateway

    with open_gateway(Settings()) as gateway:
        gateway.command("LIGHT-3B", "turn_on")
    assert CliRunner().invoke(app, ["site", "reset"]).exit_code == 0
    result = CliRunner().invoke(app, ["site", "state", "LIGHT-3B"])
    assert json.loads(result.output)["state"]["on"] is False
