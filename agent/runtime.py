"""Assemble a working agent from settings: the site gateway (in process or by URL),
the manual index, the work-order store, the local model and the checkpointer.

    with open_agent(Settings()) as agent:
        answer = agent.ask("is the light in office 2B on?")
"""

from __future__ import annotations

import contextlib
import logging
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langgraph.errors import GraphRecursionError
from langgraph.types import Command
from pydantic import BaseModel, Field

from agent import modelstore
from agent.config import Settings
from agent.context import AgentContext
from agent.errors import ConfigError
from agent.graph import RECURSION_LIMIT, build_graph
from agent.memory import EpisodeStore, open_checkpointer
from agent.models import ChatModel, LocalModel
from agent.policy import SiteLimits
from agent.prompts import system_prompt
from tools.gateway import GatewayClient
from tools.registry import Toolbox
from tools.workorders import WorkOrderStore

log = logging.getLogger(__name__)


class Action(BaseModel):
    """One tool call the agent made, as reported to people and scripts."""

    tool: str
    arguments: dict[str, Any]
    ok: bool
    result: Any


class Answer(BaseModel):
    """What `fieldpilot ask --json` prints."""

    answer: str
    actions: list[Action] = Field(default_factory=list)
    citations: list[dict[str, str]] = Field(default_factory=list)
    model: str | None = None
    route: list[dict[str, Any]] = Field(default_factory=list)
    pending: dict[str, Any] | None = None
    thread: str
    intent: str | None = None
    seconds: float = 0.0


def to_answer(
    state: dict[str, Any],
    thread: str,
    seconds: float,
    pending: dict[str, Any] | None = None,
) -> Answer:
    """Shape the graph's state (final, or paused for a person) as an Answer."""
    actions = [
        Action(
            tool=r["tool"],
            arguments=r["arguments"],
            ok=r["ok"],
            result=r["data"] if r["ok"] else {"error": r["error"], "data": r["data"]},
        )
        for r in state.get("results", [])
        if not r.get("reused")
    ]
    answer = state.get("answer", "")
    if pending:
        answer = (
            f"Waiting for a person's approval: {pending['question']} Answer with "
            f"`fieldpilot resume {thread} --approve` or `--reject`."
        )
    models = [m for m in state.get("models", []) if m.get("model")]
    return Answer(
        answer=answer,
        actions=actions,
        citations=[] if pending else state.get("citations", []),
        model=models[0]["model"] if models else None,
        route=models,
        pending=pending,
        thread=thread,
        intent=state.get("intent"),
        seconds=round(seconds, 3),
    )


class Agent:
    """The copilot: one `ask` per request, conversations kept per thread."""

    def __init__(self, context: AgentContext, checkpointer: Any) -> None:
        self.context = context
        self.graph = build_graph(checkpointer)

    def warm_up(self) -> float:
        """Read the planner's system prompt once so the first request is fast."""
        started = time.perf_counter()
        messages = [{"role": "system", "content": self.context.system_prompt}]
        self.context.model.complete(
            messages + [{"role": "user", "content": "hi"}], None, 1
        )
        return time.perf_counter() - started

    def ask(self, request: str, thread: str | None = None) -> Answer:
        """Answer one request; the same `thread` continues a conversation.

        When a critical action needs a person, the answer's `pending` holds the
        question and the thread waits for `resume`.
        """
        thread = thread or uuid.uuid4().hex[:12]
        if self.pending(thread):
            raise ConfigError(
                f"Thread {thread} waits for a person's approval; answer it with "
                f"`fieldpilot resume {thread} --approve` or `--reject` first."
            )
        return self._run({"request": request, "thread": thread}, thread)

    def resume(self, thread: str, approve: bool) -> Answer:
        """Give a person's answer to the confirmation a thread waits for."""
        if not self.pending(thread):
            raise ConfigError(f"Thread {thread} is not waiting for an approval.")
        decision = {"approve": approve, "by": "person"}
        return self._run(Command(resume=decision), thread)

    def pending(self, thread: str) -> dict[str, Any] | None:
        """The confirmation a thread waits for, or None."""
        snapshot = self.graph.get_state(self._config(thread))
        for task in snapshot.tasks:
            for item in task.interrupts:
                return item.value
        return None

    def _config(self, thread: str) -> dict[str, Any]:
        return {
            "configurable": {"thread_id": thread},
            "recursion_limit": RECURSION_LIMIT,
        }

    def _run(self, graph_input: Any, thread: str) -> Answer:
        started = time.perf_counter()
        try:
            state = self.graph.invoke(
                graph_input, config=self._config(thread), context=self.context
            )
        except GraphRecursionError:
            log.error("thread %s hit the recursion limit", thread)
            state = {
                "answer": "I stopped: this request needed more steps than a turn "
                "allows. Nothing more was changed; ask again in smaller parts."
            }
        pending = self.pending(thread)
        return to_answer(state, thread, time.perf_counter() - started, pending)


@contextlib.contextmanager
def open_gateway(settings: Settings) -> Iterator[GatewayClient]:
    """A client of the site's gateway; with no URL, the demo site runs in process."""
    if settings.gateway_url:
        with GatewayClient(settings.gateway_url) as client:
            yield client
        return

    from simulator.model import DEMO_SITE_DIR
    from simulator.server import InProcessGateway

    settings.home.mkdir(parents=True, exist_ok=True)
    site_dir = settings.site_dir or DEMO_SITE_DIR
    with InProcessGateway(site_dir, settings.site_db) as server:
        with GatewayClient(server.url) as client:
            yield client


def local_model_file(settings: Settings) -> Path:
    """The local model's GGUF file: the configured path or the packaged one."""
    return settings.local_model_path or modelstore.model_path(
        settings.models_dir, settings.local_model
    )


def load_local_model(settings: Settings) -> ChatModel:
    """The local model, from a configured path or the packaged catalogue."""
    return LocalModel(
        local_model_file(settings),
        settings.local_model,
        n_threads=settings.n_threads,
        n_ctx=settings.n_ctx,
    )


def open_manuals(settings: Settings) -> Any:
    """The manual index, or None when nothing was ingested yet."""
    from knowledge.index import ManualIndex

    if not settings.manuals_index_dir.exists():
        return None
    return ManualIndex(settings.manuals_index_dir)


@contextlib.contextmanager
def open_agent(
    settings: Settings, model: ChatModel | None = None, manuals: Any = None
) -> Iterator[Agent]:
    """A ready agent over the configured site; closes everything on exit.

    `model` and `manuals` may be passed in to share them between agents.
    """
    with open_gateway(settings) as gateway:
        toolbox = Toolbox(
            gateway,
            manuals=manuals or open_manuals(settings),
            work_orders=WorkOrderStore(settings.workorders_db),
        )
        prompt = system_prompt(gateway.site(), gateway.devices())
        context = AgentContext(
            model=model or load_local_model(settings),
            toolbox=toolbox,
            system_prompt=prompt,
            tool_budget=settings.tool_budget,
            tool_timeout_s=settings.tool_timeout_s,
            limits=SiteLimits(
                settings.comfort_min_c,
                settings.comfort_max_c,
                settings.confirm_group_above,
            ),
            episodes=EpisodeStore(settings.memory_db),
        )
        with open_checkpointer(settings) as checkpointer:
            yield Agent(context, checkpointer)
