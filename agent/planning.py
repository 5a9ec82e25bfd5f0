"""The nodes before anything runs: perceive, recognise intent, break down, plan.

The model sees one task at a time, the way it was tuned for the main job: one
constrained call for the task's intent, one for its tool calls, restricted to
that intent's tools. Tasks whose dependencies have finished are planned together
in one wave; their conditions are decided on earlier results by code.
"""

from __future__ import annotations

import copy
import logging
import re
import time
from collections.abc import Callable
from typing import Any

from langgraph.runtime import Runtime
from pydantic import BaseModel, ValidationError

from agent.acting import is_question
from agent.breakdown import break_down as split_request
from agent.breakdown import evaluate, resolve_references
from agent.context import AgentContext, ask_model, planner_messages, planner_privacy
from agent.errors import ModelError
from agent.memory import device_ids
from agent.models import Completion
from agent.policy import (
    ground_arguments,
    ground_to_site,
    out_of_scope,
    risk_of,
    scope_refusal,
)
from agent.prompts import TOOLS_FOR_INTENT, intent_schema, plan_schema
from agent.router import Step, Validator, fast_decision
from agent.state import Intent, TaskStatus, TurnState
from tools.errors import ToolError
from tools.registry import SPECS, Risk

log = logging.getLogger(__name__)

TURN_RESET: dict[str, Any] = {
    "intent": "",
    "fast": [],
    "tasks": [],
    "calls": [],
    "steps": [],
    "refused": [],
    "results": [],
    "checks": [],
    "corrections": [],
    "unfinished": [],
    "seen": [],
    "calls_made": 0,
    "waves": 0,
    "decisions": [],
    "answer": "",
    "citations": [],
    "models": [],
}


class ToolCall(BaseModel):
    """One call of a plan as the model wrote it."""

    tool: str
    args: dict[str, Any]


def read_intent(out: Any) -> Intent:
    """The intent in a model's answer; anything malformed counts as OTHER."""
    try:
        return Intent(out.get("intent"))
    except (AttributeError, ValueError):
        return Intent.OTHER


MAX_CALLS = 4  # the plan schema's maxItems


def read_calls(out: Any) -> list[dict[str, Any]] | None:
    """The well-formed calls of a plan, or None when the plan is malformed, empty
    or longer than a plan may be."""
    try:
        calls = [ToolCall.model_validate(c).model_dump() for c in out["calls"]]
    except (TypeError, KeyError, ValidationError):
        return None
    return calls if 0 < len(calls) <= MAX_CALLS else None


