"""What the graph's nodes use besides the state, and the one way they call a model.

`AgentContext` reaches the nodes through LangGraph's runtime, so the graph holds no
resources and a thread can be checkpointed in one process and resumed in another.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from agent.errors import ModelError
from agent.memory import EpisodeStore
from agent.models import ChatModel
from agent.policy import SiteLimits
from tools.registry import Toolbox

log = logging.getLogger(__name__)

HISTORY_TURNS = 2
PLAN_TOKENS = 320


@dataclass
class AgentContext:
    """The model, the tools, the site's prompt, and the limits of one turn."""

    model: ChatModel
    toolbox: Toolbox
    system_prompt: str
    tool_budget: int = 8
    tool_timeout_s: float = 20.0
    limits: SiteLimits = field(default_factory=SiteLimits)
    episodes: EpisodeStore | None = None


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


def planner_messages(
    history: list[dict[str, str]], request: str, system: str
) -> list[dict[str, str]]:
    """System prompt, the last turns as request/plan pairs, then this request."""
    messages = [{"role": "system", "content": system}]
    for turn in history[-HISTORY_TURNS:]:
        messages.append({"role": "user", "content": turn["request"]})
        messages.append({"role": "assistant", "content": turn["plan"]})
    messages.append({"role": "user", "content": request})
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
