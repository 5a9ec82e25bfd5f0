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
    assert refusal_reason("other", "switch") is not None
    assert refusal_reason("nonsense-intent", "switch") is not None
    assert refusal_reason("work_orders", "open_work_order") is None
    assert refusal_reason("work_orders", "switch") is not None


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


def test_words_shaped_unlike_site_ids_are_not_unknown_devices() -> None:
    from agent.policy import unknown_references

    devices = [{"id": "P-1", "aliases": []}, {"id": "HVAC-3A", "aliases": []}]
    assert (
        unknown_references("set 3A to 21 per ISO-9001, ticket AB-1234", devices) == []
    )
    assert unknown_references("check HVAC-9Z", devices) == ["HVAC-9Z"]


def test_scope_names_rooms_devices_and_floors() -> None:
    from agent.policy import out_of_scope

    devices = [
        {
            "id": "LIGHT-2B",
            "name": "meeting room 2B lights",
            "aliases": [],
            "area": "MR-2B",
            "floor": 2,
        },
        {
            "id": "LIGHT-3A",
            "name": "meeting room 3A lights",
            "aliases": [],
            "area": "MR-3A",
            "floor": 3,
        },
        {"id": "M-1", "name": "CNC mill", "aliases": [], "area": "WS", "floor": 1},
    ]
    areas = [
        {"id": "MR-2B", "name": "meeting room 2B", "aliases": ["2B"]},
        {"id": "MR-3A", "name": "meeting room 3A", "aliases": ["3A", "boardroom"]},
    ]
    everything = ["LIGHT-2B", "LIGHT-3A", "M-1"]
    assert out_of_scope("lights off in 2B", everything, devices, areas) == [
        "LIGHT-3A",
        "M-1",
    ]
    assert out_of_scope(
        "all lights on the third floor", everything, devices, areas
    ) == ["LIGHT-2B", "M-1"]
    assert out_of_scope(
        "boardroom lights and the CNC mill", everything, devices, areas
    ) == ["LIGHT-2B"]


def test_the_one_named_device_fills_an_empty_target() -> None:
    from agent.policy import ground_to_site

    devices = [{"id": "P-1", "type": "pump"}, {"id": "P-2", "type": "pump"}]
    planned = {"target": {"device": None, "type": "pump", "area": "P-1"}, "on": False}
    filled = ground_to_site(planned, "stop pump P-1", devices, [])
    assert filled["target"] == {"device": "P-1", "type": "pump", "area": None}
    both = ground_to_site(planned, "stop pumps P-1 and P-2", devices, [])
    assert both["target"]["device"] is None
    assert (
        ground_to_site(planned, "stop the pumps", devices, [])["target"]["device"]
        is None
    )


def test_critical_actions_are_named_with_their_reason() -> None:
    from agent.policy import SiteLimits, critical_reasons

    zone = {"id": "HVAC-1B", "type": "hvac"}
    limits = SiteLimits(19, 25, 5)
    assert critical_reasons("set_setpoint", {}, [zone], {"HVAC-1B": 22}, limits) == []
    [why] = critical_reasons("set_setpoint", {}, [zone], {"HVAC-1B": 26}, limits)
    assert "comfort band 19–25" in why
    pump = {"id": "P-1", "type": "pump"}
    assert critical_reasons("switch", {"on": False}, [pump], {}, limits) == [
        "it stops P-1"
    ]
    assert critical_reasons("switch", {"on": True}, [pump], {}, limits) == []
    valve = {"id": "VLV-2", "type": "valve"}
    full, most = {"VLV-2": 100.0}, {"VLV-2": 80.0}
    assert critical_reasons("set_position", {}, [valve], {}, limits, full) == [
        "it opens VLV-2 fully"
    ]
    assert not critical_reasons("set_position", {}, [valve], {}, limits, most)
    lights = [{"id": f"L-{i}", "type": "light"} for i in range(6)]
    assert (
        "more than 5"
        in critical_reasons("switch", {"on": False}, lights, {}, limits)[0]
    )


AREAS = [
    {"id": "LOBBY", "name": "lobby", "kind": "lobby", "aliases": ["reception"]},
    {"id": "MR-3A", "name": "meeting room 3A", "kind": "meeting room", "aliases": []},
    {"id": "KITCHEN", "name": "kitchen", "kind": "kitchen", "aliases": ["canteen"]},
]
VALVES = [
    {"id": "VLV-1", "type": "valve", "name": "chilled water valve", "aliases": []},
    {"id": "VLV-2", "type": "valve", "name": "heating water valve", "aliases": []},
]


def grounded(target: dict, request: str) -> dict:
    from agent.policy import ground_to_site

    blank = {"device": None, "type": None, "area": None, "floor": None}
    args = {"target": {**blank, **target}}
    return ground_to_site(args, request, VALVES, AREAS)["target"]


def test_an_area_the_request_never_says_is_dropped() -> None:
    target = grounded(
        {"type": "light", "area": "lobby", "floor": 1},
        "turn off all the lights on the first floor",
    )
    assert target["area"] is None and target["floor"] == 1
    kept = grounded({"type": "light", "area": "kitchen"}, "lights off in the canteen")
    assert kept["area"] == "kitchen"
    plural = grounded({"type": "hvac", "area": "meeting room"}, "all meeting rooms")
    assert plural["area"] == "meeting room"


def test_a_device_named_by_its_exact_name_fills_the_target() -> None:
    target = grounded(
        {"type": "valve", "area": "heating water"}, "close the heating water valve"
    )
    assert target["device"] == "VLV-2" and target["area"] is None
    vague = grounded({"type": "valve", "area": "water"}, "close the water valve")
    assert vague["device"] is None
