"""Language models behind one small interface.

`LocalModel` runs a GGUF file in process through llama-cpp-python, with JSON-schema
constrained decoding for tool calls. Other tiers (a cloud endpoint) implement the
same `ChatModel` protocol.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent.errors import ModelError

log = logging.getLogger(__name__)

Message = dict[str, str]


@dataclass(frozen=True)
class Completion:
    """One model answer with its cost in tokens and seconds."""

    text: str
    model: str
    prompt_tokens: int
    completion_tokens: int
    seconds: float

    def json(self) -> Any:
        """The text parsed as JSON; a ModelError names the bad output."""
        try:
            return json.loads(self.text)
        except json.JSONDecodeError as exc:
            raise ModelError(
                f"{self.model} wrote invalid JSON: {self.text[:200]!r}"
            ) from exc


class ChatModel(Protocol):
    """What the agent needs from a model."""

    name: str

    def complete(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 256,
    ) -> Completion:
        """Answer `messages`; with `schema`, the text is JSON valid against it."""
        ...


PROMPT_STATES = 3


def prompt_cache(base: type, max_states: int) -> Any:
    """A llama.cpp RAM cache bounded by its number of states.

    The library bounds its cache by the size it reports for each state, which
    leaves out the logits kept with it (about 190 MB each here); a count bounds
    the memory for real.
    """

    class BoundedPromptCache(base):  # type: ignore[misc, valid-type]
        def __setitem__(self, key: Any, value: Any) -> None:
            super().__setitem__(key, value)
            while len(self.cache_state) > max_states:
                self.cache_state.popitem(last=False)

    return BoundedPromptCache(capacity_bytes=1 << 40)


class LocalModel:
    """A GGUF model in process through llama-cpp-python.

    Prompt states are kept in a small cache, so the planner's long, stable system
    prompt is read once and reused across turns even when an answer prompt ran
    in between.
    """

    def __init__(
        self,
        path: Path,
        name: str,
        n_threads: int,
        n_ctx: int = 4096,
    ) -> None:
        try:
            import llama_cpp
        except ImportError as exc:
            raise ModelError(
                "llama-cpp-python is not installed: pip install "
                "'llama-cpp-python[server]==0.3.36'"
            ) from exc
        if not path.exists():
            raise ModelError(f"Model file {path} is missing: run `fieldpilot setup`.")

        started = time.perf_counter()
        try:
            self._llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"llama.cpp could not load {path}: {exc}") from exc
        self._llm.set_cache(prompt_cache(llama_cpp.LlamaRAMCache, PROMPT_STATES))
        self.name = name
        log.info("Loaded %s in %.1f s", name, time.perf_counter() - started)

    def complete(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 256,
    ) -> Completion:
        """Greedy completion; `schema` constrains the output with a grammar."""
        started = time.perf_counter()
        kwargs: dict[str, Any] = {}
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
        try:
            out = self._llm.create_chat_completion(
                messages=messages, temperature=0.0, max_tokens=max_tokens, **kwargs
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{self.name} failed to generate: {exc}") from exc
        usage = out.get("usage", {})
        completion = Completion(
            text=out["choices"][0]["message"]["content"] or "",
            model=self.name,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            seconds=time.perf_counter() - started,
        )
        log.debug(
            "%s: %d+%d tokens in %.2f s",
            self.name,
            completion.prompt_tokens,
            completion.completion_tokens,
            completion.seconds,
        )
        return completion
