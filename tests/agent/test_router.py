"""Tests for agent/router.py: each routing signal, escalation, fallback, the
circuit breaker and the budgets, with scripted models (no model is loaded)."""

from __future__ import annotations

import pytest

from agent.errors import EndpointError, ModelError
from agent.models import Completion
from agent.router import CircuitBreaker, Mode, RoutePolicy, Router, Step
from tests.conftest import ScriptedModel

MESSAGES = [{"role": "user", "content": "turn off the kitchen lights"}]
INTENT = {"intent": "command"}


def answer(text: str, tier: str = "local", confidence: float | None = None, **kw):
    return Completion(text, kw.get("model", tier), 100, 20, 0.5, tier, confidence)


def route(router: Router, step: Step, validate=None):
    return router.route(MESSAGES, {"type": "object"}, 64, step, validate)


def test_a_simple_step_stays_local() -> None:
    cloud = ScriptedModel(name="cloud")
    router = Router(local=ScriptedModel(INTENT), cloud=cloud)
    completion, decisions = route(router, Step("intent"))
    assert completion.json() == INTENT
    assert [(d.tier, d.reason) for d in decisions] == [("local", "simple step")]
    assert cloud.calls == []


def test_a_long_answer_goes_to_the_cloud() -> None:
    router = Router(
        local=ScriptedModel(), cloud=ScriptedModel("Do this.", name="cloud")
    )
    completion, decisions = route(router, Step("answer", long_form=True))
    assert completion.text == "Do this."
    assert decisions[0].tier == "cloud" and decisions[0].reason == "long-form answer"


def test_a_long_answer_stays_local_without_a_cloud() -> None:
    router = Router(local=ScriptedModel("Do this."))
    _, decisions = route(router, Step("answer", long_form=True))
    assert (decisions[0].tier, decisions[0].reason) == ("local", "no cloud configured")


def test_a_site_that_never_uses_the_cloud_keeps_every_step_local() -> None:
    cloud = ScriptedModel(name="cloud")
    router = Router(
        local=ScriptedModel("a", "b"),
        cloud=cloud,
        policy=RoutePolicy(mode=Mode.LOCAL),
    )
    route(router, Step("answer", long_form=True))
    route(router, Step("plan", tasks=5))
    assert cloud.calls == []


def test_a_private_step_stays_local_unless_the_site_allows_it() -> None:
    step = Step("answer", long_form=True, private="it names server room (SERVER)")
    router = Router(local=ScriptedModel("local"), cloud=ScriptedModel("cloud"))
    _, decisions = route(router, step)
    assert decisions[0].tier == "local" and "private" in decisions[0].reason

    allowed = Router(
        local=ScriptedModel(),
        cloud=ScriptedModel("cloud", name="cloud"),
        policy=RoutePolicy(allow_private=True),
    )
    assert route(allowed, step)[1][0].tier == "cloud"


def test_many_tasks_plan_in_the_cloud() -> None:
    router = Router(local=ScriptedModel(), cloud=ScriptedModel(INTENT, name="cloud"))
    _, decisions = route(router, Step("plan", tasks=3))
    assert decisions[0].tier == "cloud" and "3 tasks" in decisions[0].reason


def test_an_unsure_local_choice_is_escalated() -> None:
    local = ScriptedModel(answer('{"intent": "other"}', confidence=0.31))
    router = Router(local=local, cloud=ScriptedModel(INTENT, name="cloud"))
    completion, decisions = route(router, Step("intent"))
    assert completion.json() == INTENT
    assert [d.tier for d in decisions] == ["local", "cloud"]
    assert "confidence 0.31" in decisions[1].reason


def test_a_sure_local_choice_is_kept() -> None:
    local = ScriptedModel(answer('{"intent": "command"}', confidence=0.93))
    router = Router(local=local, cloud=ScriptedModel(name="cloud"))
    _, decisions = route(router, Step("intent"))
    assert [d.tier for d in decisions] == ["local"]
    assert decisions[0].confidence == 0.93


