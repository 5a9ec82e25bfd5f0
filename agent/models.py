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
import os
import re
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

LLAMA_CMAKE_ARGS = (
    "-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON "
    "-DGGML_BMI2=ON"
)
"""The build flags of llama-cpp-python that README's commands use: AVX2, no AMX."""


def llama_build_problem(system_info: str) -> str | None:
    """Why this llama.cpp build must not run here, or None.

    A build for the machine's own CPU (llama-cpp-python's default) turns on
    Intel AMX on Sapphire Rapids and later; its matrix kernel crashes the
    process without a word on the first prompt longer than one token on some of
    those machines, this one included (llama.cpp issue 20824).
    FIELDPILOT_LLAMA_AMX=1 accepts such a build where it is known to work.
    """
    if not re.search(r"\bAMX_INT8 = 1\b", system_info):
        return None
    if os.environ.get("FIELDPILOT_LLAMA_AMX") == "1":
        return None
    return (
        "llama-cpp-python was built with Intel AMX kernels, which crash on this "
        "kind of machine. Rebuild it without them:\n"
        "  pip cache remove llama_cpp_python\n"
        f'  CMAKE_ARGS="{LLAMA_CMAKE_ARGS}" pip install --force-reinstall '
        "--no-deps 'llama-cpp-python==0.3.36'\n"
        "(or set FIELDPILOT_LLAMA_AMX=1 where AMX is known to work)."
    )


def check_llama_build() -> None:
    """Raise ModelError when the installed llama.cpp build would crash here."""
    import llama_cpp

    info = llama_cpp.llama_print_system_info()
    text = info.decode("utf-8", "replace") if isinstance(info, bytes) else str(info)
    if problem := llama_build_problem(text):
        raise ModelError(problem)


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
        check_llama_build()

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
    arguments are the answer. With `schema_style="auto"` the style that last
    worked is tried first and the others after it. A call is bounded as a whole
    (`timeout_s`) and in size (`MAX_REPLY_BYTES`). Every failure is an
    `EndpointError`; the API key is sent as a bearer token and never logged.
    """

    MAX_REPLY_BYTES = 4 << 20

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
        key = (api_key or "").strip()
        if key and not (key.isascii() and key.isprintable() and " " not in key):
            raise ConfigError(
                "FIELDPILOT_CLOUD_API_KEY holds characters an HTTP header cannot "
                "carry (spaces, line breaks or non-ASCII): copy the key again."
            )
        self.url = url.rstrip("/")
        self.name = name
        self.timeout_s = timeout_s
        self._secret = key
        self._styles = list(SCHEMA_STYLES) if schema_style == "auto" else [schema_style]
        headers = {"Authorization": f"Bearer {key}"} if key else {}
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
            reply, style = self._post(body), None
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
        usage = reply.get("usage")
        usage = usage if isinstance(usage, dict) else {}
        completion = Completion(
            text=text,
            model=self.name,
            prompt_tokens=count(usage.get("prompt_tokens")),
            completion_tokens=count(usage.get("completion_tokens")),
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
        """Post with the styles in order of preference until one is accepted."""
        refused: EndpointError | None = None
        for style in list(self._styles):
            try:
                reply = self._post({**body, **schema_request(style, schema)})
            except EndpointError as exc:
                if not refuses_style(exc) or len(self._styles) == 1:
                    raise
                log.info("%s refused schema style %s: %s", self.name, style, exc)
                refused = exc
                continue
            self._styles.remove(style)
            self._styles.insert(0, style)  # try it first next time
            return reply, style
        raise refused or EndpointError(f"{self.name} accepts no schema style.")

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST /chat/completions within the deadline; every failure becomes an
        EndpointError whose message never holds the key."""
        import httpx

        where = f"{self.name} at {self.url}"
        deadline = time.monotonic() + self.timeout_s
        data = b""
        try:
            with self._client.stream("POST", "/chat/completions", json=body) as reply:
                for chunk in reply.iter_bytes():
                    data += chunk
                    if len(data) > self.MAX_REPLY_BYTES:
                        raise EndpointError(f"{where} answered more than 4 MB.")
                    if time.monotonic() > deadline:
                        raise httpx.ReadTimeout("deadline")
                status = reply.status_code
        except httpx.TimeoutException as exc:
            raise EndpointError(
                f"{where} did not answer within {self.timeout_s:g} s."
            ) from exc
        except (httpx.HTTPError, httpx.InvalidURL, ValueError) as exc:
            said = str(exc).replace(self._secret, "***") if self._secret else str(exc)
            raise EndpointError(f"{where} cannot be reached: {said}") from exc
        if time.monotonic() > deadline:
            raise EndpointError(f"{where} did not answer within {self.timeout_s:g} s.")
        text = data.decode("utf-8", "replace")
        if self._secret:
            text = text.replace(self._secret, "***")  # an endpoint may echo it
        if status in (401, 403):
            raise EndpointError(
                f"{where} refused the API key (HTTP {status}): check "
                "FIELDPILOT_CLOUD_API_KEY.",
                transient=False,
                status=status,
            )
        if status >= 400:
            raise EndpointError(
                f"{where} answered HTTP {status}: {text[:200]}",
                transient=status == 429 or status >= 500,
                status=status,
            )
        try:
            reply_json = json.loads(text)
            message = reply_json["choices"][0]["message"]
            if not isinstance(message, dict):
                raise TypeError("message is not an object")
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise EndpointError(
                f"{where} answered something that is not a chat completion: "
                f"{text[:120]!r}"
            ) from exc
        return reply_json

    def _text(self, reply: dict[str, Any], style: str | None) -> str:
        """The answer's text: the content, or a named tool call's arguments."""
        message = reply["choices"][0]["message"]
        calls = message.get("tool_calls")
        if style == "tool" and calls:
            try:
                arguments = calls[0]["function"]["arguments"]
            except (KeyError, IndexError, TypeError) as exc:
                raise EndpointError(
                    f"{self.name} at {self.url} answered a malformed tool call."
                ) from exc
            return arguments if isinstance(arguments, str) else json.dumps(arguments)
        content = message.get("content")
        return content if isinstance(content, str) else ""


def refuses_style(exc: EndpointError) -> bool:
    """True when an endpoint's error reads as "this request form is not
    understood" (llama-cpp-python's server answers a schema style it does not
    know with HTTP 500 and a validation error)."""
    if exc.status in (400, 404, 422):
        return True
    said = str(exc).lower()
    return exc.status == 500 and ("validation" in said or "response_format" in said)


def count(value: Any) -> int:
    """A token count from an endpoint: a non-negative int, 0 when it is not one."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 0
    return max(int(value), 0)


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
