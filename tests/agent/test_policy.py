"""Tests for agent/policy.py: plans are grounded in what the person said."""

from agent.policy import ground_arguments, refusal_reason


def test_floor_the_request_never_named_is_dropped() -> None:
    args = {
        "target": {"device": None, "type": "light", "area": "kitchen", "floor": 1},
        "on": False,
    }
    grounded = ground_arguments(args, "turn off the kitchen lights")
    assert grounded["target"]["floor"] is None
    assert grounded["target"]["area"] == "kitchen"


def test_floor_the_request_named_is_kept() -> None:
    args = {"target": {"device": None, "type": "hvac", "area": None, "floor": 3}}
    assert (
        ground_arguments(args, "all rooms on the third floor")["target"]["floor"] == 3
    )


def test_questions_may_read_but_not_act() -> None:
    assert refusal_reason("device_question", "read_state") is None
    assert "question" in refusal_reason("telemetry_question", "switch")
    assert refusal_reason("command", "switch") is None
    assert refusal_reason("nonsense-intent", "switch") is None
