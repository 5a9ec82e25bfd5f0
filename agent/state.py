"""The typed state that flows through the planner graph, and the names of its nodes.

A turn's fields are reset by `perceive`; `history` accumulates over a thread's
turns. Shapes (all JSON-able, so a checkpointer can store a paused turn):

- task: `{id, text, depends_on, condition, negate, intent, status, note}`
- step: `{task, tool, arguments, risk, critical, retry_of}`
- result: a step plus `{ok, data, error, sources, approved_by}`
- check: `{device, key, expected, actual, ok, attempt}` (verify's read-backs)
"""

from __future__ import annotations

import operator
from enum import StrEnum
from typing import Annotated, Any, TypedDict


class Node(StrEnum):
    """Names of the graph's nodes, in the order a turn visits them."""

    PERCEIVE = "perceive"
    RECOGNIZE_INTENT = "recognize_intent"
    BREAK_DOWN = "break_down"
    PLAN = "plan"
    GUARD = "guard"
    ACT = "act"
    VERIFY = "verify"
    RESPOND = "respond"
    REMEMBER = "remember"


class Intent(StrEnum):
    """What a request asks for."""

    COMMAND = "command"
    DEVICE_QUESTION = "device_question"
    TELEMETRY_QUESTION = "telemetry_question"
    MANUAL_QUESTION = "manual_question"
    WORK_ORDERS = "work_orders"
    OTHER = "other"


QUESTIONS = {Intent.DEVICE_QUESTION, Intent.TELEMETRY_QUESTION, Intent.MANUAL_QUESTION}


class TaskStatus(StrEnum):
    """Where a task of the break-down stands."""

    WAITING = "waiting"
    PLANNED = "planned"
    DONE = "done"
    FAILED = "failed"
    SKIPPED = "skipped"


class TurnState(TypedDict, total=False):
    """One conversation thread: the current turn plus the turns before it."""

    request: str
    thread: str
    attachments: list[dict[str, Any]]
    memory: list[dict[str, Any]]
    history: Annotated[list[dict[str, str]], operator.add]
    intent: str
    fast: list[dict[str, Any]]
    tasks: list[dict[str, Any]]
    calls: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    refused: list[dict[str, Any]]
    results: list[dict[str, Any]]
    checks: list[dict[str, Any]]
    corrections: list[dict[str, Any]]
    unfinished: list[dict[str, Any]]
    seen: list[str]
    calls_made: int
    waves: int
    decisions: list[dict[str, Any]]
    answer: str
    citations: list[dict[str, Any]]
    models: list[dict[str, Any]]