def test_a_local_answer_that_fails_validation_is_escalated() -> None:
    router = Router(
        local=ScriptedModel({"calls": []}), cloud=ScriptedModel(INTENT, name="cloud")
    )

    def needs_intent(completion: Completion) -> str | None:
        return None if "intent" in completion.json() else "no intent"

    completion, decisions = route(router, Step("intent"), needs_intent)
    assert completion.json() == INTENT
    assert "invalid: no intent" in decisions[1].reason


def test_a_failing_cloud_falls_back_to_local() -> None:
    cloud = ScriptedModel(EndpointError("cloud at x cannot be reached"), name="cloud")
    router = Router(local=ScriptedModel("local words"), cloud=cloud)
    completion, decisions = route(router, Step("answer", long_form=True))
    assert completion.text == "local words"
    assert [(d.tier, d.ok) for d in decisions] == [("cloud", False), ("local", True)]
    assert "cannot be reached" in decisions[0].error
    assert decisions[1].reason.startswith("fell back")


def test_the_breaker_keeps_a_failing_cloud_out_then_lets_one_try_through() -> None:
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown_s=30, clock=lambda: now[0])
    down = EndpointError("timed out")
    cloud = ScriptedModel(down, down, "back", name="cloud")
    router = Router(local=ScriptedModel("l1", "l2", "l3"), cloud=cloud, breaker=breaker)
    long = Step("answer", long_form=True)

    route(router, long)
    route(router, long)
    _, decisions = route(router, long)
    assert decisions[0].tier == "local" and "circuit open" in decisions[0].reason
    assert len(cloud.answers) == 1  # the third request never reached the cloud

    now[0] = 31.0
    completion, decisions = route(router, long)
    assert completion.text == "back" and decisions[0].tier == "cloud"
    assert breaker.failures == 0


def test_a_spent_budget_keeps_steps_local() -> None:
    cloud = ScriptedModel(answer("pricey", "cloud"), name="cloud")
    policy = RoutePolicy(budget_usd=0.00001, usd_per_mtok_in=1000)
    router = Router(local=ScriptedModel("cheap"), cloud=cloud, policy=policy)
    long = Step("answer", long_form=True)
    assert route(router, long)[1][0].tier == "cloud"
    _, decisions = route(router, long)
    assert decisions[0].tier == "local" and "budget" in decisions[0].reason
    assert router.usage.usd == pytest.approx(0.1 + 20 * 0.6e-6)


def test_a_slow_cloud_gets_no_hard_steps() -> None:
    slow = Completion("slow", "cloud", 10, 10, 45.0, "cloud")
    cloud = ScriptedModel(slow, name="cloud")
    router = Router(local=ScriptedModel("fast"), cloud=cloud)
    long = Step("answer", long_form=True)
    route(router, long)
    _, decisions = route(router, long)
    assert decisions[0].tier == "local" and "latency" in decisions[0].reason


def test_cloud_mode_tries_the_cloud_first_even_for_simple_steps() -> None:
    router = Router(
        local=ScriptedModel(),
        cloud=ScriptedModel(INTENT, name="cloud"),
        policy=RoutePolicy(mode=Mode.CLOUD),
    )
    assert route(router, Step("intent"))[1][0].tier == "cloud"


def test_when_no_tier_can_answer_the_error_says_why() -> None:
    router = Router(
        local=ScriptedModel(ModelError("local broke")),
        cloud=ScriptedModel(EndpointError("cloud down"), name="cloud"),
    )
    with pytest.raises(ModelError, match="cloud down"):
        route(router, Step("intent"))


def test_a_router_needs_a_model() -> None:
    with pytest.raises(ModelError, match="needs a local model"):
        Router()


