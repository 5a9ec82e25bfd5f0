"""The router with real models: llama-cpp-python's OpenAI-compatible server on
loopback is the cloud tier (serving the 1.5B model) and the 0.5B runs in process
as the local tier. Covers routing by each signal, a cloud killed in the middle of
a conversation, a cloud too slow to answer, and the schema on the real server."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from agent.config import Settings
from agent.errors import EndpointError
from agent.models import CloudModel
from agent.prompts import intent_schema
from agent.runtime import open_agent
from evals.llama_server import LlamaServer
from tests.conftest import MODEL_PATH

pytestmark = pytest.mark.slow

CONDITIONAL = (
    "check pump P-2's vibration; if it is anomalous open a work order and find the "
    "bearing procedure"
)
HOW_TO = "how do I recalibrate the compass on drone D-4?"
FELL_BACK = [("cloud", False), ("local", True)]


@pytest.fixture
def cloud_server(llama_server: LlamaServer) -> LlamaServer:
    """The cloud tier: the 1.5B model behind llama-cpp-python's server."""
    return llama_server


def settings_for(home: Path, **options: object) -> Settings:
    """Settings for one test; the latency budget is out of the way (a first
    cloud call reads the site prompt cold on two cores) unless a test sets it."""
    options = {"route_latency_budget_s": 600.0, **options}
    return Settings(home=home, n_threads=2, **options)


@pytest.fixture
def routed(
    cloud_server: LlamaServer,
    small_model: object,
    manual_index: object,
    tmp_path: Path,
) -> Iterator[object]:
    """An agent whose local tier is the 0.5B and whose cloud is the server."""
    cloud = CloudModel(cloud_server.url, cloud_server.model, timeout_s=300)
    with open_agent(
        settings_for(tmp_path), model=small_model, manuals=manual_index, cloud=cloud
    ) as agent:
        yield agent
    cloud.close()


def tiers(answer: object) -> list[tuple[str, str, str]]:
    return [(r["purpose"], r.get("tier"), r["reason"]) for r in answer.route]


def test_the_real_server_answers_a_schema(cloud_server: LlamaServer) -> None:
    cloud = CloudModel(cloud_server.url, cloud_server.model, timeout_s=300)
    try:
        messages = [{"role": "user", "content": "Classify: turn off pump P-1"}]
        completion = cloud.complete(messages, intent_schema(), 24)
    finally:
        cloud.close()
    allowed = intent_schema()["properties"]["intent"]["enum"]
    assert completion.json()["intent"] in allowed
    assert completion.tier == "cloud" and completion.completion_tokens > 0


def test_a_common_command_takes_the_fast_path(routed: object) -> None:
    answer = routed.ask("turn off the kitchen lights")
    assert tiers(answer) == [("plan", "fast", "matched a device-command template")]
    assert routed.context.toolbox.gateway.device("LIGHT-K")["state"]["on"] is False


def test_a_simple_question_is_served_locally(routed: object) -> None:
    answer = routed.ask("is the light in meeting room 3C on?")
    assert {tier for _, tier, _ in tiers(answer)} == {"local"}
    assert "off" in answer.answer.lower()


def test_a_long_answer_is_written_in_the_cloud(routed: object) -> None:
    answer = routed.ask(HOW_TO)
    written = [r for r in answer.route if r["purpose"] == "answer"]
    assert [(r.get("tier"), r["reason"]) for r in written] == [
        ("cloud", "long-form answer")
    ]
    assert answer.citations


def test_a_request_of_several_tasks_plans_in_the_cloud(routed: object) -> None:
    answer = routed.ask(CONDITIONAL)
    plans = [r for r in answer.route if r["purpose"] == "plan"]
    assert plans and all(r.get("tier") == "cloud" for r in plans)
    assert all("3 tasks" in r["reason"] for r in plans)


def test_a_private_request_never_leaves_the_site(routed: object) -> None:
    answer = routed.ask("what is the temperature in the director's office?")
    assert answer.route and {r.get("tier") for r in answer.route} == {"local"}
    assert all("private" in r["reason"] for r in answer.route)


def test_unsure_local_choices_are_escalated(
    cloud_server: LlamaServer, small_model: object, tmp_path: Path
) -> None:
    cloud = CloudModel(cloud_server.url, cloud_server.model, timeout_s=300)
    settings = settings_for(tmp_path, route_min_confidence=1.0, fast_path=False)
    with open_agent(settings, model=small_model, cloud=cloud) as agent:
        answer = agent.ask("switch on the lobby lights")
    cloud.close()
    intent = [r for r in answer.route if r["purpose"] == "intent"]
    assert [r.get("tier") for r in intent] == ["local", "cloud"]
    assert "local confidence" in intent[1]["reason"]
    assert 0 <= intent[0]["confidence"] < 1


def test_a_cloud_too_slow_to_answer_falls_back_to_local(
    cloud_server: LlamaServer, small_model: object, manual_index: object, tmp_path
) -> None:
    hasty = CloudModel(cloud_server.url, cloud_server.model, timeout_s=0.05)
    with pytest.raises(EndpointError, match="did not answer within"):
        hasty.complete([{"role": "user", "content": HOW_TO}], None, 64)
    with open_agent(
        settings_for(tmp_path), model=small_model, manuals=manual_index, cloud=hasty
    ) as agent:
        answer = agent.ask(HOW_TO)
    hasty.close()
    written = [r for r in answer.route if r["purpose"] == "answer"]
    assert [(r.get("tier"), r["ok"]) for r in written] == FELL_BACK
    assert answer.answer and answer.citations


def test_a_cloud_killed_mid_conversation_leaves_answers_local(
    small_model: object, manual_index: object, tmp_path: Path
) -> None:
    server = LlamaServer(MODEL_PATH).start()
    cloud = CloudModel(server.url, server.model, timeout_s=300)
    try:
        with open_agent(
            settings_for(tmp_path), model=small_model, manuals=manual_index, cloud=cloud
        ) as agent:
            first = agent.ask(HOW_TO, thread="outage")
            server.stop()
            second = agent.ask(
                "how do I calibrate the accelerometer on drone D-1?", thread="outage"
            )
    finally:
        server.stop()
        cloud.close()
    assert ("answer", "cloud") in [(r["purpose"], r.get("tier")) for r in first.route]
    written = [r for r in second.route if r["purpose"] == "answer"]
    assert [(r.get("tier"), r["ok"]) for r in written] == FELL_BACK
    assert "cannot be reached" in written[0]["error"]
    assert second.answer and second.citations
