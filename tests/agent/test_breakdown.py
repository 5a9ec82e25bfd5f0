"""Tests for agent/breakdown.py: tasks, dependencies and conditions."""

from __future__ import annotations

from agent.breakdown import break_down, evaluate, resolve_references


def texts(request: str) -> list[tuple[str, list[int], str | None, bool]]:
    return [
        (t["text"], t["depends_on"], t["condition"], t["negate"])
        for t in break_down(request)
    ]


def test_issue_example_is_a_check_then_two_conditional_tasks() -> None:
    tasks = texts(
        "check pump P-2's vibration; if it is anomalous open a work order and "
        "find the bearing procedure"
    )
    assert tasks == [
        ("check pump P-2's vibration", [], None, False),
        ("open a work order for P-2", [0], "it is anomalous", False),
        ("find the bearing procedure for P-2", [0], "it is anomalous", False),
    ]


def test_a_plain_request_is_one_task_word_for_word() -> None:
    request = "lower the temperature by 2 degrees in all meeting rooms on floor 3"
    assert texts(request) == [(request, [], None, False)]


def test_and_between_rooms_does_not_split() -> None:
    assert len(break_down("turn off the lights in 1A and 1B")) == 1


def test_independent_actions_have_no_dependencies() -> None:
    tasks = texts("turn off the kitchen lights and set office 301 to 22 degrees")
    assert [(t, d) for t, d, _, _ in tasks] == [
        ("turn off the kitchen lights", []),
        ("set office 301 to 22 degrees", []),
    ]


def test_otherwise_runs_on_the_negated_condition() -> None:
    tasks = texts(
        "check P-1 vibration; if it is anomalous open a work order, "
        "otherwise turn on the lights in 1A"
    )
    assert tasks[1][2:] == ("it is anomalous", False)
    assert tasks[2] == ("turn on the lights in 1A", [0], "it is anomalous", True)


def test_a_leading_condition_gets_a_check_of_its_own() -> None:
    tasks = texts("if the vibration of pump P-3 is above 0.5 open a work order")
    assert tasks[0] == ("check the vibration of pump P-3", [], None, False)
    assert tasks[1][1] == [0] and "P-3" in tasks[1][0]


def test_question_mark_ends_a_task() -> None:
    tasks = texts("is the kitchen light on? if it is on turn it off")
    assert tasks == [
        ("is the kitchen light on", [], None, False),
        ("turn it off", [0], "it is on", False),
    ]


def telemetry(*rows: tuple[str, bool, float]) -> list[dict]:
    devices = [{"device": d, "anomalous": a, "last": v} for d, a, v in rows]
    return [{"tool": "query_telemetry", "ok": True, "data": {"devices": devices}}]


def test_conditions_are_decided_on_the_results() -> None:
    anomalous = telemetry(("P-2", True, 0.63))
    normal = telemetry(("P-1", False, 0.21))
    assert evaluate("it is anomalous", anomalous) is True
    assert evaluate("it is anomalous", normal) is False
    assert evaluate("it is normal", normal) is True
    assert evaluate("it is not anomalous", anomalous) is False
    assert evaluate("vibration is above 0.5", anomalous) is True
    assert evaluate("vibration is below 0.5", anomalous) is False


def test_on_and_off_are_read_from_device_state() -> None:
    light = [{"tool": "read_state", "ok": True, "data": [{"state": {"on": False}}]}]
    assert evaluate("it is on", light) is False
    assert evaluate("it is off", light) is True


def test_an_undecidable_condition_is_none_never_true() -> None:
    assert evaluate("the weather is nice", telemetry(("P-2", True, 1.0))) is None
    assert evaluate("it is anomalous", []) is None
    failed = [{"tool": "query_telemetry", "ok": False, "data": None}]
    assert evaluate("it is anomalous", failed) is None


def test_a_pronoun_takes_the_one_device_an_earlier_read_found() -> None:
    task = break_down("is the kitchen light on? if it is on turn it off")[1]
    read = [
        {
            "tool": "read_state",
            "ok": True,
            "data": [{"id": "LIGHT-K", "state": {"on": True}}],
        }
    ]
    assert resolve_references(task, read)["text"] == "turn LIGHT-K off"


def test_only_anomalous_devices_are_named_for_an_anomaly_condition() -> None:
    task = break_down("check the pumps; if one is anomalous open a work order")[1]
    found = telemetry(("P-1", False, 0.2), ("P-2", True, 0.6))
    assert resolve_references(task, found)["text"] == "open a work order for P-2"


def test_a_trailing_condition_is_checked_first() -> None:
    tasks = break_down("turn off LIGHT-3A if the HVAC-3A temperature is above 30")
    assert [(t["text"], t["depends_on"]) for t in tasks] == [
        ("check the HVAC-3A temperature", []),
        ("turn off LIGHT-3A", [0]),
    ]
    assert tasks[1]["condition"] == "the HVAC-3A temperature is above 30"


def test_unless_negates_the_condition() -> None:
    for request in (
        "close VLV-1 unless P-2 vibration is anomalous",
        "unless P-2 vibration is anomalous, close VLV-1",
    ):
        action = break_down(request)[-1]
        assert action["negate"] is True and action["depends_on"] == [0]


def test_then_makes_the_next_task_wait() -> None:
    tasks = break_down("set HVAC-2A to 20, then set HVAC-2A to 23")
    assert [t["depends_on"] for t in tasks] == [[], [0]]


def test_a_compound_condition_is_never_guessed() -> None:
    reading = {
        "tool": "query_telemetry",
        "ok": True,
        "data": {"devices": [{"device": "P-1", "anomalous": False, "last": 0.2}]},
    }
    assert (
        evaluate("P-1 vibration is above 0.5 and there is no alarm", [reading]) is None
    )
    assert evaluate("P-1 vibration is not above 0.5", [reading]) is True


def test_a_setpoint_condition_reads_the_setpoint_not_the_temperature() -> None:
    reading = {
        "tool": "read_state",
        "ok": True,
        "data": [{"id": "HVAC-3A", "state": {"setpoint": 21.5, "temperature": 21.87}}],
    }
    assert evaluate("the HVAC-3A setpoint is above 21.6", [reading]) is False
    assert evaluate("the HVAC-3A temperature is above 21.6", [reading]) is True
