"""Language models behind one small interface.

`LocalModel` runs a GGUF file in process through llama-cpp-python, with JSON-schema
constrained decoding for tool calls and a confidence for the choices it made
(`agent/confidence.py`). `CloudModel` speaks to any OpenAI-compatible chat endpoint
(OpenAI, vLLM, Ollama, a llama.cpp server) over httpx. Both implement `ChatModel`;
`agent/router.py` chooses between them per step.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from agent.confidence import ChoiceRecorder, choice_sets
from agent.errors import ConfigError, EndpointError, ModelError

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
    tier: str = "local"
    confidence: float | None = None

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
        recorder = None
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": schema}
            if choices := choice_sets(schema):
                import llama_cpp

                recorder = ChoiceRecorder(self._llm, choices)
                kwargs["logits_processor"] = llama_cpp.LogitsProcessorList([recorder])
        try:
            out = self._llm.create_chat_completion(
                messages=messages, temperature=0.0, max_tokens=max_tokens, **kwargs
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelError(f"{self.name} failed to generate: {exc}") from exc
        usage = out.get("usage", {})
        text = out["choices"][0]["message"]["content"] or ""
        completion = Completion(
            text=text,
            model=self.name,
            prompt_tokens=usage.get("prompt_tokens", 0),
            completion_tokens=usage.get("completion_tokens", 0),
            seconds=time.perf_counter() - started,
            confidence=recorder.confidence(text) if recorder else None,
        )
        log.debug(
            "%s: %d+%d tokens in %.2f s, confidence %s",
            self.name,
            completion.prompt_tokens,
            completion.completion_tokens,
            completion.seconds,
            completion.confidence,
        )
        return completion


SCHEMA_STYLES = ("json_schema", "json_object", "tool")


class CloudModel:
    """A chat model behind an OpenAI-compatible endpoint, over httpx.

    A schema is asked for the way the endpoint understands it: OpenAI's
    `json_schema` response format (OpenAI, vLLM, Ollama), the `json_object` +
    `schema` form of llama-cpp-python's server, or a named tool call whose
    arguments are the answer. With `schema_style="auto"` the first style the
    endpoint accepts is kept. Every failure is an `EndpointError`; the API key is
    sent as a bearer token and never logged.
    """

    def __init__(
        self,
        url: str,
        name: str,
        api_key: str | None = None,
        timeout_s: float = 30.0,
        schema_style: str = "auto",
    ) -> None:
        import httpx

        if schema_style != "auto" and schema_style not in SCHEMA_STYLES:
            raise ConfigError(
                f"Unknown schema style {schema_style!r}: use auto or one of "
                f"{', '.join(SCHEMA_STYLES)}."
            )
        self.url = url.rstrip("/")
        self.name = name
        self.timeout_s = timeout_s
        self._styles = list(SCHEMA_STYLES) if schema_style == "auto" else [schema_style]
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(
            base_url=self.url, headers=headers, timeout=timeout_s
        )

    def __repr__(self) -> str:
        return f"CloudModel(url={self.url!r}, name={self.name!r})"

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def complete(
        self,
        messages: list[Message],
        schema: dict[str, Any] | None = None,
        max_tokens: int = 256,
    ) -> Completion:
        """One chat completion; with `schema`, the answer is checked to be JSON."""
        started = time.perf_counter()
        body: dict[str, Any] = {
            "model": self.name,
            "messages": messages,
            "temperature": 0.0,
            "max_tokens": max_tokens,
        }
        if schema is None:
            reply = self._post(body)
            style = None
        else:
            reply, style = self._post_with_schema(body, schema)
        text = self._text(reply, style)
        if schema is not None:
            try:
                json.loads(text)
            except json.JSONDecodeError as exc:
                raise EndpointError(
                    f"{self.name} at {self.url} answered malformed JSON: {text[:120]!r}"
                ) from exc
        usage = reply.get("usage") or {}
        completion = Completion(
            text=text,
            model=self.name,
            prompt_tokens=int(usage.get("prompt_tokens") or 0),
            completion_tokens=int(usage.get("completion_tokens") or 0),
            seconds=time.perf_counter() - started,
            tier="cloud",
        )
        log.info(
            "%s: %d+%d tokens in %.2f s",
            self.name,
            completion.prompt_tokens,
            completion.completion_tokens,
            completion.seconds,
        )
        return completion

    def _post_with_schema(
        self, body: dict[str, Any], schema: dict[str, Any]
    ) -> tuple[dict[str, Any], str]:
        """Post with the first schema style the endpoint accepts."""
        refused: EndpointError | None = None
        for style in list(self._styles):
            try:
                reply = self._post({**body, **schema_request(style, schema)})
            except EndpointError as exc:
                if exc.status not in (400, 404, 422) or len(self._styles) == 1:
                    raise
                log.info("%s refused schema style %s: %s", self.name, style, exc)
                self._styles.remove(style)
                refused = exc
                continue
            self._styles = [style]
            return reply, style
        raise refused or EndpointError(f"{self.name} accepts no schema style.")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /chat/completions; every failure becomes an EndpointError."""
        import httpx

        where = f"{self.name} at {self.url}"
        try:
            response = self._client.post("/chat/completions", json=body)
        except httpx.TimeoutException as exc:
            raise EndpointError(
                f"{where} did not answer within {self.timeout_s:g} s."
            ) from exc
        except httpx.HTTPError as exc:
            raise EndpointError(f"{where} cannot be reached: {exc}") from exc
        if response.status_code in (401, 403):
            raise EndpointError(
                f"{where} refused the API key (HTTP {response.status_code}): check "
                "FIELDPILOT_CLOUD_API_KEY.",
                transient=False,
                status=response.status_code,
            )
        if response.status_code >= 400:
            raise EndpointError(
                f"{where} answered HTTP {response.status_code}: {response.text[:200]}",
                transient=response.status_code == 429 or response.status_code >= 500,
                status=response.status_code,
            )
        try:
            reply = response.json()
            reply["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EndpointError(
                f"{where} answered something that is not a chat completion: "
                f"{response.text[:120]!r}"
            ) from exc
        return reply

    @staticmethod
    def _text(reply: dict[str, Any], style: str | None) -> str:
        """The answer's text: the content, or a named tool call's arguments."""
        message = reply["choices"][0]["message"]
        if style == "tool" and message.get("tool_calls"):
            arguments = message["tool_calls"][0].get("function", {}).get("arguments")
            return arguments if isinstance(arguments, str) else json.dumps(arguments)
        content = message.get("content")
        return content if isinstance(content, str) else ""


def schema_request(style: str, schema: dict[str, Any]) -> dict[str, Any]:
    """The request fields that ask an endpoint for JSON valid against `schema`."""
    if style == "json_schema":
        return {
            "response_format": {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema},
            }
        }
    if style == "json_object":
        return {"response_format": {"type": "json_object", "schema": schema}}
    tool = {"name": "answer", "description": "Give the answer.", "parameters": schema}
    return {
        "tools": [{"type": "function", "function": tool}],
        "tool_choice": {"type": "function", "function": {"name": "answer"}},
    }
