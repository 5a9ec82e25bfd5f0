"""The planner graph, a Large Action Model pipeline over one typed state:

    perceive → recognise intent → break down → plan → guard → act → verify
                                                ↑          │       │
                                                └──────────┴───────┘ (next wave)
    … → respond → remember

`plan` plans the tasks that are ready, `guard` checks them (and may pause the
thread for a person), `act` runs them, `verify` reads changed devices back. The
loop returns to `act` for a re-send after a mismatch, and to `plan` while tasks
wait on earlier results; the turn's budget of tool calls bounds it.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from langgraph.graph import END, START, StateGraph
from langgraph.runtime import Runtime

from agent.acting import act, guard
from agent.context import AgentContext
from agent.planning import break_down, perceive, plan, recognize_intent
from agent.respond import compose
from agent.state import Node, TaskStatus, TurnState
from agent.verify import verify

log = logging.getLogger(__name__)

RECURSION_LIMIT = 80


def waiting(state: TurnState) -> bool:
    """True while some task still waits to be planned."""
    return any(t["status"] == TaskStatus.WAITING.value for t in state.get("tasks", []))


def after_plan(state: TurnState) -> str:
    """Guard the new calls; with none, answer."""
    if state.get("answer") or not state.get("calls"):
        return Node.RESPOND
    return Node.GUARD


def after_guard(state: TurnState) -> str:
    """Act on allowed steps; otherwise plan what waits, or answer."""
    if state.get("steps"):
        return Node.ACT
    return Node.PLAN if waiting(state) else Node.RESPOND


def after_verify(state: TurnState) -> str:
    """Re-send mismatched commands, plan the next wave, or answer."""
    if state.get("corrections"):
        return Node.ACT
    return Node.PLAN if waiting(state) else Node.RESPOND


def respond(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Write the answer from the results and record the turn in the history."""
    text, citations, records = compose(state, runtime.context)
    answer = state.get("answer") or text or "I did not find anything to do."
    plan_json = json.dumps(
        {
            "intent": state.get("intent"),
            "calls": [
                {"tool": r["tool"], "args": r["arguments"]}
                for r in [*state.get("results", []), *state.get("refused", [])]
                if not r.get("retry_of")
            ][:4],
        }
    )
    turn = {"request": state["request"], "plan": plan_json, "answer": answer}
    return {
        "answer": answer,
        "citations": citations,
        "models": [*state.get("models", []), *records],
        "history": [turn],
    }


def remember(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Keep the episode (request, actions, outcome) in long-term memory."""
    store = runtime.context.episodes
    if store is None:
        return {}
    results = [r for r in state.get("results", []) if not r.get("reused")]
    actions = [action_record(r) for r in results]
    devices = {s.get("device") for r in results for s in r.get("sources", [])}
    devices |= {d for d in (a.get("device") for a in actions) if d}
    store.record(
        state.get("thread", ""),
        state["request"],
        sorted(d for d in devices if d),
        actions,
        outcome(state),
        state.get("answer", "")[:500],
    )
    return {}


def action_record(result: dict) -> dict[str, Any]:
    """What memory keeps of one tool call."""
    record = {"tool": result["tool"], "arguments": result["arguments"]}
    record["ok"] = result["ok"]
    data = result.get("data")
    if result["tool"] == "open_work_order" and result["ok"]:
        record.update(work_order=data["number"], device=data["device"])
    return record


def outcome(state: TurnState) -> str:
    """One word for how the turn ended."""
    acted = [r for r in state.get("results", []) if r["risk"] != "read"]
    if any(not d["approved"] for d in state.get("decisions", [])):
        return "declined"
    if state.get("refused") and not acted:
        return "refused"
    if not acted:
        return "answered"
    failed = [c for c in state.get("checks", []) if c["ok"] is not True]
    if all(r["ok"] for r in acted) and not failed and not state.get("unfinished"):
        return "done"
    return "partial"


def build_graph(checkpointer: Any = None) -> Any:
    """The compiled graph; pass a LangGraph checkpointer to keep threads."""
    graph = StateGraph(TurnState, context_schema=AgentContext)
    for node, function in (
        (Node.PERCEIVE, perceive),
        (Node.RECOGNIZE_INTENT, recognize_intent),
        (Node.BREAK_DOWN, break_down),
        (Node.PLAN, plan),
        (Node.GUARD, guard),
        (Node.ACT, act),
        (Node.VERIFY, verify),
        (Node.RESPOND, respond),
        (Node.REMEMBER, remember),
    ):
        graph.add_node(node, function)
    graph.add_edge(START, Node.PERCEIVE)
    graph.add_edge(Node.PERCEIVE, Node.RECOGNIZE_INTENT)
    graph.add_edge(Node.RECOGNIZE_INTENT, Node.BREAK_DOWN)
    graph.add_edge(Node.BREAK_DOWN, Node.PLAN)
    graph.add_conditional_edges(Node.PLAN, after_plan, [Node.GUARD, Node.RESPOND])
    graph.add_conditional_edges(
        Node.GUARD, after_guard, [Node.ACT, Node.PLAN, Node.RESPOND]
    )
    graph.add_edge(Node.ACT, Node.VERIFY)
    graph.add_conditional_edges(
        Node.VERIFY, after_verify, [Node.ACT, Node.PLAN, Node.RESPOND]
    )
    graph.add_edge(Node.RESPOND, Node.REMEMBER)
    graph.add_edge(Node.REMEMBER, END)
    return graph.compile(checkpointer=checkpointer)
