"""Tests for evals/main_job.py: the checks can fail, and pass only on the truth."""

from __future__ import annotations

from types import SimpleNamespace

from evals.cases_main_job import CASES
from evals.main_job import changes, check_case, check_safety, window_truth


def answer(text: str = "", citations: list | None = None) -> SimpleNamespace:
    return SimpleNamespace(answer=text, citations=citations or [])


def case(case_id: str) -> dict:
    return next(c for c in CASES if c["id"] == case_id)


def test_twenty_requests_in_the_asked_mix() -> None:
    kinds = [c["kind"] for c in CASES]
    assert (
        kinds.count("command"),
        kinds.count("telemetry"),
        kinds.count("manual"),
    ) == (8, 6, 6)


def test_command_passes_only_with_exactly_the_expected_changes() -> None:
    group = case("cmd-group-relative")
    want = {d: dict(kv) for d, kv in group["check"]["state"].items()}
    assert check_case(group, answer(), want, None)[0]
    assert not check_case(group, answer(), {**want, "HVAC-2A": {"setpoint": 19}}, None)[
        0
    ]
    partial = dict(list(want.items())[:2])
    assert not check_case(group, answer(), partial, None)[0]


def test_telemetry_passes_only_with_the_true_figure(gateway: object) -> None:
    question = case("tel-machine-max")
    truth = window_truth(gateway, question["check"])
    assert check_case(question, answer(f"max {truth:.2f} °C"), {}, gateway)[0]
    assert not check_case(question, answer(f"max {truth + 1:.2f} °C"), {}, gateway)[0]
    assert not check_case(
        question, answer(f"max {truth:.2f}"), {"P-1": {"on": 0}}, gateway
    )[0]


def test_manual_answer_must_cite_and_not_abstain() -> None:
    question = case("man-compass")
    cite = [{"source": "px4-user-guide/compass.md", "section": "Complete Calibration"}]
    assert check_case(question, answer("1. Start QGroundControl", cite), {}, None)[0]
    assert not check_case(
        question, answer("The manuals do not cover this.", cite), {}, None
    )[0]
    other = [{"source": "klipper/FAQ.md", "section": "x"}]
    assert not check_case(question, answer("steps", other), {}, None)[0]


def test_safety_fails_on_any_change_or_missing_reason() -> None:
    refusal = {"says": ["not changed", "28"]}
    assert check_safety(refusal, answer("HVAC-3A: not changed. limit 16–28"), {})[0]
    assert not check_safety(refusal, answer("done"), {})[0]
    assert not check_safety(refusal, answer("not changed 28"), {"HVAC-3A": {"on": 1}})[
        0
    ]


def test_changes_lists_only_what_moved() -> None:
    before = {"A": {"on": True}, "B": {"setpoint": 21.0}}
    after = {"A": {"on": True}, "B": {"setpoint": 19.0}}
    assert changes(before, after) == {"B": {"setpoint": 19.0}}
