"""Tests for tools/registry.py: one `call` that never raises."""

from __future__ import annotations

import time

from tools.base import ToolResult


def test_a_tool_past_its_time_limit_is_a_failed_result(toolbox: object) -> None:
    def slow(args: object) -> ToolResult:
        time.sleep(1.0)
        return ToolResult.success("late")

    toolbox._functions["list_work_orders"] = slow
    started = time.perf_counter()
    result = toolbox.call("list_work_orders", {}, timeout=0.2)
    assert time.perf_counter() - started < 0.9
    assert not result.ok and "did not finish within 0.2 s" in result.error


def test_an_unknown_tool_names_the_tools(toolbox: object) -> None:
    result = toolbox.call("launch_rocket", {})
    assert not result.ok and "set_setpoint" in result.error
