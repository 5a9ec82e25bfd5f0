"""Tests for knowledge/evidence.py: when to abstain, and when an answer strays."""

from __future__ import annotations

from dataclasses import dataclass

from knowledge.evidence import assess, support


@dataclass
class Hit:
    text: str
    score: float
    heading_path: tuple[str, ...] = ("Pump", "Priming")


class Corpus:
    """Term counts of a tiny corpus, in the shape ManualIndex answers."""

    def __init__(self, texts: list[str]) -> None:
        from knowledge.lexical import tokenize

        self.sets = [set(tokenize(t)) for t in texts]

    def term_frequencies(self, tokens: list[str]) -> tuple[dict[str, int], int]:
        return {t: sum(t in s for s in self.sets) for t in tokens}, len(self.sets)


PASSAGE = "Prime the pump P-100 before start-up: open valve V-3 and vent the casing."
CORPUS = Corpus([PASSAGE, "The chiller trips on alarm E17.", "Drones fly."] * 5)


def test_close_passage_is_answerable_whatever_its_words() -> None:
    verdict = assess("how do I prime it?", [Hit(PASSAGE, 0.62)], CORPUS)
    assert verdict.answerable and "close in meaning" in verdict.reason


def test_rare_terms_found_make_a_middling_match_answerable() -> None:
    verdict = assess("P-100 priming valve V-3", [Hit(PASSAGE, 0.35)], CORPUS)
    assert verdict.answerable
    assert verdict.coverage > 0.5


def test_unknown_brand_and_code_with_weak_similarity_abstains() -> None:
    verdict = assess("Grundfos alarm 4711 on the boiler", [Hit(PASSAGE, 0.3)], CORPUS)
    assert not verdict.answerable
    assert "weak evidence" in verdict.reason


def test_no_hits_abstain() -> None:
    assert not assess("anything", [], CORPUS).answerable


def test_answer_with_the_passage_numbers_is_supported() -> None:
    passages = ["Set the differential to 2.5 K and the delay to 30 s for pump P-100."]
    result = support(
        "Set the differential to 2.5 K and the delay to 30 s [1].", passages
    )
    assert result.supported


def test_a_number_not_in_the_passages_is_unsupported() -> None:
    passages = ["Set the differential to 2.5 K and the delay to 30 s."]
    result = support("Set the differential to 3.5 K [1].", passages)
    assert not result.supported
    assert result.unsupported_numbers == ["3.5"]


def test_a_sentence_about_something_else_is_unsupported() -> None:
    passages = ["Open valve V-3 and vent the casing before starting the pump."]
    answer = "Open valve V-3 [1]. Replace the bearings and regrease the motor coupling."
    result = support(answer, passages)
    assert not result.supported
    assert result.unsupported_sentences == [
        "Replace the bearings and regrease the motor coupling."
    ]


def test_numbers_glued_to_units_are_checked() -> None:
    passages = ["Wait 30 s, then replace the seal every 8000 hours."]
    result = support("Wait 90s, then replace it every 9000h [1].", passages)
    assert result.unsupported_numbers == ["90", "9000"]


def test_an_empty_answer_or_a_bare_citation_is_unsupported() -> None:
    passages = ["Open valve V-3 before starting the pump."]
    assert support("", passages).problem == "the answer says nothing"
    assert not support("[1]", passages).supported


def test_citing_an_excerpt_that_does_not_exist_is_unsupported() -> None:
    passages = ["Open valve V-3 before starting the pump.", "Vent the casing."]
    result = support("Open valve V-3 before starting the pump [12].", passages)
    assert not result.supported and "[12]" in result.problem


def test_numbers_must_come_from_the_cited_excerpt() -> None:
    passages = ["Wait 30 seconds before starting.", "Replace the seal at 8000 hours."]
    assert not support("Wait 8000 seconds before starting [1].", passages).supported
    assert support("Wait 30 seconds before starting [1].", passages).supported


def test_a_short_unsupported_instruction_is_caught() -> None:
    passages = ["Open valve V-3 and vent the casing before starting the pump."]
    result = support("Open valve V-3 [1]. Bypass interlocks.", passages)
    assert result.unsupported_sentences == ["Bypass interlocks."]
