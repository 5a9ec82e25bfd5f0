"""The typed state that flows through the planner graph, and the names of its nodes."""

from __future__ import annotations

import operator
from enum import StrEnum
from typing import Annotated, Any, TypedDict


class Node(StrEnum):
    """Names of the graph's nodes, in the order a turn visits them."""

    RECOGNIZE_INTENT = "recognize_intent"
    PLAN = "plan"
    GUARD = "guard"
    ACT = "act"
    RESPOND = "respond"


class Intent(StrEnum):
    """What a request asks for."""

    COMMAND = "command"
    DEVICE_QUESTION = "device_question"
    TELEMETRY_QUESTION = "telemetry_question"
    MANUAL_QUESTION = "manual_question"
    WORK_ORDERS = "work_orders"
    OTHER = "other"


QUESTIONS = {Intent.DEVICE_QUESTION, Intent.TELEMETRY_QUESTION, Intent.MANUAL_QUESTION}


class TurnState(TypedDict, total=False):
    """One conversation thread: the current turn plus the turns before it."""

    request: str
    history: Annotated[list[dict[str, str]], operator.add]
    intent: str
    calls: list[dict[str, Any]]
    steps: list[dict[str, Any]]
    refused: list[dict[str, Any]]
    results: list[dict[str, Any]]
    answer: str
    citations: list[dict[str, str]]
    models: list[dict[str, Any]]
