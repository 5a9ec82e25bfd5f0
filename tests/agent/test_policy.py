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


def test_area_that_is_a_floor_becomes_the_floor() -> None:
    from agent.policy import ground_arguments

    args = {"target": {"device": None, "type": "light", "area": "2", "floor": None}}
    grounded = ground_arguments(args, "switch off all the lights on the second floor")
    assert grounded["target"]["floor"] == 2 and grounded["target"]["area"] is None
    args["target"]["area"] = "second floor"
    assert ground_arguments(args, "lights on the second floor")["target"]["floor"] == 2
    args["target"]["area"] = "201"
    assert ground_arguments(args, "office 201 on floor 2")["target"]["area"] == "201"


def test_unknown_device_ids_in_the_request_are_found() -> None:
    from agent.policy import unknown_references

    devices = [{"id": "P-1", "aliases": ["P1"]}, {"id": "P-2", "aliases": []}]
    assert unknown_references("turn off pump P-9 and P-1", devices) == ["P-9"]
    assert unknown_references("check p-2", devices) == []


def test_group_needs_words_that_ask_for_a_group() -> None:
    from agent.policy import allows_group

    assert allows_group("turn off all pumps")
    assert allows_group("turn off the lights in the kitchen")
    assert not allows_group("turn off pump P-9")


def test_device_id_the_request_never_named_is_dropped() -> None:
    from agent.policy import ground_arguments

    args = {"query": "battery cells", "device": "D-4"}
    assert ground_arguments(args, "where do I set the battery cells?")["device"] is None
    assert ground_arguments(args, "battery cells of drone d4?")["device"] == "D-4"
    named = {"query": "x", "device": "CNC mill"}
    assert ground_arguments(named, "how to oil it")["device"] == "CNC mill"


def test_device_id_the_request_implies_is_kept() -> None:
    from agent.policy import ground_arguments

    args = {"target": {"device": "M-1", "type": None, "area": None, "floor": None}}
    assert (
        ground_arguments(args, "how hot is the CNC mill?")["target"]["device"] == "M-1"
    )
