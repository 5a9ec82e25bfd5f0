"""Is the evidence strong enough to answer, and does an answer stay with it?

`assess` decides, from the passages a search returned, whether the manuals
answer a question or fieldpilot should say they do not. Two signals, both
cheap: how close the best passage is in meaning (cosine of MiniLM vectors), and
how much of the question's distinctive vocabulary the best passages contain
(terms weighted by how rare they are in the corpus; a term the corpus never
uses weighs most, since a question about a brand or fault code the manuals
never mention is the typical unanswerable question).

`support` checks an answer against the passages it cites: every number it
states must appear in them, and each sentence must share most of its content
words with them.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from knowledge.lexical import tokenize

SURE_SCORE = 0.5
"""At or above this cosine the best passage is on the question's topic, however
the question is worded."""
MIN_EVIDENCE = 0.7
"""Below SURE_SCORE, cosine plus rare-term coverage must reach this."""


@dataclass(frozen=True)
class Verdict:
    """Whether to answer from the passages, and why."""

    answerable: bool
    reason: str
    score: float
    coverage: float


def term_weights(question: str, index: Any) -> dict[str, float]:
    """Inverse document frequency of each distinct question term."""
    tokens = sorted(set(tokenize(question)))
    frequencies, chunks = index.term_frequencies(tokens)
    if not chunks:
        return {t: 1.0 for t in tokens}
    return {t: math.log((chunks + 1) / (frequencies.get(t, 0) + 0.5)) for t in tokens}


def coverage(weights: dict[str, float], passages: list[Any]) -> float:
    """Share of the question's term weight found in the best of the passages."""
    total = sum(weights.values())
    if not total or not passages:
        return 0.0
    best = 0.0
    for passage in passages:
        words = set(tokenize(f"{' '.join(passage.heading_path)} {passage.text}"))
        best = max(best, sum(w for t, w in weights.items() if t in words) / total)
    return best


def assess(question: str, hits: list[Any], index: Any, top: int = 3) -> Verdict:
    """Answer from `hits`, or say the manuals do not cover the question."""
    if not hits:
        return Verdict(False, "no passage found", 0.0, 0.0)
    score = max(h.score for h in hits[:top])
    covered = coverage(term_weights(question, index), hits[:top])
    figures = f"similarity {score:.2f}, rare-term coverage {covered:.2f}"
    if score >= SURE_SCORE:
        return Verdict(True, f"close in meaning ({figures})", score, covered)
    if score + covered >= MIN_EVIDENCE:
        return Verdict(True, f"its rare terms found ({figures})", score, covered)
    return Verdict(False, f"weak evidence ({figures})", score, covered)


@dataclass(frozen=True)
class Support:
    """How well an answer is backed by its cited passages."""

    supported: bool
    unsupported_numbers: list[str]
    unsupported_sentences: list[str]
    problem: str = ""


_CITATION = re.compile(r"\[(\d+)\]")
_DIGITS = re.compile(r"\d+(?:[.,]\d+)?")


def _numbers(text: str) -> list[str]:
    """Every number in `text`, glued to a unit or not ("90s", "9000h", "2.5")."""
    return [n.replace(",", ".") for n in _DIGITS.findall(text)]


def support(answer: str, passages: list[str], min_overlap: float = 0.6) -> Support:
    """Check an answer against the numbered excerpts `passages` it was written
    from: it must say something, cite only excerpts that exist, and every number
    and every sentence of two or more content words must come from the excerpts
    it cites (all of them when it cites none)."""
    cited = [int(n) for n in _CITATION.findall(answer)]
    wrong = sorted({n for n in cited if not 1 <= n <= len(passages)})
    body = _CITATION.sub(
        lambda m: " " if 1 <= int(m.group(1)) <= len(passages) else m.group(0),
        answer,
    )
    if not tokenize(body):
        return Support(False, [], [], "the answer says nothing")
    if wrong:
        listed = ", ".join(f"[{n}]" for n in wrong)
        return Support(False, [], [], f"it cites {listed}, which is not an excerpt")
    chosen = [passages[n - 1] for n in sorted(set(cited))] or passages
    source = " ".join(chosen)
    known = set(_numbers(source))
    numbers = [n for n in _numbers(body) if n not in known]
    source_words = set(tokenize(source))
    sentences = []
    for sentence in re.split(r"(?<=[.!?;])\s+|\n+", body):
        words = [w for w in tokenize(sentence) if not w[0].isdigit()]
        if len(words) < 2:
            continue
        inside = sum(1 for w in words if w in source_words) / len(words)
        if inside < min_overlap:
            sentences.append(sentence.strip())
    return Support(not numbers and not sentences, numbers, sentences)
