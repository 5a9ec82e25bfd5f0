"""Tests for agent/graph.py with a scripted planner over the real demo site."""

from __future__ import annotations

from pathlib import Path

from langgraph.checkpoint.memory import InMemorySaver

from agent.context import AgentContext
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
    answer = agent_with(planner(plan), toolbox).ask(
        "lower all meeting rooms on the 3rd floor by 2"
    )
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


def on(gateway: object, device: str) -> bool:
    return gateway.device(device)["state"]["on"]


def command(*calls: dict) -> dict:
    return {"intent": "command", "calls": list(calls)}


def switch_off(**fields: object) -> dict:
    return {"tool": "switch", "args": {"target": target(**fields), "on": False}}


def test_action_with_no_target_is_refused(toolbox: object, gateway: object) -> None:
    answer = agent_with(planner(command(switch_off())), toolbox).ask(
        "turn off the lights in meeting room 3A"
    )
    assert on(gateway, "LIGHT-3A") and on(gateway, "CH-6")
    assert "names no device" in answer.answer


def test_action_reaching_devices_the_request_does_not_name_is_refused(
    toolbox: object, gateway: object
) -> None:
    answer = agent_with(planner(command(switch_off(type="light"))), toolbox).ask(
        "turn off the lights in meeting room 2B"
    )
    assert on(gateway, "LIGHT-2B") and on(gateway, "LIGHT-3A")
    assert "which the request does not name" in answer.answer


def test_extra_device_in_the_plan_is_refused_and_the_named_one_changes(
    toolbox: object, gateway: object
) -> None:
    plan = command(switch_off(device="LIGHT-3A"), switch_off(device="M-1"))
    agent_with(planner(plan), toolbox).ask("turn off the lights in 3A")
    assert not on(gateway, "LIGHT-3A")
    assert on(gateway, "M-1")


def test_near_miss_name_changes_no_device(toolbox: object, gateway: object) -> None:
    answer = agent_with(planner(command(switch_off(device="chiller 7"))), toolbox).ask(
        "turn off chiller 7"
    )
    assert on(gateway, "CH-6")
    assert "No device matches chiller 7" in answer.answer


def test_other_intent_never_acts(toolbox: object, gateway: object) -> None:
    plan = {"intent": "other", "calls": [switch_off(device="CH-6")]}
    agent_with(planner(plan), toolbox).ask("hello CH-6")
    assert on(gateway, "CH-6")


def test_malformed_plans_are_answered_not_raised(toolbox: object) -> None:
    for bad in (
        {"intent": "command", "calls": [{"tool": "switch", "args": "LIGHT-3A"}]},
        {"intent": "command", "calls": ["switch"]},
        {"intent": "command", "calls": None},
        ["switch"],
    ):
        model = ScriptedModel({"intent": "command"}, bad)
        answer = agent_with(model, toolbox).ask("turn off 3A lights")
        assert "could not plan" in answer.answer and answer.actions == []
    answer = agent_with(
        ScriptedModel(
            {"intent": "bogus"},
            {
                "intent": "other",
                "calls": [
                    {"tool": "read_state", "args": {"target": target(device="P-1")}}
                ],
            },
        ),
        toolbox,
    ).ask("P-1?")
    assert answer.intent == "other"


def test_non_finite_setpoint_is_refused_before_the_site(
    toolbox: object, gateway: object
) -> None:
    for value in (float("nan"), float("inf"), True):
        result = toolbox.call(
            "set_setpoint",
            {"target": target(device="HVAC-2A"), "value": value, "relative": False},
        )
        assert not result.ok and "value" in result.error
    assert gateway.audit(limit=10) == []


def test_group_change_beyond_a_limit_changes_none(
    toolbox: object, gateway: object
) -> None:
    plan = command(
        {
            "tool": "set_setpoint",
            "args": {
                "target": target(type="hvac", floor=3),
                "value": 7,
                "relative": True,
                "unit": "C",
            },
        }
    )
    answer = agent_with(planner(plan), toolbox).ask("raise all rooms on floor 3 by 7")
    assert gateway.audit(limit=50) == []
    assert "Nothing was changed" in answer.answer or "outside" in answer.answer


def test_dead_gateway_gets_an_answer_not_a_crash(tmp_path: Path) -> None:
    from tools.gateway import GatewayClient
    from tools.registry import Toolbox

    with GatewayClient("http://127.0.0.1:9", timeout=2) as dead:
        plan = command(switch_off(device="LIGHT-3A"))
        answer = agent_with(planner(plan), Toolbox(dead)).ask("turn off 3A lights")
    assert "cannot be reached" in answer.answer


def test_a_local_plan_the_guard_would_refuse_is_escalated_to_the_cloud(
    toolbox: object, gateway: object
) -> None:
    """A plan that reaches devices the task does not name fails validation, so
    a routed agent asks the cloud, whose right plan runs."""
    from agent.router import Router

    local = planner(command(switch_off(type="light")))
    cloud = ScriptedModel(command(switch_off(area="MR-2B", type="light")), name="big")
    context = AgentContext(
        model=local,
        toolbox=toolbox,
        system_prompt="plan",
        router=Router(local=local, cloud=cloud),
    )
    answer = Agent(context, InMemorySaver()).ask(
        "turn off the lights in meeting room 2B"
    )
    assert not on(gateway, "LIGHT-2B") and on(gateway, "LIGHT-3A")
    plan = [r for r in answer.route if r["purpose"] == "plan"]
    assert [r.get("tier") for r in plan] == ["local", "cloud"]
    assert "does not name" in plan[1]["reason"] and plan[1]["served"]


def test_a_question_the_local_model_reads_as_a_command_goes_to_the_cloud(
    toolbox: object, gateway: object
) -> None:
    from agent.router import Router

    read = {"tool": "read_state", "args": {"target": target(device="LIGHT-301")}}
    local = ScriptedModel(
        {"intent": "command"}, {"intent": "device_question", "calls": [read]}
    )
    cloud = ScriptedModel({"intent": "device_question"}, name="big")
    context = AgentContext(
        model=local,
        toolbox=toolbox,
        system_prompt="plan",
        router=Router(local=local, cloud=cloud),
    )
    answer = Agent(context, InMemorySaver()).ask("is the light in office 301 on?")
    intent = [r for r in answer.route if r["purpose"] == "intent"]
    assert [r.get("tier") for r in intent] == ["local", "cloud"]
    assert "question read as a command" in intent[1]["reason"]
    assert answer.intent == "device_question"
    assert "LIGHT-301" in answer.answer and answer.actions[0].tool == "read_state"


def test_a_polite_question_read_as_a_command_changes_nothing(
    toolbox: object, gateway: object
) -> None:
    plan = command(switch_off(device="LIGHT-LOBBY"))
    answer = agent_with(planner(plan), toolbox).ask(
        "could you check whether the lobby lights are on?"
    )
    assert on(gateway, "LIGHT-LOBBY")
    assert "questions never change devices" in answer.answer
