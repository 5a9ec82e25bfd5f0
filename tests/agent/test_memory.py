"""Tests for agent/memory.py: checkpointers and the episode store."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.config import Settings
from agent.context import AgentContext
from agent.errors import ConfigError
from agent.memory import EpisodeStore, open_checkpointer
from agent.runtime import Agent
from tests.agent.test_graph import planner, target
from tools.workorders import OpenWorkOrderArgs, WorkOrderStore

POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"


def test_recall_finds_the_same_device_and_symptom(tmp_path: Path) -> None:
    store = EpisodeStore(tmp_path / "memory.sqlite")
    store.record("t1", "P-2 vibration is anomalous", ["P-2"], [], "done", "")
    store.record("t2", "P-3 vibration is anomalous", ["P-3"], [], "done", "")
    store.record("t3", "turn off the kitchen lights", ["LIGHT-K"], [], "done", "")
    found = store.recall("pump P-2 vibrated again")
    assert [e["request"] for e in found] == ["P-2 vibration is anomalous"]
    assert store.recall("what is the weather") == []


def test_a_closed_work_order_brings_what_fixed_it(
    toolbox: object, tmp_path: Path
) -> None:
    orders = toolbox.work_orders
    order = orders.open(OpenWorkOrderArgs(device="P-2", title="vibration"))
    orders.close(order["number"], "re-greased the drive-end bearing")
    episodes = EpisodeStore(tmp_path / "memory.sqlite")
    action = {"tool": "open_work_order", "work_order": order["number"], "ok": True}
    episodes.record("t0", "P-2 vibration is anomalous", ["P-2"], [action], "done", "")

    plan = {
        "intent": "work_orders",
        "calls": [
            {
                "tool": "open_work_order",
                "args": {"device": "P-2", "title": "vibration", "priority": "high"},
            }
        ],
    }
    model = planner(plan)
    context = AgentContext(model, toolbox, "plan", episodes=episodes)
    answer = Agent(context, InMemorySaver()).ask("P-2 is vibrating again, open a WO")
    assert "re-greased the drive-end bearing" in answer.answer
    assert "re-greased" in model.calls[0][-1]["content"]  # planning saw it
    assert len(episodes.recall("P-2 vibrating")) == 2  # this turn was recorded


def test_every_turn_is_recorded_with_its_outcome(
    toolbox: object, tmp_path: Path
) -> None:
    episodes = EpisodeStore(tmp_path / "memory.sqlite")
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "switch",
                "args": {"target": target(device="LIGHT-K"), "on": False},
            }
        ],
    }
    context = AgentContext(planner(plan), toolbox, "plan", episodes=episodes)
    Agent(context, InMemorySaver()).ask("turn off the LIGHT-K kitchen lights")
    [episode] = episodes.recall("kitchen lights", {"LIGHT-K"})
    assert episode["outcome"] == "done" and episode["devices"] == ["LIGHT-K"]
    assert episode["actions"][0]["tool"] == "switch"


def test_work_orders_close_with_a_resolution(tmp_path: Path) -> None:
    orders = WorkOrderStore(tmp_path / "wo.sqlite")
    order = orders.open(OpenWorkOrderArgs(device="P-1", title="noise"))
    closed = orders.close(order["number"], "tightened the coupling")
    assert (
        closed["status"] == "closed"
        and closed["resolution"] == "tightened the coupling"
    )
    assert orders.get("WO-9999") is None


def test_sqlite_is_the_default_checkpointer(home: Path) -> None:
    with open_checkpointer(Settings()) as saver:
        assert type(saver).__name__ == "SqliteSaver"
    assert (home / "threads.sqlite").exists()


def test_a_dead_database_url_is_a_clear_error(home: Path) -> None:
    settings = Settings(database_url="postgresql://nobody@127.0.0.1:1/none")
    with pytest.raises(ConfigError, match="FIELDPILOT_DATABASE_URL"):
        with open_checkpointer(settings):
            pass


def postgres_or_skip() -> None:
    import psycopg

    try:
        psycopg.connect(POSTGRES, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"no PostgreSQL at {POSTGRES}: {exc}")


def test_a_paused_thread_survives_in_postgresql(
    toolbox: object, gateway: object
) -> None:
    postgres_or_skip()
    settings = Settings(database_url=POSTGRES)
    plan = {
        "intent": "command",
        "calls": [
            {"tool": "switch", "args": {"target": target(device="P-1"), "on": False}}
        ],
    }
    thread = f"pg-{uuid.uuid4().hex[:8]}"
    with open_checkpointer(settings) as saver:
        assert type(saver).__name__ == "PostgresSaver"
        context = AgentContext(planner(plan), toolbox, "plan")
        assert Agent(context, saver).ask("stop pump P-1", thread).pending
    with open_checkpointer(settings) as saver:
        agent = Agent(AgentContext(planner(), toolbox, "plan"), saver)
        assert "P-1" in agent.pending(thread)["question"]
        agent.resume(thread, approve=True)
    assert gateway.device("P-1")["state"]["on"] is False


def test_an_episode_about_one_device_is_not_recalled_for_another(
    tmp_path: Path,
) -> None:
    store = EpisodeStore(tmp_path / "memory.sqlite")
    store.record("t", "P-2 vibration is high", ["P-2"], [], "done", "re-greased")
    assert store.recall("check the vibration of pump 1", {"P-1"}) == []
    assert store.recall("check the vibration of the chilled water valve") == []
    assert store.recall("check the vibration of pump 2", {"P-2"})
