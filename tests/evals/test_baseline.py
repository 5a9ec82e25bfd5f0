"""Tests for evals/baseline.py: LangChain's prebuilt agent on the real local server."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import AIMessage, HumanMessage

from evals.baseline import BaselineAgent, QwenToolChat, with_tool_calls
from evals.llama_server import LlamaServer
from tools.registry import SPECS, Risk

SWITCH_TEXT = (
    '<tool_call>\n{"name": "switch", "arguments": {"target": {"device": "LIGHT-K"}, '
    '"on": false}}\n</tool_call>'
)


def test_tool_call_text_becomes_a_tool_call() -> None:
    """The model's `<tool_call>` text is parsed into `AIMessage.tool_calls`."""
    message = with_tool_calls(AIMessage(SWITCH_TEXT))

    assert message.content == ""
    assert [(c["name"], c["args"]) for c in message.tool_calls] == [
        ("switch", {"target": {"device": "LIGHT-K"}, "on": False})
    ]


def test_fenced_json_call_becomes_a_tool_call() -> None:
    """A bare tool-call object in a JSON code fence counts as a call too."""
    text = '```json\n{"name": "read_state", "arguments": {"target": {}}}\n```'

    message = with_tool_calls(AIMessage(text))

    assert [c["name"] for c in message.tool_calls] == ["read_state"]


def test_malformed_tool_call_is_kept_as_invalid() -> None:
    """A `<tool_call>` block that is not JSON becomes an invalid tool call."""
    message = with_tool_calls(AIMessage('<tool_call>{"name": "switch", </tool_call>'))

    assert message.tool_calls == []
    assert len(message.invalid_tool_calls) == 1


def test_outgoing_payload_suits_the_llama_server() -> None:
    """max_tokens keeps its name; an earlier tool call goes back as the model's text."""
    chat = QwenToolChat(
        base_url="http://127.0.0.1:9/v1", api_key="none", model="m", max_tokens=64
    )
    call = with_tool_calls(AIMessage(SWITCH_TEXT))

    payload = chat._get_request_payload([HumanMessage("lights off"), call])

    assert payload["max_tokens"] == 64
    assert "max_completion_tokens" not in payload
    assert payload["messages"][1] == {
        "role": "assistant",
        "content": '<tool_call>\n{"name": "switch", "arguments": {"target": '
        '{"device": "LIGHT-K"}, "on": false}}\n</tool_call>',
    }


def test_dead_server_gives_an_error_not_an_exception(toolbox: object) -> None:
    """A server that does not answer ends the request with `error` set."""
    agent = BaselineAgent(toolbox, "http://127.0.0.1:9/v1", "none", max_retries=0)

    answer = agent.ask("turn off the kitchen lights")

    assert answer.error
    assert answer.actions == []
    assert answer.answer == ""


def test_server_that_cannot_load_says_why(tmp_path: Path) -> None:
    """A file that is no model makes `start` fail with the server's own output."""
    bogus = tmp_path / "bogus.gguf"
    bogus.write_bytes(b"not a model")

    with pytest.raises(RuntimeError, match="exited with code"):
        LlamaServer(bogus, start_timeout=60).start()


@pytest.mark.slow
def test_kitchen_lights_are_turned_off(
    llama_server: LlamaServer, toolbox: object, gateway: object
) -> None:
    """'turn off the kitchen lights' becomes a switch call that turns LIGHT-K off."""
    agent = BaselineAgent(toolbox, llama_server.url, llama_server.model)

    answer = agent.ask("turn off the kitchen lights")

    assert answer.error is None, answer.error
    assert any(a["tool"] == "switch" and a["ok"] for a in answer.actions)
    assert gateway.device("LIGHT-K")["state"]["on"] is False


@pytest.mark.slow
def test_read_only_question_calls_only_read_tools(
    llama_server: LlamaServer, toolbox: object
) -> None:
    """A question about a light is answered with read tools alone."""
    agent = BaselineAgent(toolbox, llama_server.url, llama_server.model)

    answer = agent.ask("is the light in office 301 on?")

    assert answer.error is None, answer.error
    assert answer.answer.strip()
    assert answer.actions
    assert all(SPECS[a["tool"]].risk is Risk.READ for a in answer.actions)
