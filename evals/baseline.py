"""A LangChain baseline: the prebuilt tool-calling agent on the same model and tools.

`BaselineAgent` is `langchain.agents.create_agent` (a ReAct-style loop: the model
calls tools until it answers in text) driving the same local model as fieldpilot,
Qwen2.5-Coder-1.5B-Instruct Q4_K_M, served by llama-cpp-python's own
OpenAI-compatible server (`LlamaServer`), through `langchain_openai.ChatOpenAI`.
Its tools are fieldpilot's `Toolbox`, one LangChain tool per `SPECS` entry with
the same name, description and argument schema; every call goes through
`Toolbox.call`, so a bad argument comes back to the model as the same sentence
fieldpilot's planner would get. Each `ask` is a fresh conversation.

The baseline gets what a competent LangChain user would give it. Out of the box
it calls no tools: with the GGUF's template the model writes its call as JSON
text, and with `--chat_format chatml-function-calling` it answered in prose
without calling anything (measured). The fixes, all in `QwenToolChat`,
`LlamaServer` and the system prompt (see `BASELINE_NOTES`):

- Serve with the GGUF's own Qwen2.5 chat template (no `--chat_format`): it puts
  the tools in the system prompt in Qwen's native format. llama-cpp-python's
  server only returns structured `tool_calls` for a named `tool_choice`, which a
  free agent loop cannot use, so the model's `<tool_call>{...}</tool_call>` text
  (or a lone `{"name": ..., "arguments": ...}` object, fenced or not) is parsed
  into `AIMessage.tool_calls` on the way back.
- On the way out, an assistant turn with tool calls is sent as the text the model
  wrote (`<tool_call>` blocks): langchain-openai sends `content: null` there,
  which the server refuses, and the template would render the OpenAI-style
  string `arguments` JSON-encoded twice.
- `max_completion_tokens`, which langchain-openai sends, is ignored by the
  server: it is renamed back to `max_tokens`.
- The server runs with `--n_ctx 8192` (the default 2,048 cannot hold the nine
  tool schemas and a few tool results) and `--n_threads 2`.
- The system prompt lists every device's id and name (`describe_site`): with
  fieldpilot's `site_text`, which names only the equipment, the model sent
  "turn off the kitchen lights" to drone D-1. It also says what a device target
  is; it has no few-shot examples.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatResult
from langchain_core.tools import StructuredTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from langchain_openai import ChatOpenAI

from tools.registry import SPECS, Toolbox

log = logging.getLogger(__name__)

BASELINE_NOTES = (
    "Baseline: LangChain's prebuilt agent (langchain.agents.create_agent) with "
    "ChatOpenAI against llama-cpp-python's OpenAI-compatible server, same model "
    "and same tools (fieldpilot's Toolbox, same names, descriptions and schemas). "
    "Out of the box it calls no tools: the server returns tool calls only for a "
    "named tool_choice, and chatml-function-calling made the model answer in "
    "prose. Fixes it needed: serve with the GGUF's own Qwen2.5 chat template "
    "(tools go into the prompt in Qwen's format) and parse the model's "
    "<tool_call> (or bare JSON) text into tool calls; send earlier tool calls "
    "back as that text (the server rejects content null, and the template "
    "double-encodes OpenAI's string arguments); rename max_completion_tokens "
    "back to max_tokens; n_ctx 8192 and n_threads 2. Its system prompt lists the "
    "rooms and every device's id and name and explains device targets, with no "
    "few-shot examples."
)

DEFAULT_SYSTEM = (
    "You are the assistant of maintenance technicians on an industrial site. "
    "Use the tools to read or change devices, telemetry and work orders; never "
    "guess a device state. A device target is an object with optional fields "
    "device (id or name), type (hvac, light, pump, valve, ...), area (room id, "
    "name or kind) and floor (number); for a group of devices, give type with "
    "area or floor and no device. Thermostats are type hvac. After the tools "
    "answer, reply to the technician briefly."
)

TOOL_CALL = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
FENCE = re.compile(r"^```(?:json)?\s*|\s*```$")


def describe_site(gateway: Any) -> str:
    """The site's rooms by floor and every device's id and name, for the prompt."""
    site, devices = gateway.site(), gateway.devices()
    rooms: dict[int, list[str]] = {}
    for area in site.get("areas", []):
        rooms.setdefault(area.get("floor", 0), []).append(
            area.get("name") or area["id"]
        )
    lines = [f"Site: {site.get('name', 'site')}. Rooms by floor:"]
    lines += [f"- floor {f}: {', '.join(names)}" for f, names in sorted(rooms.items())]
    lines.append("Devices (id: name):")
    lines += [f"- {d['id']}: {d.get('name', d['type'])}" for d in devices]
    return "\n".join(lines)


def parse_call(text: str) -> dict[str, Any]:
    """One `{"name": ..., "arguments": {...}}` object as a LangChain tool call."""
    obj, _ = json.JSONDecoder().raw_decode(FENCE.sub("", text.strip()))
    if not isinstance(obj, dict) or not isinstance(obj.get("name"), str):
        raise ValueError("a tool call needs a name")
    args = obj.get("arguments", obj.get("parameters", {}))
    if isinstance(args, str):
        args = json.loads(args or "{}")
    if not isinstance(args, dict):
        raise ValueError("tool call arguments must be an object")
    call_id = f"call_{uuid.uuid4().hex[:12]}"
    return {"name": obj["name"], "args": args, "id": call_id, "type": "tool_call"}


def bare_call(text: str) -> str | None:
    """The text itself when it is nothing but a tool-call JSON object."""
    body = FENCE.sub("", text.strip())
    if not body.startswith("{"):
        return None
    try:
        obj = json.loads(body)
    except json.JSONDecodeError:
        return None
    if isinstance(obj, dict) and obj.get("name") in SPECS and "arguments" in obj:
        return body
    return None


def with_tool_calls(message: AIMessage) -> AIMessage:
    """`message` with the `<tool_call>` text it holds turned into tool calls."""
    text = message.content if isinstance(message.content, str) else ""
    if message.tool_calls or not text:
        return message
    blocks = TOOL_CALL.findall(text)
    rest = TOOL_CALL.sub("", text).strip()
    if not blocks and (bare := bare_call(text)) is not None:
        blocks, rest = [bare], ""
    if not blocks:
        return message
    calls, invalid = [], []
    for block in blocks:
        try:
            calls.append(parse_call(block))
        except (ValueError, TypeError) as exc:
            log.debug("malformed tool call %r: %s", block, exc)
            invalid.append({"name": None, "args": block, "id": None, "error": str(exc)})
    rest = rest if calls else text
    return message.model_copy(
        update={"content": rest, "tool_calls": calls, "invalid_tool_calls": invalid}
    )


def as_text(message: dict[str, Any]) -> dict[str, Any]:
    """An outgoing assistant turn, its tool calls written as the model wrote them."""
    blocks = []
    for call in message.get("tool_calls") or []:
        function = call.get("function", {})
        try:
            args = json.loads(function.get("arguments") or "{}")
        except json.JSONDecodeError:
            args = function.get("arguments")
        blocks.append(
            "<tool_call>\n"
            + json.dumps({"name": function.get("name"), "arguments": args})
            + "\n</tool_call>"
        )
    content = "\n".join(filter(None, [message.get("content") or "", *blocks]))
    return {"role": "assistant", "content": content}


class QwenToolChat(ChatOpenAI):
    """ChatOpenAI for a llama-cpp-python server that serves Qwen2.5's own template."""

    def _get_request_payload(
        self, input_: Any, *, stop: list[str] | None = None, **kwargs: Any
    ) -> dict:
        payload = super()._get_request_payload(input_, stop=stop, **kwargs)
        if "max_completion_tokens" in payload:
            payload["max_tokens"] = payload.pop("max_completion_tokens")
        if isinstance(payload.get("tool_choice"), str):
            payload.pop("tool_choice")  # the server honours only a named tool
        payload["messages"] = [
            as_text(m) if m.get("role") == "assistant" else m
            for m in payload.get("messages", [])
        ]
        return payload

    def _create_chat_result(
        self, response: Any, generation_info: dict | None = None
    ) -> ChatResult:
        result = super()._create_chat_result(response, generation_info)
        for generation in result.generations:
            if isinstance(generation.message, AIMessage):
                generation.message = with_tool_calls(generation.message)
        return result


