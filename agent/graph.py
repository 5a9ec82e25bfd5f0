"""The planner graph: recognise intent → plan → guard → act → respond.

Each node is a top-level function over `TurnState`; what a node needs besides the
state (the model, the tools, the site's system prompt) comes in `AgentContext`
through LangGraph's runtime, so the graph itself holds no resources and a thread
can be checkpointed and resumed by another process.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from agent.errors import ModelError
from agent.models import ChatModel
from agent.policy import (
    allows_group,
    ground_arguments,
    out_of_scope,
    refusal_reason,
    risk_of,
    unknown_references,
)
from agent.prompts import ANSWER_PROMPT, intent_schema, plan_schema
from agent.respond import describe_result, excerpts
from agent.state import Intent, Node, TurnState
from tools.errors import ToolError
from tools.registry import Risk, Toolbox

log = logging.getLogger(__name__)

HISTORY_TURNS = 2
PLAN_TOKENS = 320
ANSWER_TOKENS = 200


class ToolCall(BaseModel):
    """One call of a plan as the model wrote it."""

    tool: str
    args: dict[str, Any]


@dataclass
class AgentContext:
    """What the nodes use besides the state."""

    model: ChatModel
    toolbox: Toolbox
    system_prompt: str
    tool_budget: int = 8


def model_record(completion: Any, purpose: str) -> dict[str, Any]:
    """What the answer reports of one model call."""
    return {
        "purpose": purpose,
        "model": completion.model,
        "tier": "local",
        "seconds": round(completion.seconds, 3),
        "prompt_tokens": completion.prompt_tokens,
        "completion_tokens": completion.completion_tokens,
    }


def planner_messages(state: TurnState, system: str) -> list[dict[str, str]]:
    """System prompt, the last turns as request/plan pairs, then this request."""
    messages = [{"role": "system", "content": system}]
    for turn in state.get("history", [])[-HISTORY_TURNS:]:
        messages.append({"role": "user", "content": turn["request"]})
        messages.append({"role": "assistant", "content": turn["plan"]})
    messages.append({"role": "user", "content": state["request"]})
    return messages


def ask_model(
    ctx: AgentContext, messages: list[dict[str, str]], schema: dict, purpose: str
) -> tuple[dict | None, list[dict], str | None]:
    """One constrained model call: (parsed JSON, model records, error sentence)."""
    try:
        completion = ctx.model.complete(messages, schema, PLAN_TOKENS)
        return completion.json(), [model_record(completion, purpose)], None
    except ModelError as exc:
        log.error("%s failed: %s", purpose, exc)
        return None, [], f"I could not plan this request ({purpose}): {exc}"


def read_intent(out: Any) -> Intent:
    """The intent in a model's answer; anything malformed counts as OTHER."""
    try:
        return Intent(out.get("intent"))
    except (AttributeError, ValueError):
        return Intent.OTHER


def read_calls(out: Any) -> list[dict[str, Any]] | None:
    """The well-formed calls of a plan, or None when the plan is malformed."""
    try:
        return [ToolCall.model_validate(c).model_dump() for c in out["calls"]]
    except (TypeError, KeyError, ValidationError):
        return None


