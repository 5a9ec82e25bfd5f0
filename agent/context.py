"""What the graph's nodes use besides the state, and the one way they call a model.

`AgentContext` reaches the nodes through LangGraph's runtime, so the graph holds no
resources and a thread can be checkpointed in one process and resumed in another.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field, replace

from agent.errors import ModelError
from agent.fastpath import FastPath
from agent.memory import EpisodeStore
from agent.models import ChatModel
from agent.policy import SiteLimits
from agent.router import Router, Step, Validator
from tools.registry import Toolbox

log = logging.getLogger(__name__)

HISTORY_TURNS = 2
PLAN_TOKENS = 320


@dataclass
class AgentContext:
    """The models, the tools, the site's prompt, and the limits of one turn.

    `model` is the local model; `router` decides per step between it and a cloud
    (a router over `model` alone when none is given); `fast_path` answers common
    device commands without a model.
    """

    model: ChatModel
    toolbox: Toolbox
    system_prompt: str
    tool_budget: int = 8
    tool_timeout_s: float = 20.0
    limits: SiteLimits = field(default_factory=SiteLimits)
    episodes: EpisodeStore | None = None
    router: Router | None = None
    fast_path: FastPath | None = None
    private_words: dict[str, str] = field(default_factory=dict)
    cloud_system_prompt: str | None = None

    def routed(self) -> Router:
        """The router of this site, or one over `model` alone."""
        return self.router or Router(local=self.model)


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
    ctx: AgentContext,
    messages: list[dict[str, str]],
    schema: dict,
    step: Step,
    validate: Validator | None = None,
) -> tuple[dict | None, list[dict], str | None]:
    """One constrained, routed model call: (parsed JSON, route records, error).

    The step is private when anything its messages carry (the task, earlier
    turns, memory notes, devices resolved from results) names a private room or
    device; the cloud gets the site prompt without the private ones."""
    step = replace(step, private=step.private or messages_privacy(ctx, messages))
    try:
        completion, decisions = ctx.routed().route(
            messages, schema, PLAN_TOKENS, step, validate, cloud_view(ctx, messages)
        )
        records = [d.record() for d in decisions]
        return completion.json(), records, None
    except ModelError as exc:
        log.error("%s failed: %s", step.purpose, exc)
        return None, [], f"I could not plan this request ({step.purpose}): {exc}"


def planner_privacy(
    ctx: AgentContext, request: str, history: list[dict[str, str]]
) -> str | None:
    """Why a planner step must stay on site: its request, or an earlier turn its
    prompt carries, names a device or room marked private."""
    earlier = [turn["request"] for turn in history[-HISTORY_TURNS:]]
    return private_reason(ctx, "\n".join([request, *earlier]))


def messages_privacy(ctx: AgentContext, messages: list[dict[str, str]]) -> str | None:
    """Why messages must stay on site: a turn other than the system prompt
    names a private room or device."""
    turns = [m["content"] for m in messages if m.get("role") != "system"]
    return private_reason(ctx, "\n".join(turns))


def cloud_view(
    ctx: AgentContext, messages: list[dict[str, str]]
) -> list[dict[str, str]] | None:
    """The messages as the cloud may see them: the site prompt without private
    rooms and devices. None when they need no change."""
    if not ctx.cloud_system_prompt:
        return None
    return [
        {**m, "content": ctx.cloud_system_prompt}
        if m.get("role") == "system" and m["content"] == ctx.system_prompt
        else m
        for m in messages
    ]


def spoken(text: str) -> str:
    """Text in one spelling for matching names: lower case, straight quotes,
    dashes and underscores as spaces, single spaces."""
    text = text.lower().replace("\u2019", "'").replace("\u2018", "'")
    text = re.sub(r"[-_\u2010-\u2015]+", " ", text)
    return " ".join(text.split())


def private_reason(ctx: AgentContext, text: str) -> str | None:
    """Why a request must stay on site: it names a device or room marked
    private (in any common spelling: "director’s office", "directors office",
    "server-room", "routers"). None when it names none."""
    said = spoken(text)
    for words, what in ctx.private_words.items():
        name = re.escape(spoken(words)).replace("'", "'?")
        if re.search(rf"(?<!\w){name}s?(?!\w)", said):
            return f"it names {what}, which the site marks private"
    return None