@dataclass
class BaselineAnswer:
    """What the baseline did for one request."""

    answer: str
    actions: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0
    error: str | None = None


def make_tools(toolbox: Toolbox, actions: list[dict[str, Any]]) -> list[StructuredTool]:
    """One LangChain tool per fieldpilot tool; each call is recorded in `actions`."""
    return [make_tool(toolbox, name, actions) for name in SPECS]


def make_tool(
    toolbox: Toolbox, name: str, actions: list[dict[str, Any]]
) -> StructuredTool:
    """A LangChain tool that runs `Toolbox.call(name, ...)` and returns its JSON."""
    spec = SPECS[name]

    def run(**arguments: Any) -> str:
        result = toolbox.call(name, arguments)
        actions.append({"tool": name, "arguments": arguments, "ok": result.ok})
        if result.ok:
            return json.dumps({"ok": True, "data": result.data}, default=str)
        return json.dumps({"ok": False, "error": result.error}, default=str)

    # The schema LangChain itself would send for the args model (refs inlined).
    schema = convert_to_openai_tool(spec.args)["function"]["parameters"]
    return StructuredTool.from_function(
        func=run, name=name, description=spec.description, args_schema=schema
    )


class BaselineAgent:
    """LangChain's prebuilt tool-calling agent over fieldpilot's tools."""

    def __init__(
        self,
        toolbox: Toolbox,
        base_url: str,
        model_name: str,
        system_prompt: str | None = None,
        site_text: str | None = None,
        max_tokens: int = 256,
        recursion_limit: int = 12,
        timeout: float = 300.0,
        max_retries: int = 1,
    ) -> None:
        from langchain.agents import create_agent

        self.recursion_limit = recursion_limit
        self._actions: list[dict[str, Any]] = []
        if system_prompt is None:
            site = site_text or describe_site(toolbox.gateway)
            system_prompt = f"{DEFAULT_SYSTEM}\n{site}"
        self.system_prompt = system_prompt
        self.model = QwenToolChat(
            base_url=base_url,
            api_key="none",
            model=model_name,
            max_tokens=max_tokens,
            temperature=0,
            timeout=timeout,
            max_retries=max_retries,
            disable_streaming=True,
        )
        self.graph = create_agent(
            self.model,
            make_tools(toolbox, self._actions),
            system_prompt=self.system_prompt,
        )

    def ask(self, request: str) -> BaselineAnswer:
        """Run one request as a fresh conversation; failures land in `error`."""
        self._actions.clear()
        started = time.perf_counter()
        messages: list[Any] = []
        error = None
        try:
            # Streamed so that the steps before a failure are kept for the answer.
            for state in self.graph.stream(
                {"messages": [HumanMessage(request)]},
                config={"recursion_limit": self.recursion_limit},
                stream_mode="values",
            ):
                messages = state["messages"]
        except Exception as exc:  # the baseline reports failures, never raises
            log.warning("baseline failed on %r: %s", request, exc)
            error = f"{type(exc).__name__}: {exc}"
        answer, malformed = final_text(messages)
        seconds = time.perf_counter() - started
        log.info("baseline answered %r in %.1f s", request, seconds)
        return BaselineAnswer(
            answer=answer,
            actions=list(self._actions),
            seconds=seconds,
            error=error or malformed,
        )


def final_text(messages: list[Any]) -> tuple[str, str | None]:
    """The agent's last text and, if it ended on a malformed tool call, why."""
    last = next((m for m in reversed(messages) if isinstance(m, AIMessage)), None)
    if last is None:
        return "", None
    text = last.content if isinstance(last.content, str) else str(last.content)
    if last.invalid_tool_calls and not last.tool_calls:
        bad = last.invalid_tool_calls[0]
        return text, f"Malformed tool call: {bad.get('error')}: {bad.get('args')}"
    return text, None
