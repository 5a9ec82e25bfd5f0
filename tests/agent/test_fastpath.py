"""Tests for agent/fastpath.py: templates over the demo site's own words, and
fast-path commands through the same guard, act and verify as a model's plans."""

from __future__ import annotations

import pytest
from langgraph.checkpoint.memory import InMemorySaver

from agent.context import AgentContext
from agent.fastpath import FastPath
from agent.runtime import Agent
from tests.conftest import ScriptedModel


@pytest.fixture
def fast(gateway: object) -> FastPath:
    return FastPath.for_site(gateway.site(), gateway.devices())


def target(**fields: object) -> dict:
    return {"device": None, "type": None, "area": None, "floor": None, **fields}


@pytest.mark.parametrize(
    ("request_text", "tool", "args"),
    [
        (
            "turn off the kitchen lights",
            "switch",
            {"target": target(type="light", area="KITCHEN"), "on": False},
        ),
        (
            "Switch on the lights in the boardroom.",
            "switch",
            {"target": target(type="light", area="MR-3A"), "on": True},
        ),
        (
            "set meeting room 3A to 21.5 degrees",
            "set_setpoint",
            {
                "target": target(type="hvac", area="MR-3A"),
                "value": 21.5,
                "relative": False,
                "unit": "C",
            },
        ),
        (
            "lower the temperature by 2 degrees in all meeting rooms on the third "
            "floor",
            "set_setpoint",
            {
                "target": target(type="hvac", area="meeting room", floor=3),
                "value": -2.0,
                "relative": True,
                "unit": "C",
            },
        ),
        (
            "raise the temperature in office 302 by 3.6 °F",
            "set_setpoint",
            {
                "target": target(type="hvac", area="OF-302"),
                "value": 3.6,
                "relative": True,
                "unit": "F",
            },
        ),
        (
            "open the chilled water valve to 80 percent",
            "set_position",
            {"target": target(device="VLV-1"), "percent": 80.0},
        ),
        ("stop pump P-1", "switch", {"target": target(device="P-1"), "on": False}),
    ],
)
def test_common_commands_become_tool_calls(
    fast: FastPath, request_text: str, tool: str, args: dict
) -> None:
    assert fast.match(request_text) == [{"tool": tool, "args": args}]


@pytest.mark.parametrize(
    "request_text",
    [
        "is the kitchen light on?",
        "how many lights are on on the second floor",
        "turn off pump P-9",
        "turn off the kitchen lights and set office 301 to 22.5 degrees",
        "make office 301 two degrees warmer",
        "how do I recalibrate the compass on drone D-4",
        "",
    ],
)
def test_everything_else_goes_to_a_model(fast: FastPath, request_text: str) -> None:
    assert fast.match(request_text) is None


def agent_for(gateway: object, toolbox: object, model: ScriptedModel) -> Agent:
    context = AgentContext(
        model=model,
        toolbox=toolbox,
        system_prompt="plan",
        fast_path=FastPath.for_site(gateway.site(), gateway.devices()),
    )
    return Agent(context, InMemorySaver())


def test_a_fast_path_command_acts_without_any_model_call(
    gateway: object, toolbox: object
) -> None:
    model = ScriptedModel()  # any model call would fail: it has no answers
    answer = agent_for(gateway, toolbox, model).ask("turn off the kitchen lights")
    assert gateway.device("LIGHT-K")["state"]["on"] is False
    assert model.calls == []
    assert [r.get("tier") for r in answer.route] == ["fast"]
    assert answer.route[0]["latency_ms"] < 1000


def test_a_fast_path_command_is_still_guarded(gateway: object, toolbox: object) -> None:
    agent = agent_for(gateway, toolbox, ScriptedModel())
    refused = agent.ask("set meeting room 3A to 35 degrees")
    assert gateway.device("HVAC-3A")["state"]["setpoint"] == 21.5
    assert "28" in refused.answer

    paused = agent.ask("stop pump P-1", thread="t-stop")
    assert paused.pending is not None
    assert gateway.device("P-1")["state"]["on"] is True
    declined = agent.resume("t-stop", approve=False)
    assert gateway.device("P-1")["state"]["on"] is True
    assert "declined" in declined.answer
