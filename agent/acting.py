"""The nodes that touch the site: guard and act (verify is in agent/verify.py).

guard   keeps the steps policy allows, refuses the rest with a reason, and pauses
        the graph with `interrupt()` for critical ones until a person answers;
act     runs the steps (tasks in parallel, a task's own steps in order) within
        the turn's budget of tool calls, never repeating an identical call.

A paused guard runs again from its top when the thread resumes, so it only reads
before `interrupt()`; nothing is changed until act.
"""

from __future__ import annotations

import copy
import json
import logging
import re
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from langgraph.runtime import Runtime
from langgraph.types import interrupt

from agent.context import AgentContext
from agent.policy import (
    critical_reasons,
    ground_arguments,
    ground_to_site,
    refusal_reason,
    risk_of,
    scope_refusal,
    unknown_references,
)
from agent.state import TaskStatus, TurnState
from agent.verify import DEVICE_ACTIONS, changed_rows
from tools.devices import (
    SetPositionArgs,
    SetSetpointArgs,
    new_positions,
    new_setpoints,
    to_celsius,
)
from tools.errors import GatewayError, ToolError
from tools.registry import Risk

log = logging.getLogger(__name__)

MAX_PARALLEL = 4


def guard(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Check each planned call against policy; ask a person about critical ones."""
    ctx, toolbox = runtime.context, runtime.context.toolbox
    tasks = copy.deepcopy(state["tasks"])
    try:
        devices = toolbox.gateway.devices()
        areas = toolbox.gateway.site().get("areas", [])
    except ToolError as exc:
        failed = fail_planned(tasks, f"the site's gateway cannot be reached: {exc}")
        return {"tasks": failed, "calls": [], "steps": []}
    steps, refused = [], list(state.get("refused", []))
    projected: dict[str, float] = {}
    for call in state.get("calls", []):
        task = tasks[call["task"]]
        step = checked_step(call, task, ctx, devices, areas, projected)
        if step.get("reason"):
            refused.append(step)
        else:
            steps.append(step)
    group_check(steps, state.get("results", []), ctx.limits.group_limit)

    critical = [s for s in steps if s["critical"]]
    decisions = list(state.get("decisions", []))
    if critical:
        shown = confirmation(critical)
        answer = interrupt(shown)
        approved = is_approval(answer) and answered_as_shown(answer, shown)
        decisions.append({"steps": critical, "approved": approved})
        for step in critical:
            if approved:
                step["approved_by"] = "person"
            else:
                step["reason"] = declined_reason(answer, step)
                refused.append(step)
        steps = [s for s in steps if not s.get("reason")]
    for task in tasks:
        if task["status"] == TaskStatus.PLANNED.value and not any(
            s["task"] == task["id"] for s in steps
        ):
            task.update(status=TaskStatus.FAILED.value, note="nothing was allowed")
    return {
        "tasks": tasks,
        "calls": [],
        "steps": steps,
        "refused": refused,
        "decisions": decisions,
    }


def group_check(steps: list[dict], results: list[dict], limit: int) -> None:
    """Make every action critical when the turn's actions together change more
    devices than `limit`, however the calls split them."""
    actions = [s for s in steps if s["risk"] != Risk.READ.value]
    earlier = {
        row["device"]
        for r in results
        if r["tool"] in DEVICE_ACTIONS
        for row in changed_rows(r)
    }
    touched = earlier | {d for s in actions for d in s.get("devices", [])}
    if len(touched) <= limit or len(actions) + len(earlier) <= 1:
        return
    reason = f"this request changes {len(touched)} devices in all, more than {limit}"
    for step in actions:
        if not any("more than" in why for why in step["critical"]):
            step["critical"] = [*step["critical"], reason]


def fail_planned(tasks: list[dict], note: str) -> list[dict]:
    """Mark every planned task failed with `note`."""
    for task in tasks:
        if task["status"] == TaskStatus.PLANNED.value:
            task.update(status=TaskStatus.FAILED.value, note=note)
    return tasks


def checked_step(
    call: dict,
    task: dict,
    ctx: AgentContext,
    devices: list,
    areas: list,
    projected: dict[str, float],
) -> dict[str, Any]:
    """A step from a call, with `reason` when it is refused and `critical` when it
    needs a person. `projected` carries the values earlier steps of this wave set,
    so that two changes of one device are judged together."""
    tool, text = call["tool"], task["text"]
    arguments = ground_arguments(call["args"], text)
    arguments = ground_to_site(arguments, text, devices, areas)
    step = {
        "task": task["id"],
        "tool": tool,
        "arguments": arguments,
        "risk": risk_of(tool).value,
        "critical": [],
    }
    unknown = unknown_references(text, devices)
    reason = refusal_reason(task.get("intent") or "", tool)
    if unknown:
        reason = f"no device {', '.join(unknown)} exists on this site"
    if not reason and step["risk"] != Risk.READ.value and is_question(text):
        reason = "the request asks a question, and questions never change devices"
    if reason or step["risk"] == Risk.READ.value:
        return {**step, "reason": reason} if reason else step
    try:
        found = ctx.toolbox.targets(tool, arguments, strict=True)
        reason = scope_refusal(step, text, found, devices, areas)
        if not reason:
            step["devices"] = found
            step["critical"] = critical_for(step, ctx, devices, found, projected)
    except GatewayError as exc:
        reason = "the gateway failed while its devices and limits were checked: " + str(
            exc
        ).rstrip(".")
    return {**step, "reason": reason} if reason else step


def critical_for(
    step: dict,
    ctx: AgentContext,
    devices: list,
    found: list[str],
    projected: dict[str, float],
) -> list[str]:
    """The policy's reasons for a person to approve this action, judged on the
    values the devices would end up with. A gateway failure while they are
    computed raises GatewayError (the caller refuses the step)."""
    tool, arguments = step["tool"], step["arguments"]
    touched = [d for d in devices if d["id"] in set(found)]
    values: dict[str, float] = {}
    try:
        if tool == "set_setpoint":
            args = SetSetpointArgs.model_validate(arguments)
            plan, problems = new_setpoints(ctx.toolbox.gateway, args)
            change = to_celsius(args.value, args.unit, True) if args.relative else None
        elif tool == "set_position":
            args = SetPositionArgs.model_validate(arguments)
            plan, problems = new_positions(ctx.toolbox.gateway, args)
            change = args.percent if args.relative else None
        else:
            plan, problems, change = [], [], None
    except GatewayError:
        raise
    except (ToolError, ValueError):
        return []  # act reports the invalid call; nothing runs
    if problems:
        return []  # act refuses it with the device's limits; nothing to ask
    for device, value in plan:
        key = f"{tool}:{device['id']}"
        if change is not None and key in projected:
            value = round(projected[key] + change, 1)
        values[device["id"]] = projected[key] = value
    setpoints = values if tool == "set_setpoint" else {}
    positions = values if tool == "set_position" else {}
    return critical_reasons(tool, arguments, touched, setpoints, ctx.limits, positions)


def confirmation(critical: list[dict]) -> dict[str, Any]:
    """What the person is asked: the steps and why each needs approval."""
    lines = [
        f"{s['tool']}({json.dumps(s['arguments'])}): {'; '.join(s['critical'])}"
        for s in critical
    ]
    return {
        "kind": "confirm",
        "question": "Approve these actions? " + " | ".join(lines),
        "steps": [
            {k: s[k] for k in ("tool", "arguments", "critical")} for s in critical
        ],
    }


def is_approval(answer: Any) -> bool:
    """Only an explicit `{"approve": True}` (or True) from the resume approves."""
    if answer is True:
        return True
    return isinstance(answer, dict) and answer.get("approve") is True


def answered_as_shown(answer: Any, shown: dict[str, Any]) -> bool:
    """True unless the answer names the steps it approves and they are not the
    ones that would run now (the site changed while the person was asked)."""
    if not isinstance(answer, dict) or "steps" not in answer:
        return True
    return answer["steps"] == shown["steps"]


def declined_reason(answer: Any, step: dict) -> str:
    """Why a critical step did not run after the person's answer."""
    if is_approval(answer):
        return (
            "it changed after the person was asked ("
            + "; ".join(step["critical"])
            + "); ask again to approve it as it is now"
        )
    return "a person declined it (" + "; ".join(step["critical"]) + ")"


QUESTION = re.compile(
    r"^\s*(?:is|are|was|were|does|do|did|has|have|how\s+many|how\s+much|what|"
    r"which|when|where|why|who)\b",
    re.I,
)


POLITE = re.compile(
    r"^\s*(?:(?:hey|hi|ok|okay|so|well|um)\b[\s,!]*)?"
    r"(?:(?:(?:can|could|would|will)\s+(?:you|we)|please|kindly|"
    r"is\s+it\s+possible\s+to|when\s+you\s+get\s+a\s+chance)\b[\s,]*)+",
    re.I,
)
ACTION = re.compile(
    r"^\s*(?:please\s+)?(?:turn|switch|set|lower|raise|increase|decrease|reduce|"
    r"dim|brighten|open|close|shut|stop|start|restart|reset|change|adjust|put|"
    r"make|bump|drop|run|enable|disable|power)\b",
    re.I,
)
ASKING = re.compile(
    r"^\s*(?:check|tell|show|see|find|let\s+me\s+know|look|confirm|say)\b", re.I
)


def is_question(text: str) -> bool:
    """True for a task worded as a question or a request to look ("is the 3A
    light on?", "could you check whether the lobby lights are on?", "check
    P-2's vibration"), not for a command, however polite ("could you turn off
    the lights?", "turn off the lobby lights please?")."""
    polite = POLITE.match(text)
    rest = text[polite.end() :] if polite else text
    if ACTION.match(rest):
        return False
    if ASKING.match(rest) or QUESTION.match(rest):
        return True
    return not polite and rest.rstrip().endswith("?")


def signature(step: dict) -> str:
    """Identical calls share a signature."""
    return json.dumps([step["tool"], step["arguments"]], sort_keys=True, default=str)


def act(state: TurnState, runtime: Runtime[AgentContext]) -> dict:
    """Run the allowed steps within the budget; tasks run side by side."""
    ctx = runtime.context
    work = state.get("corrections") or state.get("steps", [])
    made, seen = state.get("calls_made", 0), list(state.get("seen", []))
    earlier = {signature(r): r for r in state.get("results", []) if r.get("ok")}
    todo, done, unfinished = [], [], list(state.get("unfinished", []))
    for step in work:
        sig = signature(step)
        if sig in seen and not step.get("retry_of"):
            done.append(repeated(step, earlier.get(sig)))
        elif made >= ctx.tool_budget:
            unfinished.append(step)
        else:
            made, seen = made + 1, [*seen, sig]
            todo.append(step)
    done += run_steps(todo, ctx)
    results = [*state.get("results", []), *done]
    tasks = settle(copy.deepcopy(state["tasks"]), results, unfinished)
    return {
        "results": results,
        "seen": seen,
        "calls_made": made,
        "unfinished": unfinished,
        "steps": [],
        "corrections": [],
        "tasks": tasks,
    }


def repeated(step: dict, earlier: dict | None) -> dict[str, Any]:
    """An identical call is not made again: a read reuses its earlier result."""
    if earlier is not None and step["risk"] == Risk.READ.value:
        return {**earlier, "task": step["task"], "reused": True}
    return {
        **step,
        "ok": False,
        "data": None,
        "error": "Not run again: the same call was already made in this turn.",
        "sources": [],
        "repeated": True,
    }


def run_steps(steps: list[dict], ctx: AgentContext) -> list[dict[str, Any]]:
    """Run each task's steps in order, different tasks in parallel."""
    groups: dict[Any, list[dict]] = {}
    for step in steps:
        groups.setdefault(step["task"], []).append(step)
    if len(groups) <= 1 or shares_devices(groups.values()):
        return [run_one(s, ctx) for s in steps]  # in order: they touch one device
    with ThreadPoolExecutor(min(MAX_PARALLEL, len(groups))) as pool:
        outcomes = pool.map(
            lambda group: [run_one(s, ctx) for s in group], groups.values()
        )
        return [result for group in outcomes for result in group]


def shares_devices(groups: Iterable[list[dict]]) -> bool:
    """True when two tasks' steps would change the same device."""
    seen: set[str] = set()
    for group in groups:
        mine = {d for step in group for d in step.get("devices", [])}
        if mine & seen:
            return True
        seen |= mine
    return False


def run_one(step: dict, ctx: AgentContext) -> dict[str, Any]:
    """Call one tool under its timeout; a failure becomes a result."""
    result = ctx.toolbox.call(step["tool"], step["arguments"], ctx.tool_timeout_s)
    log.debug("%s -> ok=%s", step["tool"], result.ok)
    return {
        **step,
        "ok": result.ok,
        "data": result.data,
        "error": result.error,
        "sources": [s.model_dump(exclude_none=True) for s in result.sources],
    }


def settle(
    tasks: list[dict], results: list[dict], unfinished: list[dict]
) -> list[dict]:
    """Mark planned tasks done or failed from their results."""
    stopped = {s["task"] for s in unfinished}
    for task in tasks:
        if task["status"] != TaskStatus.PLANNED.value:
            continue
        own = [r for r in results if r.get("task") == task["id"]]
        if task["id"] in stopped:
            task.update(status=TaskStatus.FAILED.value, note="the tool budget ran out")
        elif own and all(r["ok"] for r in own):
            task["status"] = TaskStatus.DONE.value
        else:
            task.update(status=TaskStatus.FAILED.value, note="a step failed")
    return tasks
