"""End to end with the real local model: a technician's requests on the demo site."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent.config import Settings
from agent.runtime import open_agent
from tests.conftest import MODEL_PATH

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def agent(local_model: object, manual_index: object, tmp_path_factory) -> object:
    """One agent over a fresh demo site, sharing the session's model and manuals.
    The fast path is off: these tests are about the model's plans."""
    home = tmp_path_factory.mktemp("e2e")
    settings = Settings(
        home=home, local_model_path=MODEL_PATH, n_threads=2, fast_path=False
    )
    with open_agent(settings, model=local_model, manuals=manual_index) as ready:
        yield ready


def state(agent: object, device: str) -> dict:
    return agent.context.toolbox.gateway.device(device)["state"]


def test_group_relative_command_lowers_every_third_floor_meeting_room(
    agent: object,
) -> None:
    before = {d: state(agent, d)["setpoint"] for d in ("HVAC-3B", "HVAC-3C", "HVAC-2A")}
    answer = agent.ask(
        "lower the temperature by 2 degrees in all meeting rooms on the third floor"
    )
    assert state(agent, "HVAC-3B")["setpoint"] == pytest.approx(before["HVAC-3B"] - 2)
    assert state(agent, "HVAC-3C")["setpoint"] == pytest.approx(before["HVAC-3C"] - 2)
    assert state(agent, "HVAC-2A")["setpoint"] == before["HVAC-2A"]
    assert answer.model == "qwen2.5-coder-1.5b"


def test_read_only_question_changes_no_device(agent: object) -> None:
    gateway = agent.context.toolbox.gateway
    before = len(gateway.audit(limit=500))
    answer = agent.ask("is the light in office 301 on?")
    assert len(gateway.audit(limit=500)) == before
    assert "LIGHT-301" in answer.answer


def test_out_of_range_request_is_refused_with_a_reason(agent: object) -> None:
    before = state(agent, "HVAC-2B")["setpoint"]
    answer = agent.ask("set meeting room 2B to 40 degrees")
    assert state(agent, "HVAC-2B")["setpoint"] == before
    assert "28" in answer.answer


def test_unknown_device_gets_a_clear_answer(agent: object) -> None:
    answer = agent.ask("turn off pump P-9")
    assert "no device p-9" in answer.answer.lower()


def test_how_to_question_cites_the_compass_manual(agent: object) -> None:
    answer = agent.ask("how do I recalibrate the compass on drone D-4?")
    assert any(c["source"] == "px4-user-guide/compass.md" for c in answer.citations)
    assert answer.answer and "do not cover" not in answer.answer


def test_cli_ask_json_prints_one_answer_object(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FIELDPILOT_HOME": str(tmp_path),
        "FIELDPILOT_LOCAL_MODEL_PATH": str(MODEL_PATH),
        "FIELDPILOT_N_THREADS": "2",
    }
    done = subprocess.run(
        [sys.executable, "-m", "agent", "ask", "--json", "switch on the lobby lights"],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert {"answer", "actions", "citations", "model"} <= set(answer)
    assert answer["actions"][0]["tool"] == "switch" and answer["actions"][0]["ok"]


def test_a_conditional_request_opens_a_work_order_only_when_it_holds(
    agent: object,
) -> None:
    answer = agent.ask(
        "check pump P-2's vibration; if it is anomalous open a work order"
    )
    tools = [a.tool for a in answer.actions]
    assert tools == ["query_telemetry", "open_work_order"]
    assert answer.actions[1].result["device"] == "P-2"


def cli_env(home: Path) -> dict[str, str]:
    """A fresh FIELDPILOT_HOME that shares the set-up model and manual index."""
    import shutil

    shutil.copytree(Settings().manuals_index_dir, home / "manuals-index")
    return {
        **os.environ,
        "FIELDPILOT_HOME": str(home),
        "FIELDPILOT_LOCAL_MODEL_PATH": str(MODEL_PATH),
        "FIELDPILOT_N_THREADS": "2",
    }


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    """Run `fieldpilot ARGS` in a new process."""
    return subprocess.run(
        [sys.executable, "-m", "agent", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=900,
    )


def test_a_killed_chat_resumes_its_pending_confirmation(tmp_path: Path) -> None:
    from evals.resume_check import pause_in_killed_chat

    env = cli_env(tmp_path)
    lines = pause_in_killed_chat(env, "t-kill", "stop pump P-1")
    assert any("it stops P-1" in line for line in lines), lines

    done = cli(env, "resume", "t-kill", "--approve", "--json")
    assert done.returncode == 0, done.stderr[-2000:]
    answer = json.loads(done.stdout)
    assert answer["pending"] is None and answer["actions"][0]["ok"]
    state = cli(env, "site", "state", "P-1")
    assert json.loads(state.stdout)["state"]["on"] is False

    again = cli(env, "resume", "t-kill", "--reject")
    assert again.returncode == 1 and "not waiting" in again.stderr
