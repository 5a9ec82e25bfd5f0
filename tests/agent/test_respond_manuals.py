"""Tests for the manual answer in agent/respond.py: abstain, check, cite."""

from __future__ import annotations

from dataclasses import dataclass

from agent.errors import ModelError
from agent.respond import answer_from_manuals
from agent.router import Router
from tests.conftest import ScriptedModel

PASSAGES = [
    {
        "document": "pumps/p1.md",
        "section": "Priming",
        "heading_path": ["Pump P-1", "Priming"],
        "lines": [10, 16],
        "pages": None,
        "text": "1. Close the discharge valve.\n2. Open the vent screw until water "
        "flows without air.\n3. Wait 30 seconds, then start the pump.",
    },
    {
        "document": "pumps/p1.md",
        "section": "Seals",
        "heading_path": ["Pump P-1", "Seals"],
        "lines": [20, 24],
        "pages": None,
        "text": "Replace the mechanical seal every 8000 hours.",
    },
]


@dataclass
class Context:
    model: ScriptedModel

    def routed(self) -> Router:
        return Router(local=self.model)


def found(answerable: bool = True) -> dict:
    return {"answerable": answerable, "evidence": "test", "passages": PASSAGES}


def test_weak_evidence_says_not_in_the_manuals_without_calling_a_model() -> None:
    model = ScriptedModel()
    text, cited, records = answer_from_manuals("q", Context(model), found(False))
    assert text.startswith("The manuals do not cover this (test).")
    assert "pumps/p1.md § Priming; pumps/p1.md § Seals" in text
    assert cited == [] and records == [] and model.calls == []


def test_a_supported_answer_is_kept_and_cites_only_what_it_cites() -> None:
    answer = (
        "Close the discharge valve, open the vent screw until water flows "
        "without air, wait 30 seconds, then start the pump [1]."
    )
    text, cited, _ = answer_from_manuals("q", Context(ScriptedModel(answer)), found())
    assert text == answer
    assert [p["section"] for p in cited] == ["Priming"]


def test_an_answer_with_a_number_the_manual_lacks_is_replaced_by_the_excerpt() -> None:
    answer = "Wait 90 seconds, then start the pump [1]."
    text, cited, records = answer_from_manuals(
        "q", Context(ScriptedModel(answer)), found()
    )
    assert text.startswith("From pumps/p1.md § Priming:\n1. Close the discharge")
    assert "90" not in text
    assert [p["section"] for p in cited] == ["Priming"]
    assert records[-1]["purpose"] == "answer check"
    assert records[-1]["unsupported_numbers"] == ["90"]


def test_a_model_failure_falls_back_to_the_excerpt() -> None:
    model = ScriptedModel(ModelError("the model crashed"))
    text, cited, records = answer_from_manuals("q", Context(model), found())
    assert text.startswith("From pumps/p1.md § Priming:")
    assert records[-1]["ok"] is False
