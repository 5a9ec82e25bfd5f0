"""How sure a local model was of the choices it made under a grammar.

A JSON-schema grammar forces the structure of an answer, so the probability of
the whole text says little. What matters are the places where the schema offered
alternatives: the intent among six, the tool among the intent's tools. At each
such place the model's logits for the alternatives' first tokens are kept, and the
chosen one's share of their probability (a softmax over the alternatives only) is
its confidence. A turn's confidence is the lowest of its choices.

    recorder = ChoiceRecorder(llm, choice_sets(schema))
    llm.create_chat_completion(..., logits_processor=LogitsProcessorList([recorder]))
    recorder.confidence(text)   # 0.97, or None when the text made no choice
"""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np


def choice_sets(schema: dict[str, Any] | None) -> dict[str, list[str]]:
    """The string alternatives a schema offers, by the property that holds them.

    An `enum` of strings is one set; `const` strings of the same property across
    the branches of an `anyOf` (the tool of each call) are another.
    """
    found: dict[str, list[str]] = {}

    def add(key: str, values: list[Any]) -> None:
        strings = [v for v in values if isinstance(v, str) and v]
        merged = found.setdefault(key, [])
        merged.extend(v for v in strings if v not in merged)

    def walk(node: Any) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item)
            return
        if not isinstance(node, dict):
            return
        for key, sub in (node.get("properties") or {}).items():
            if isinstance(sub, dict) and isinstance(sub.get("enum"), list):
                add(key, sub["enum"])
            if isinstance(sub, dict) and isinstance(sub.get("const"), str):
                add(key, [sub["const"]])
        for value in node.values():
            walk(value)

    walk(schema)
    return {key: values for key, values in found.items() if len(values) > 1}


class ChoiceRecorder:
    """A llama-cpp-python logits processor that keeps the logits of the
    alternatives' first tokens at every step, and the tokens chosen."""

    def __init__(self, llm: Any, choices: dict[str, list[str]]) -> None:
        self._llm = llm
        self.choices = choices
        self.first_tokens = {
            key: {value: self._first_token(value) for value in values}
            for key, values in choices.items()
        }
        self._watch = sorted(
            {t for firsts in self.first_tokens.values() for t in firsts.values()}
        )
        self._start: int | None = None
        self._steps: list[np.ndarray] = []
        self._ids: list[int] = []

    def _first_token(self, value: str) -> int:
        return int(self._llm.tokenize(value.encode(), add_bos=False, special=False)[0])

    def __call__(self, input_ids: Any, scores: Any) -> Any:
        if self._start is None:
            self._start = len(input_ids)
        self._ids = [int(t) for t in input_ids[self._start :]]
        if self._watch:
            self._steps.append(np.asarray(scores)[self._watch].astype(np.float64))
        return scores

    def _offsets(self) -> list[int]:
        """The character offset at which each generated token starts."""
        offsets, text = [], b""
        for token in self._ids:
            offsets.append(len(text.decode("utf-8", "ignore")))
            text += self._llm.detokenize([token])
        return offsets

    def confidences(self, text: str) -> list[tuple[str, str, float]]:
        """(property, value, confidence) for each choice found in `text`."""
        if not self._watch:
            return []
        offsets, out = self._offsets(), []
        for key, values in self.choices.items():
            pattern = (
                rf'"{re.escape(key)}"\s*:\s*"({"|".join(map(re.escape, values))})"'
            )
            for match in re.finditer(pattern, text):
                step = _step_at(offsets, match.start(1))
                if step is None or step >= len(self._steps):
                    continue
                share = self._share(key, match.group(1), step)
                if share is not None:
                    out.append((key, match.group(1), share))
        return out

    def _share(self, key: str, value: str, step: int) -> float | None:
        """The chosen value's share of the alternatives' probability at `step`."""
        firsts = self.first_tokens[key]
        if self._ids[step] != firsts[value]:
            return None  # the value did not start on a token of its own here
        ids = sorted(set(firsts.values()))
        logits = [self._steps[step][self._watch.index(t)] for t in ids]
        top = max(logits)
        weights = [math.exp(x - top) for x in logits]
        return weights[ids.index(firsts[value])] / sum(weights)

    def confidence(self, text: str) -> float | None:
        """The lowest confidence of the choices in `text`; None without any."""
        shares = [share for _, _, share in self.confidences(text)]
        return min(shares) if shares else None


def _step_at(offsets: list[int], char: int) -> int | None:
    """The generation step whose token starts at character `char`."""
    for step, start in enumerate(offsets):
        if start == char:
            return step
        if start > char:
            return None
    return None
