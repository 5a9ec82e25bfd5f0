"""The planner graph: recognise intent → plan → act → respond.

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

from agent.errors import ModelError
from agent.models import ChatModel
from agent.policy import ground_arguments, refusal_reason, risk_of
from agent.prompts import ANSWER_PROMPT, plan_schema
from agent.respond import describe_result, excerpts
from agent.state import Intent, Node, TurnState
from tools.registry import Toolbox

log = logging.getLogger(__name__)

HISTORY_TURNS = 2
PLAN_TOKENS = 320
ANSWER_TOKENS = 200


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


def recognize_intent(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Ask the model for the request's intent and its tool calls (one JSON object)."""
    ctx = runtime.context
    messages = planner_messages(state, ctx.system_prompt)
    try:
        completion = ctx.model.complete(messages, plan_schema(), PLAN_TOKENS)
        plan = completion.json()
    except ModelError as exc:
        log.error("Planner failed: %s", exc)
        return {
            "intent": Intent.OTHER.value,
            "calls": [],
            "models": [],
            "answer": f"I could not plan this request: {exc}",
        }
    log.debug("plan: %s", plan)
    return {
        "intent": plan.get("intent", Intent.OTHER.value),
        "calls": plan.get("calls", []),
        "models": [model_record(completion, "plan")],
        "answer": "",
    }


def plan(state: TurnState) -> dict:
    """Turn calls into steps; a question never runs a tool that changes the world."""
    steps, refused = [], []
    for call in state.get("calls", []):
        tool = call.get("tool")
        arguments = ground_arguments(call.get("args", {}), state["request"])
        step = {"tool": tool, "arguments": arguments, "risk": risk_of(tool).value}
        reason = refusal_reason(state.get("intent", ""), tool)
        if reason:
            refused.append({**step, "reason": reason})
            continue
        steps.append(step)
    return {"steps": steps, "refused": refused, "results": []}


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
    question = f"Excerpts:\n{excerpts(passages)}\n\nQuestion: {state['request']}"
    messages = [
        {"role": "system", "content": ANSWER_PROMPT},
        {"role": "user", "content": question},
    ]
    try:
        completion = ctx.model.complete(messages, None, ANSWER_TOKENS)
    except ModelError as exc:
        first = passages[0]
        return f"From {first['document']} § {first['section']}:\n{first['text']}", {
            "purpose": "answer",
            "error": str(exc),
        }
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
        parts.append(f"I did not run {step['tool']}: {step['reason']}.")
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
    graph.add_node(Node.ACT, act)
    graph.add_node(Node.RESPOND, respond)
    graph.add_edge(START, Node.RECOGNIZE_INTENT)
    graph.add_edge(Node.RECOGNIZE_INTENT, Node.PLAN)
    graph.add_edge(Node.PLAN, Node.ACT)
    graph.add_edge(Node.ACT, Node.RESPOND)
    graph.add_edge(Node.RESPOND, END)
    return graph.compile(checkpointer=checkpointer)