def recognize_intent(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Ask the model what the request is for (one enum value)."""
    messages = planner_messages(state, runtime.context.system_prompt)
    context = runtime.context
    out, records, error = ask_model(context, messages, intent_schema(), "intent")
    intent = read_intent(out).value
    return {"intent": intent, "models": records, "answer": error or "", "calls": []}


def plan(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Ask for tool calls, restricted to the tools of the recognised intent.

    The messages are those of the intent call, so the model reuses that prompt.
    """
    if state.get("answer"):
        return {}
    messages = planner_messages(state, runtime.context.system_prompt)
    schema = plan_schema(read_intent(state))
    out, records, error = ask_model(runtime.context, messages, schema, "plan")
    models = state.get("models", []) + records
    calls = read_calls(out) if out is not None else None
    if calls is None:
        return {"models": models, "answer": error or f"I could not plan this: {out}"}
    log.debug("plan: %s", calls)
    return {"calls": calls, "models": models}


def guard(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Keep the steps policy allows; refuse the rest with a reason."""
    request, toolbox = state["request"], runtime.context.toolbox
    try:
        devices = toolbox.gateway.devices()
        areas = toolbox.gateway.site().get("areas", [])
    except ToolError as exc:
        return {
            "steps": [],
            "refused": [],
            "results": [],
            "answer": f"The site's gateway cannot be reached: {exc}",
        }
    unknown = unknown_references(request, devices)
    steps, refused = [], []
    for call in state.get("calls", []):
        tool = call["tool"]
        arguments = ground_arguments(call["args"], request)
        step = {"tool": tool, "arguments": arguments, "risk": risk_of(tool).value}
        reason = refusal_reason(state.get("intent", ""), tool)
        if unknown:
            reason = f"no device {', '.join(unknown)} exists on this site"
        reason = reason or scope_refusal(step, request, toolbox, devices, areas)
        if reason:
            refused.append({**step, "reason": reason})
            continue
        steps.append(step)
    return {"steps": steps, "refused": refused, "results": []}


def scope_refusal(
    step: dict, request: str, toolbox: Toolbox, devices: list, areas: list
) -> str | None:
    """Why an action must not run: it reaches devices nobody asked to change."""
    if step["risk"] == Risk.READ.value:
        return None
    target = step["arguments"].get("target")
    if isinstance(target, dict) and not any(target.values()):
        return "it names no device, room, type or floor"
    found = toolbox.targets(step["tool"], step["arguments"])
    outside = out_of_scope(request, found, devices, areas)
    if outside:
        return (
            f"it would also change {', '.join(outside)}, which the request does "
            "not name"
        )
    if len(found) > 1 and not allows_group(request):
        return (
            f"it would change {len(found)} devices ({', '.join(found)}); name one "
            "device, or say 'all' to change every one"
        )
    return None


def act(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Run the steps in order within the turn's tool budget."""
    ctx = runtime.context
    results = []
    for step in state.get("steps", [])[: ctx.tool_budget]:
        result = ctx.toolbox.call(step["tool"], step["arguments"])
        results.append(
            {
                "tool": step["tool"],
                "arguments": step["arguments"],
                "risk": step["risk"],
                "ok": result.ok,
                "data": result.data,
                "error": result.error,
                "sources": [s.model_dump(exclude_none=True) for s in result.sources],
            }
        )
    return {"results": results}


def answer_from_manuals(
    state: TurnState, ctx: AgentContext, passages: list[dict]
) -> tuple[str, dict | None]:
    """Have the model answer from the retrieved excerpts only."""
    if not passages:
        return "The manuals do not cover this.", None
    messages = [
        {"role": "system", "content": ANSWER_PROMPT},
        {
            "role": "user",
            "content": f"Excerpts:\n{excerpts(passages)}\n\n"
            f"Request: {state['request']}",
        },
    ]
    try:
        completion = ctx.model.complete(messages, None, ANSWER_TOKENS)
    except ModelError as exc:
        first = passages[0]
        text = f"From {first['document']} § {first['section']}:\n{first['text']}"
        return text, {"purpose": "answer", "error": str(exc)}
    return completion.text.strip(), model_record(completion, "answer")


def respond(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Write the answer from the results and record the turn in the history."""
    ctx = runtime.context
    parts, citations, models = [], [], list(state.get("models", []))
    for result in state.get("results", []):
        if result["tool"] == "search_manuals" and result["ok"]:
            text, record = answer_from_manuals(state, ctx, result["data"])
            parts.append(text)
            models += [record] if record else []
            citations += [
                {"source": p["document"], "section": p["section"]}
                for p in result["data"]
            ]
        else:
            parts.append(describe_result(result))
    for step in state.get("refused", []):
        parts.append(f"Not done ({step['tool']}): {step['reason']}.")
    answer = state.get("answer") or "\n".join(p for p in parts if p)
    if not answer:
        answer = "I did not find anything to do for this request."
    plan_json = json.dumps({"intent": state.get("intent"), "calls": state.get("calls")})
    turn = {"request": state["request"], "plan": plan_json, "answer": answer}
    return {
        "answer": answer,
        "citations": citations,
        "models": models,
        "history": [turn],
    }


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; pass a LangGraph checkpointer to keep threads."""
    graph = StateGraph(TurnState, context_schema=AgentContext)
    graph.add_node(Node.RECOGNIZE_INTENT, recognize_intent)
    graph.add_node(Node.PLAN, plan)
    graph.add_node(Node.GUARD, guard)
    graph.add_node(Node.ACT, act)
    graph.add_node(Node.RESPOND, respond)
    graph.add_edge(START, Node.RECOGNIZE_INTENT)
    graph.add_edge(Node.RECOGNIZE_INTENT, Node.PLAN)
    graph.add_edge(Node.PLAN, Node.GUARD)
    graph.add_edge(Node.GUARD, Node.ACT)
    graph.add_edge(Node.ACT, Node.RESPOND)
    graph.add_edge(Node.RESPOND, END)
    return graph.compile(checkpointer=checkpointer)
