"""Tests for the routing report's arithmetic (evals/routing.py)."""

from __future__ import annotations

import pytest

from agent.config import Settings
from evals.routing import cloud_errors, summarize


def row(passed: bool, seconds: float, *route: dict) -> dict:
    return {"passed": passed, "seconds": seconds, "route": list(route)}


FAST = {"tier": "fast", "served": True, "ok": True, "latency_ms": 4.0, "reason": ""}
LOCAL = {"tier": "local", "served": True, "ok": True, "reason": "difficulty low"}
CLOUD = {
    "tier": "cloud",
    "served": True,
    "ok": True,
    "reason": "escalated: local result failed validation",
    "prompt_tokens": 1000,
    "completion_tokens": 100,
}
CLOUD_DOWN = {"tier": "cloud", "served": False, "ok": False, "reason": "timeout"}
CHECK = {"purpose": "answer check", "ok": False, "unsupported_numbers": ["9"]}


def test_shares_cost_and_escalations_count_served_steps_only() -> None:
    rows = [
        row(True, 0.03, FAST),
        row(True, 5.0, LOCAL, CHECK),
        row(False, 9.0, CLOUD_DOWN, LOCAL),
        row(True, 7.0, LOCAL, CLOUD),
    ]
    figures = summarize(rows, Settings())
    assert figures["steps"] == 5
    assert (figures["fast_steps"], figures["local_steps"], figures["cloud_steps"]) == (
        1,
        3,
        1,
    )
    assert figures["on_site_share"] == pytest.approx(0.8)
    assert figures["success"] == 0.75
    assert figures["escalations"] == 1
    assert figures["cloud_prompt_tokens"] == 1000
    assert figures["fast_path_requests"] == 1
    assert cloud_errors(rows) == 1
