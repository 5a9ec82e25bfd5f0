"""Assemble a working agent from settings: the site gateway (in process or by URL),
the manual index, the work-order store, the local model and the checkpointer.

    with open_agent(Settings()) as agent:
        answer = agent.ask("is the light in office 2B on?")
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
import uuid
from collections.abc import Iterator
from typing import Any

from langgraph.checkpoint.sqlite import SqliteSaver
from pydantic import BaseModel, Field

from agent import modelstore
from agent.config import Settings
from agent.graph import AgentContext, build_graph
from agent.models import ChatModel, LocalModel
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


def to_answer(state: dict[str, Any], thread: str, seconds: float) -> Answer:
    """Shape the graph's final state as an Answer."""
    actions = [
        Action(
            tool=r["tool"],
            arguments=r["arguments"],
            ok=r["ok"],
            result=r["data"] if r["ok"] else {"error": r["error"], "data": r["data"]},
        )
        for r in state.get("results", [])
    ]
    models = [m for m in state.get("models", []) if m.get("model")]
    return Answer(
        answer=state.get("answer", ""),
        actions=actions,
        citations=state.get("citations", []),
        model=models[0]["model"] if models else None,
        route=models,
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
        """Answer one request; the same `thread` continues a conversation."""
        thread = thread or uuid.uuid4().hex[:12]
        started = time.perf_counter()
        state = self.graph.invoke(
            {"request": request},
            config={"configurable": {"thread_id": thread}},
            context=self.context,
        )
        return to_answer(state, thread, time.perf_counter() - started)


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


def load_local_model(settings: Settings) -> ChatModel:
    """The local model, from a configured path or the packaged catalogue."""
    path = settings.local_model_path or modelstore.model_path(
        settings.models_dir, settings.local_model
    )
    return LocalModel(
        path, settings.local_model, n_threads=settings.n_threads, n_ctx=settings.n_ctx
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
        )
        conn = sqlite3.connect(settings.threads_db, check_same_thread=False)
        try:
            yield Agent(context, SqliteSaver(conn))
        finally:
            conn.close()