def test_a_private_turn_never_reaches_the_cloud_through_later_history(
    toolbox: object,
) -> None:
    from langgraph.checkpoint.memory import InMemorySaver

    from agent.context import AgentContext
    from agent.runtime import Agent
    from tests.agent.test_graph import target

    def plan(intent: str, tool: str, args: dict) -> list[dict]:
        return [
            {"intent": intent},
            {"intent": intent, "calls": [{"tool": tool, "args": args}]},
        ]

    read = {"target": target(device="HVAC-301")}
    vibration = {"target": target(device="P-2"), "metric": "vibration", "hours": 24}
    order = {"device": "P-2", "title": "vibration", "priority": "high"}
    local = ScriptedModel(
        *plan("device_question", "read_state", read),
        *plan("telemetry_question", "query_telemetry", vibration),
        *plan("command", "open_work_order", order),
        *plan(
            "manual_question", "search_manuals", {"query": "bearing", "device": "P-2"}
        ),
    )
    cloud = ScriptedModel(*[INTENT] * 6, name="cloud")
    context = AgentContext(
        model=local,
        toolbox=toolbox,
        system_prompt="plan",
        router=Router(local=local, cloud=cloud),
        private_words={"director's office": "office 301 (OF-301)"},
    )
    agent = Agent(context, InMemorySaver())
    agent.ask("what is the setpoint in the director's office?", thread="t")
    later = agent.ask(
        "check pump P-2's vibration; if it is anomalous open a work order and find "
        "the bearing procedure",
        thread="t",
    )
    assert not any("director" in str(call) for call in cloud.calls)
    plans = [r for r in later.route if r["purpose"] == "plan"]
    assert plans and all("private" in r["reason"] for r in plans)


def test_an_unsure_local_fallback_is_served_when_the_cloud_is_down() -> None:
    unsure = answer('{"intent": "command"}', confidence=0.3)
    router = Router(
        local=ScriptedModel(unsure),
        cloud=ScriptedModel(EndpointError("cloud down"), name="cloud"),
    )
    completion, decisions = route(router, Step("plan", tasks=4))
    assert completion.json() == INTENT
    assert [(d.tier, d.served) for d in decisions] == [
        ("cloud", False),
        ("local", True),
    ]


def test_with_no_better_tier_an_invalid_answer_goes_on_to_the_guard() -> None:
    router = Router(
        local=ScriptedModel({"calls": []}),
        cloud=ScriptedModel(EndpointError("cloud down"), name="cloud"),
    )
    completion, decisions = route(router, Step("intent"), lambda c: "no intent")
    assert completion.json() == {"calls": []}
    assert [(d.tier, d.served) for d in decisions] == [
        ("local", True),
        ("cloud", False),
    ]


def test_private_names_are_found_in_any_common_spelling() -> None:
    from agent.context import AgentContext, private_reason

    context = AgentContext(
        model=ScriptedModel(),
        toolbox=None,
        system_prompt="plan",
        private_words={"director's office": "office 301", "server room": "SERVER"},
    )
    for text in (
        "what is the temperature in the director\u2019s office",
        "the directors office lights",
        "the server-room temperature",
        "both server rooms",
    ):
        assert private_reason(context, text), text
    assert private_reason(context, "the kitchen lights") is None


def test_the_cloud_gets_the_site_prompt_without_private_rooms() -> None:
    from agent.context import AgentContext, ask_model

    cloud = ScriptedModel(INTENT, name="cloud")
    context = AgentContext(
        model=ScriptedModel(),
        toolbox=None,
        system_prompt="rooms: kitchen, server room",
        router=Router(local=ScriptedModel(), cloud=cloud),
        cloud_system_prompt="rooms: kitchen",
    )
    messages = [
        {"role": "system", "content": "rooms: kitchen, server room"},
        {"role": "user", "content": "lights off in the kitchen"},
    ]
    out, _, error = ask_model(context, messages, {}, Step("plan", tasks=3))
    assert error is None and out == INTENT
    assert cloud.calls[0][0]["content"] == "rooms: kitchen"
