"""Tests for agent/graph.py with a scripted planner over the real demo site."""

from __future__ import annotations

from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from agent.graph import AgentContext
from agent.runtime import Agent
from tests.conftest import ScriptedModel

NO_TARGET = {"device": None, "type": None, "area": None, "floor": None}


def target(**fields: object) -> dict:
    return {**NO_TARGET, **fields}


def planner(*plans: object) -> ScriptedModel:
    """A scripted model that answers each turn's intent call, then its plan call."""
    answers = []
    for plan in plans:
        intent = plan["intent"] if isinstance(plan, dict) else plan
        answers += [{"intent": intent}, plan] if isinstance(plan, dict) else [plan]
    return ScriptedModel(*answers)


def agent_with(model: ScriptedModel, toolbox: object) -> Agent:
    context = AgentContext(model=model, toolbox=toolbox, system_prompt="plan")
    return Agent(context, InMemorySaver())


def setpoint(gateway: object, device: str) -> float:
    return gateway.device(device)["state"]["setpoint"]


def test_group_relative_command_changes_exactly_the_group(
    toolbox: object, gateway: object
) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "set_setpoint",
                "args": {
                    "target": target(type="hvac", area="meeting room", floor=3),
                    "value": -2,
                    "relative": True,
                    "unit": "C",
                },
            }
        ],
    }
    before = {d: setpoint(gateway, d) for d in ("HVAC-3A", "HVAC-3B", "HVAC-301")}
    answer = agent_with(planner(plan), toolbox).ask("lower 3rd floor rooms by 2")
    assert setpoint(gateway, "HVAC-3A") == before["HVAC-3A"] - 2
    assert setpoint(gateway, "HVAC-3B") == before["HVAC-3B"] - 2
    assert setpoint(gateway, "HVAC-301") == before["HVAC-301"]
    assert [a.tool for a in answer.actions] == ["set_setpoint"]
    assert "HVAC-3A" in answer.answer


def test_read_only_question_never_runs_an_action_tool(
    toolbox: object, gateway: object
) -> None:
    plan = {
        "intent": "device_question",
        "calls": [
            {
                "tool": "switch",
                "args": {"target": target(device="LIGHT-3A"), "on": False},
            },
            {"tool": "read_state", "args": {"target": target(device="LIGHT-3A")}},
        ],
    }
    on_before = gateway.device("LIGHT-3A")["state"]["on"]
    answer = agent_with(planner(plan), toolbox).ask("is the 3A light on?")
    assert gateway.device("LIGHT-3A")["state"]["on"] == on_before
    assert [a.tool for a in answer.actions] == ["read_state"]
    assert "Not done (switch)" in answer.answer


def test_out_of_range_setpoint_is_refused_with_the_limit(
    toolbox: object, gateway: object
) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "set_setpoint",
                "args": {
                    "target": target(area="3A", type="hvac"),
                    "value": 35,
                    "relative": False,
                    "unit": "C",
                },
            }
        ],
    }
    before = setpoint(gateway, "HVAC-3A")
    answer = agent_with(planner(plan), toolbox).ask("3A to 35")
    assert setpoint(gateway, "HVAC-3A") == before
    assert not answer.actions[0].ok
    assert "28" in answer.answer and "not changed" in answer.answer


def test_unknown_device_gets_a_clear_answer(toolbox: object) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "switch",
                "args": {"target": target(device="pump P-9"), "on": False},
            }
        ],
    }
    answer = agent_with(planner(plan), toolbox).ask("turn off pump P-9")
    assert "no device P-9 exists" in answer.answer
    assert answer.actions == []


def test_malformed_plan_becomes_an_answer_not_a_crash(toolbox: object) -> None:
    answer = agent_with(planner("{not json"), toolbox).ask("???")
    assert "could not plan" in answer.answer
    assert answer.actions == []


def test_malformed_tool_arguments_are_refused_before_the_site(
    toolbox: object, gateway: object
) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "set_setpoint",
                "args": {
                    "target": target(area="3A"),
                    "value": "warm",
                    "relative": False,
                },
            }
        ],
    }
    before = setpoint(gateway, "HVAC-3A")
    answer = agent_with(planner(plan), toolbox).ask("3A warm")
    assert setpoint(gateway, "HVAC-3A") == before
    assert "Invalid arguments for set_setpoint" in answer.answer


def test_thread_keeps_history_for_follow_ups(toolbox: object) -> None:
    first = {
        "intent": "device_question",
        "calls": [{"tool": "read_state", "args": {"target": target(device="P-1")}}],
    }
    second = {
        "intent": "device_question",
        "calls": [{"tool": "read_state", "args": {"target": target(device="P-2")}}],
    }
    model = planner(first, second)
    agent = agent_with(model, toolbox)
    agent.ask("how is pump 1?", thread="t1")
    agent.ask("and pump 2?", thread="t1")
    contents = [m["content"] for m in model.calls[2]]
    assert "how is pump 1?" in contents and contents[-1] == "and pump 2?"


def test_telemetry_question_flags_the_faulty_pumps(toolbox: object) -> None:
    plan = {
        "intent": "telemetry_question",
        "calls": [
            {
                "tool": "query_telemetry",
                "args": {
                    "target": target(type="pump"),
                    "metric": "vibration",
                    "hours": 24,
                },
            }
        ],
    }
    answer = agent_with(planner(plan), toolbox).ask("which pumps vibrated?")
    first = answer.answer.splitlines()[0]
    assert "P-2" in first and "P-3" in first and "P-1" not in first


def test_work_order_opens_for_a_known_device_only(
    tmp_path: Path, toolbox: object
) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {
                "tool": "open_work_order",
                "args": {
                    "device": "P-2",
                    "title": "Rebalance rotor",
                    "priority": "high",
                },
            },
            {
                "tool": "open_work_order",
                "args": {"device": "P-9", "title": "Check", "priority": "low"},
            },
        ],
    }
    answer = agent_with(planner(plan), toolbox).ask("open work orders")
    assert answer.actions[0].ok and answer.actions[0].result["number"] == "WO-0001"
    assert not answer.actions[1].ok


def test_action_on_many_devices_needs_a_request_for_a_group(
    toolbox: object, gateway: object
) -> None:
    plan = {
        "intent": "command",
        "calls": [
            {"tool": "switch", "args": {"target": target(type="pump"), "on": False}}
        ],
    }
    answer = agent_with(planner(plan), toolbox).ask("turn off the pump")
    assert all(gateway.device(p)["state"]["on"] for p in ("P-1", "P-2", "P-3"))
    assert "it would change 3 devices" in answer.answer
    assert answer.actions == []
