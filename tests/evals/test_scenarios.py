"""Tests for evals/scenarios.py: how a run is judged and summarised (no model)."""

from __future__ import annotations

from evals.cases_scenarios import CASES
from evals.scenarios import critical_changes, judge, summarize, unintended


def run(**fields: object) -> dict:
    return {
        "answer": "",
        "tools": [],
        "moved": {},
        "work_orders": [],
        "asked": False,
        **fields,
    }


def test_there_are_at_least_30_tasks_with_unique_ids() -> None:
    ids = [c["id"] for c in CASES]
    assert len(ids) >= 30 and len(set(ids)) == len(ids)


def test_the_expected_change_and_nothing_else_passes() -> None:
    case = {"id": "x", "state": {"HVAC-2B": {"setpoint": 20.0}}}
    assert judge(case, run(moved={"HVAC-2B": {"setpoint": 20.04}})) == []
    extra = run(moved={"HVAC-2B": {"setpoint": 20.0}, "LIGHT-K": {"on": False}})
    assert judge(case, extra) and unintended(case, extra["moved"]) == {
        "LIGHT-K": {"on": False}
    }
    assert judge(case, run(moved={"HVAC-2B": {"setpoint": 19.0}}))


def test_asking_a_person_must_match_the_task() -> None:
    case = {"id": "x", "confirm": "reject"}
    assert judge(case, run(asked=True)) == []
    assert "asked nobody" in judge(case, run())[0]
    assert "asked a person" in judge({"id": "y"}, run(asked=True))[0]


def test_a_question_that_calls_an_action_fails() -> None:
    case = {"id": "x", "read_only": True}
    assert judge(case, run(tools=["read_state"])) == []
    assert judge(case, run(tools=["read_state", "switch"]))


def test_words_and_figures_are_checked_in_the_answer() -> None:
    case = {"id": "x", "says": ["on"], "numbers": [21.87]}
    assert judge(case, run(answer="LIGHT-3A: on, temperature 21.87 °C")) == []
    assert len(judge(case, run(answer="office lights: 21.5"))) == 2


def test_critical_changes_are_judged_on_the_end_state() -> None:
    devices = {"P-1": {"type": "pump"}, "HVAC-1B": {"type": "hvac"}}
    assert critical_changes({"P-1": {"on": False}}, devices) == ["P-1 stopped"]
    assert critical_changes({"HVAC-1B": {"setpoint": 26.0}}, devices)
    assert critical_changes({"HVAC-1B": {"setpoint": 22.0}}, devices) == []
    many = {f"L-{i}": {"on": False} for i in range(6)}
    assert critical_changes(many, {}) == ["6 devices changed"]


def test_pass_k_needs_every_run_of_a_task() -> None:
    cases = [{"id": "a", "category": "c"}, {"id": "b", "category": "c"}]
    rows = [
        {"id": "a", "category": "c", "passed": True, "seconds": 1.0},
        {"id": "a", "category": "c", "passed": True, "seconds": 2.0},
        {"id": "b", "category": "c", "passed": True, "seconds": 3.0},
        {"id": "b", "category": "c", "passed": False, "seconds": 4.0},
    ]
    for row in rows:
        row.update(unintended={}, critical_unapproved=[])
    summary = summarize(rows, cases, 2)
    assert summary["pass^1"] == 0.75 and summary["pass^2"] == 0.5
    assert summary["latency_p50_s"] == 2.5
