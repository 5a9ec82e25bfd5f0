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
from agent.fastpath import FastPath
from agent.graph import RECURSION_LIMIT, build_graph
from agent.memory import AnswerLog, EpisodeStore, open_checkpointer
from agent.models import ChatModel, CloudModel, LocalModel
from agent.policy import SiteLimits
from agent.prompts import system_prompt
from agent.router import Mode, RoutePolicy, Router
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
    citations: list[dict[str, Any]] = Field(default_factory=list)
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
    route = state.get("models", [])
    served = [m["model"] for m in route if m.get("model") and m.get("served")]
    return Answer(
        answer=answer,
        actions=actions,
        citations=[] if pending else state.get("citations", []),
        model=served[0] if served else None,
        route=route,
        pending=pending,
        thread=thread,
        intent=state.get("intent"),
        seconds=round(seconds, 3),
    )


class Agent:
    """The copilot: one `ask` per request, conversations kept per thread."""

    def __init__(
        self,
        context: AgentContext,
        checkpointer: Any,
        answers: AnswerLog | None = None,
    ) -> None:
        self.context = context
        self.graph = build_graph(checkpointer)
        self.answers = answers if answers is not None else AnswerLog.of(checkpointer)

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
        """Give a person's answer to the confirmation a thread waits for.

        The answer names the steps the person was shown, so nothing else runs
        on it; the first answer to a pause wins, even across workers.
        """
        snapshot = self.graph.get_state(self._config(thread))
        pending = waiting_question(snapshot)
        if not pending:
            raise ConfigError(f"Thread {thread} is not waiting for an approval.")
        checkpoint = snapshot.config["configurable"].get("checkpoint_id", "")
        if self.answers and not self.answers.claim(thread, checkpoint, approve):
            raise ConfigError(
                f"Thread {thread}'s question was already answered (in another "
                "window or worker); nothing was done twice."
            )
        decision = {"approve": approve, "by": "person", "steps": pending["steps"]}
        return self._run(Command(resume=decision), thread)

    def pending(self, thread: str) -> dict[str, Any] | None:
        """The confirmation a thread waits for, or None."""
        return waiting_question(self.graph.get_state(self._config(thread)))

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
            state = dict(self.graph.get_state(self._config(thread)).values)
            done = [r["tool"] for r in state.get("results", []) if r.get("ok")]
            state["answer"] = (
                "I stopped: this request needed more steps than a turn allows. "
                f"Done before stopping: {', '.join(done) or 'nothing'}; see actions. "
                "Ask again in smaller parts."
            )
        pending = self.pending(thread)
        return to_answer(state, thread, time.perf_counter() - started, pending)


def waiting_question(snapshot: Any) -> dict[str, Any] | None:
    """The confirmation a thread's latest checkpoint waits for, or None."""
    for task in snapshot.tasks:
        for item in task.interrupts:
            return item.value
    return None


def pending_question(settings: Settings, thread: str) -> dict[str, Any] | None:
    """The confirmation `thread` waits for, read from the checkpointer alone
    (no model, no site): `fieldpilot resume` checks this before loading them."""
    with open_checkpointer(settings) as checkpointer:
        graph = build_graph(checkpointer)
        return waiting_question(
            graph.get_state({"configurable": {"thread_id": thread}})
        )


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


def open_cloud(settings: Settings) -> CloudModel | None:
    """The cloud model the settings name, or None for a site without one."""
    if not settings.cloud_url or settings.route == "local":
        return None
    if not settings.cloud_model:
        raise ConfigError(
            "FIELDPILOT_CLOUD_URL is set but FIELDPILOT_CLOUD_MODEL is not: name the "
            "model to ask for, or unset the URL."
        )
    key = settings.cloud_api_key.get_secret_value() if settings.cloud_api_key else None
    return CloudModel(
        settings.cloud_url,
        settings.cloud_model,
        api_key=key,
        timeout_s=settings.cloud_timeout_s,
        schema_style=settings.cloud_schema_style,
    )


def route_policy(settings: Settings) -> RoutePolicy:
    """The router's rules, from the settings."""
    return RoutePolicy(
        mode=Mode(settings.route),
        allow_private=settings.cloud_private,
        min_confidence=settings.route_min_confidence,
        escalate_tasks=settings.route_escalate_tasks,
        long_form_to_cloud=settings.route_long_answers == "cloud",
        latency_budget_s=settings.route_latency_budget_s,
        budget_usd=settings.cloud_budget_usd,
        usd_per_mtok_in=settings.cloud_usd_per_mtok_in,
        usd_per_mtok_out=settings.cloud_usd_per_mtok_out,
    )


def private_words(
    site: dict[str, Any], devices: list[dict[str, Any]]
) -> dict[str, str]:
    """Every word people use for a private room or device → what it is."""
    words: dict[str, str] = {}
    for item in [*site.get("areas", []), *devices]:
        if item.get("private"):
            what = f"{item['name']} ({item['id']})"
            for word in (item["id"], item["name"], *item.get("aliases", [])):
                words[word.lower()] = what
    return words


def without_private(
    site: dict[str, Any], devices: list[dict]
) -> tuple[dict[str, Any], list[dict]]:
    """The site and devices with the private rooms and devices left out."""
    hidden = {a["id"] for a in site.get("areas", []) if a.get("private")}
    areas = [a for a in site.get("areas", []) if a["id"] not in hidden]
    public = [d for d in devices if not d.get("private") and d["area"] not in hidden]
    return {**site, "areas": areas}, public


def open_manuals(settings: Settings) -> Any:
    """The manual index, or None when nothing was ingested yet."""
    from agent.setup import manual_index

    if not settings.manuals_index_dir.exists():
        return None
    return manual_index(settings)


@contextlib.contextmanager
def open_agent(
    settings: Settings,
    model: ChatModel | None = None,
    manuals: Any = None,
    cloud: ChatModel | None = None,
) -> Iterator[Agent]:
    """A ready agent over the configured site; closes everything on exit.

    `model`, `manuals` and `cloud` may be passed in to share them between agents.
    """
    with open_gateway(settings) as gateway, contextlib.ExitStack() as stack:
        toolbox = Toolbox(
            gateway,
            manuals=manuals or open_manuals(settings),
            work_orders=WorkOrderStore(settings.workorders_db),
        )
        site, devices = gateway.site(), gateway.devices()
        prompt = system_prompt(site, devices)
        local = model or load_local_model(settings)
        if cloud is None and (cloud := open_cloud(settings)) is not None:
            stack.callback(cloud.close)
        router = Router(local=local, cloud=cloud, policy=route_policy(settings))
        cloud_prompt = None
        if cloud is not None:
            public_site, public_devices = without_private(site, devices)
            cloud_prompt = system_prompt(public_site, public_devices)
        context = AgentContext(
            model=local,
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
            router=router,
            fast_path=FastPath.for_site(site, devices) if settings.fast_path else None,
            private_words=private_words(site, devices),
            cloud_system_prompt=cloud_prompt,
        )
        with open_checkpointer(settings) as checkpointer:
            yield Agent(context, checkpointer)