def perceive(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Start a turn: the request, its attachments, and what memory recalls."""
    ctx = runtime.context
    request = state["request"].strip()
    memory = (
        ctx.episodes.recall(request, named_devices(ctx, request))
        if ctx.episodes
        else []
    )
    orders = ctx.toolbox.work_orders
    for item in memory:
        item["resolutions"] = resolutions(item, orders)
    return {
        **copy.deepcopy(TURN_RESET),
        "request": request,
        "attachments": state.get("attachments", []),
        "memory": memory,
    }


def named_devices(ctx: AgentContext, request: str) -> set[str]:
    """The devices a request names by their name or an alias ("pump 1")."""
    try:
        devices = ctx.toolbox.gateway.devices()
    except ToolError:
        return set()
    text = f" {request.lower()} "
    return {
        d["id"]
        for d in devices
        for word in (d.get("name", ""), *d.get("aliases", []))
        if word and re.search(rf"(?<![\w-]){re.escape(word.lower())}(?![\w-])", text)
    }


def resolutions(item: dict[str, Any], orders: Any) -> list[str]:
    """What closed the work orders an earlier episode opened."""
    found = []
    for action in item.get("actions", []):
        number = action.get("work_order")
        order = orders.get(number) if orders and number else None
        if order and order.get("resolution"):
            found.append(f"{order['number']}: {order['resolution']}")
    return found


def recognize_intent(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """A one-task device command the fast path knows needs no model; otherwise
    ask the router what the request (its first task, when it has several) is for:
    one enum value. The prompt is the one the first plan call reuses."""
    ctx = runtime.context
    tasks = split_request(state["request"])
    if len(tasks) == 1 and ctx.fast_path is not None:
        started = time.perf_counter()
        calls = ctx.fast_path.match(state["request"])
        if calls:
            decision = fast_decision("matched a device-command template", started)
            return {
                "intent": Intent.COMMAND.value,
                "fast": calls,
                "models": [decision.record()],
            }
    text = task_prompt(tasks[0], state.get("memory", []))
    messages = planner_messages(state.get("history", []), text, ctx.system_prompt)
    private = planner_privacy(ctx, state["request"], state.get("history", []))
    step = Step("intent", len(tasks), private=private)
    check = intent_validator(tasks[0]["text"])
    out, records, error = ask_model(ctx, messages, intent_schema(), step, check)
    return {"intent": read_intent(out).value, "models": records, "answer": error or ""}


def valid_intent(completion: Completion) -> str | None:
    """Why an intent answer is unusable, or None."""
    try:
        Intent(completion.json()["intent"])
    except (ModelError, KeyError, TypeError, ValueError) as exc:
        return f"no intent in {completion.text[:80]!r} ({type(exc).__name__})"
    return None


def intent_validator(text: str) -> Validator:
    """`valid_intent`, and for a task worded as a question, not "command": a
    question never changes devices, so that reading is a wrong one."""
    question = is_question(text)

    def check(completion: Completion) -> str | None:
        problem = valid_intent(completion)
        if problem is None and question:
            if completion.json()["intent"] == Intent.COMMAND.value:
                return "a question read as a command"
        return problem

    return check


def plan_validator(
    intent: Intent, in_scope: Callable[[list[dict]], str | None] | None = None
) -> Validator:
    """A check that a plan's calls use the intent's tools with valid arguments
    and, with `in_scope`, that the guard would not refuse them for reaching
    devices the task does not name (a wrong plan the cloud may get right)."""
    allowed = TOOLS_FOR_INTENT.get(intent, tuple(SPECS))

    def check(completion: Completion) -> str | None:
        try:
            calls = read_calls(completion.json())
        except ModelError:
            return "not JSON"
        if not calls:
            return "no well-formed calls"
        for call in calls:
            if call["tool"] not in allowed:
                return f"tool {call['tool']!r} does not serve a {intent.value}"
            try:
                SPECS[call["tool"]].args.model_validate(call["args"])
            except ValidationError as exc:
                return f"bad arguments for {call['tool']}: {exc.errors()[0]['msg']}"
        return in_scope(calls) if in_scope else None

    return check


def scope_problem(calls: list[dict], task: dict, ctx: AgentContext) -> str | None:
    """Why one of a plan's calls reaches beyond the devices, rooms or floor the
    task names (for actions: why the guard would refuse it, see
    `policy.scope_refusal`), or None; a gateway failure here is left to the
    guard."""
    text = task["text"]
    try:
        devices = ctx.toolbox.gateway.devices()
        areas = ctx.toolbox.gateway.site().get("areas", [])
        for call in calls:
            arguments = ground_arguments(call["args"], text)
            arguments = ground_to_site(arguments, text, devices, areas)
            found = ctx.toolbox.targets(call["tool"], arguments, strict=True)
            if risk_of(call["tool"]) is Risk.READ:
                # The guard lets any read through, but one about other rooms or
                # floors than asked answers the wrong question all the same.
                outside = out_of_scope(text, found, devices, areas)
                reason = f"would read {', '.join(outside)}" if outside else None
            else:
                step = {"arguments": arguments}
                reason = scope_refusal(step, text, found, devices, areas)
            if reason:
                return f"{call['tool']} {reason}"
    except ToolError:
        return None
    return None
    return None


def break_down(state: TurnState) -> dict:
    """Cut the request into tasks; the first has the intent already recognised
    (and, from the fast path, its calls)."""
    tasks = split_request(state["request"])
    tasks[0]["intent"] = state.get("intent") or None
    if state.get("fast"):
        tasks[0]["fast"] = state["fast"]
    log.debug("tasks: %s", [(t["id"], t["text"], t["depends_on"]) for t in tasks])
    return {"tasks": tasks}


def plan(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Plan every task that is ready; skip those whose condition does not hold."""
    if state.get("answer"):
        return {}
    ctx = runtime.context
    tasks = copy.deepcopy(state["tasks"])
    models, calls = list(state.get("models", [])), []
    waves = state.get("waves", 0) + 1
    if waves > ctx.tool_budget:
        for task in tasks:
            if task["status"] == TaskStatus.WAITING.value:
                task.update(
                    status=TaskStatus.FAILED.value,
                    note="this request needs more steps than one turn allows",
                )
        return {"tasks": tasks, "calls": [], "waves": waves}
    for task in tasks:
        if task["status"] != TaskStatus.WAITING or not ready(task, tasks):
            continue
        skip = skip_reason(task, tasks, state.get("results", []))
        if skip:
            task.update(status=TaskStatus.SKIPPED.value, note=skip)
            continue
        earlier = [
            r for r in state.get("results", []) if r["task"] in task["depends_on"]
        ]
        task.update(resolve_references(task, earlier))
        planned, records, error = plan_task(task, state, ctx)
        models += records
        if planned is None:
            task.update(status=TaskStatus.FAILED.value, note=error)
            continue
        task["status"] = TaskStatus.PLANNED.value
        calls += [{**call, "task": task["id"]} for call in planned]
    return {"tasks": tasks, "calls": calls, "models": models, "waves": waves}


def ready(task: dict[str, Any], tasks: list[dict[str, Any]]) -> bool:
    """True when every task it depends on has finished one way or another."""
    waiting = (TaskStatus.WAITING.value, TaskStatus.PLANNED.value)
    return all(tasks[d]["status"] not in waiting for d in task["depends_on"])


def skip_reason(
    task: dict[str, Any], tasks: list[dict[str, Any]], results: list[dict[str, Any]]
) -> str | None:
    """Why a ready task must not run: a dependency failed, or its condition."""
    for dep in task["depends_on"]:
        if tasks[dep]["status"] != TaskStatus.DONE.value:
            return f"it depends on “{tasks[dep]['text']}”, which did not complete"
    if not task["condition"]:
        return None
    earlier = [r for r in results if r.get("task") in task["depends_on"]]
    held = evaluate(task["condition"], earlier)
    if held is None:
        return (
            f"I could not tell from the results whether “{task['condition']}” "
            "holds, so I did not act on it"
        )
    if held == task["negate"]:
        verdict = "held" if held else "did not hold"
        return f"“{task['condition']}” {verdict}"
    return None


def plan_task(
    task: dict[str, Any], state: TurnState, ctx: AgentContext
) -> tuple[list[dict] | None, list[dict], str]:
    """The tool calls for one task: its intent (unless known), then its plan."""
    if task.get("fast"):
        return task["fast"], [], ""
    text = task_prompt(task, state.get("memory", []))
    messages = planner_messages(state.get("history", []), text, ctx.system_prompt)
    records: list[dict] = []
    count = len(state.get("tasks", [])) or 1
    private = planner_privacy(ctx, state["request"], state.get("history", []))
    if not task["intent"]:
        step = Step("intent", count, private=private)
        check = intent_validator(task["text"])
        out, records, error = ask_model(ctx, messages, intent_schema(), step, check)
        if error:
            return None, records, error
        task["intent"] = read_intent(out).value
    intent = Intent(task["intent"])
    step = Step("plan", count, private=private)
    validator = plan_validator(intent, lambda calls: scope_problem(calls, task, ctx))
    out, more, error = ask_model(ctx, messages, plan_schema(intent), step, validator)
    records += more
    calls = read_calls(out) if out is not None else None
    if calls is None:
        return None, records, error or f"I could not plan “{task['text']}”."
    log.debug("plan for task %s: %s", task["id"], calls)
    return calls, records, ""


def task_prompt(task: dict[str, Any], memory: list[dict[str, Any]]) -> str:
    """The task's text, with what fixed the same device before, if anything."""
    notes = [
        f"Earlier fix for {', '.join(m['devices'])}: "
        + " ".join("; ".join(m["resolutions"]).split())[:NOTE_CHARS]
        for m in memory
        if m.get("resolutions") and set(m["devices"]) & device_ids(task["text"])
    ]
    return "\n".join([task["text"], *notes[:1]])


NOTE_CHARS = 160  # an earlier request's words never reach the planner; a short
# resolution does
