"""Tests for `CloudModel` (agent/models.py) against endpoints that misbehave on
purpose: a real HTTP server on loopback that answers malformed bodies, errors or
nothing in time. The real llama.cpp server is used in test_routing_live.py."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.errors import EndpointError
from agent.models import CloudModel
from agent.router import Router, Step
from tests.conftest import ScriptedModel

SCHEMA = {"type": "object", "properties": {"intent": {"enum": ["command", "other"]}}}
MESSAGES = [{"role": "user", "content": "turn off the kitchen lights"}]
SECRET = "sk-test-not-a-real-key-1234"


def chat_reply(content: str) -> dict:
    return {
        "choices": [{"message": {"role": "assistant", "content": content}}],
        "usage": {"prompt_tokens": 12, "completion_tokens": 5},
    }


class MisbehavingEndpoint:
    """An OpenAI-style endpoint on loopback that answers what a test scripts:
    `(status, body, delay_s)` per request, in order; it records each request."""

    def __init__(self, *replies: tuple[int, object, float]) -> None:
        self.replies = list(replies)
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                length = int(self.headers.get("Content-Length", 0))
                endpoint.requests.append(json.loads(self.rfile.read(length)))
                endpoint.headers.append(dict(self.headers))
                status, body, delay = endpoint.replies.pop(0)
                time.sleep(delay)
                data = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up waiting, as a slow cloud's would

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MisbehavingEndpoint:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def endpoint(request: pytest.FixtureRequest) -> Iterator[MisbehavingEndpoint]:
    with MisbehavingEndpoint(*request.param) as running:
        yield running


def cloud_for(endpoint: MisbehavingEndpoint, **options: object) -> CloudModel:
    return CloudModel(endpoint.url, "big-model", api_key=SECRET, **options)


@pytest.mark.parametrize(
    "endpoint", [[(200, chat_reply('{"intent": "command"}'), 0)]], indirect=True
)
def test_a_schema_answer_is_parsed_and_the_key_is_sent_not_logged(
    endpoint: MisbehavingEndpoint, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    cloud = cloud_for(endpoint)
    try:
        completion = cloud.complete(MESSAGES, SCHEMA, 32)
    finally:
        cloud.close()
    assert completion.json() == {"intent": "command"}
    assert (completion.tier, completion.prompt_tokens) == ("cloud", 12)
    sent = endpoint.requests[0]["response_format"]
    assert sent["type"] == "json_schema" and sent["json_schema"]["schema"] == SCHEMA
    assert endpoint.headers[0]["Authorization"] == f"Bearer {SECRET}"
    assert SECRET not in caplog.text and SECRET not in repr(cloud)


@pytest.mark.parametrize(
    "endpoint",
    [
        [
            (500, {"error": {"message": "1 validation error: literal_error"}}, 0),
            (200, chat_reply('{"intent": "other"}'), 0),
            (200, chat_reply('{"intent": "command"}'), 0),
        ]
    ],
    indirect=True,
)
def test_an_endpoint_that_refuses_json_schema_gets_the_next_style_and_keeps_it(
    endpoint: MisbehavingEndpoint,
) -> None:
    cloud = cloud_for(endpoint)
    try:
        assert cloud.complete(MESSAGES, SCHEMA).json() == {"intent": "other"}
        assert cloud.complete(MESSAGES, SCHEMA).json() == {"intent": "command"}
    finally:
        cloud.close()
    styles = [r["response_format"]["type"] for r in endpoint.requests]
    assert styles == ["json_schema", "json_object", "json_object"]


@pytest.mark.parametrize(
    ("endpoint", "message"),
    [
        ([(200, chat_reply("Sure! The intent is command."), 0)], "malformed JSON"),
        ([(200, {"error": "overloaded"}, 0)], "not a chat completion"),
        ([(200, b"<html>gateway</html>", 0)], "not a chat completion"),
        ([(500, {"error": "internal"}, 0)], "HTTP 500"),
        ([(429, {"error": "rate limited"}, 0)], "HTTP 429"),
        ([(200, chat_reply('{"intent": "command"}'), 2.0)], "did not answer within"),
    ],
    indirect=["endpoint"],
)
def test_a_misbehaving_cloud_is_a_clear_transient_error(
    endpoint: MisbehavingEndpoint, message: str
) -> None:
    cloud = cloud_for(endpoint, timeout_s=0.5)
    try:
        with pytest.raises(EndpointError, match=message) as caught:
            cloud.complete(MESSAGES, SCHEMA)
    finally:
        cloud.close()
    assert caught.value.transient
    assert SECRET not in str(caught.value)


@pytest.mark.parametrize("endpoint", [[(401, {"error": "bad key"}, 0)]], indirect=True)
def test_a_refused_key_names_the_setting(endpoint: MisbehavingEndpoint) -> None:
    cloud = cloud_for(endpoint)
    try:
        with pytest.raises(EndpointError, match="FIELDPILOT_CLOUD_API_KEY") as caught:
            cloud.complete(MESSAGES)
    finally:
        cloud.close()
    assert not caught.value.transient


def test_a_cloud_that_is_not_there_is_a_clear_error() -> None:
    cloud = CloudModel("http://127.0.0.1:9/v1", "big-model", timeout_s=2)
    try:
        with pytest.raises(EndpointError, match="cannot be reached"):
            cloud.complete(MESSAGES)
    finally:
        cloud.close()


@pytest.mark.parametrize(
    "endpoint",
    [[(200, chat_reply("no json here"), 0), (500, {}, 0), (200, chat_reply("x"), 3)]],
    indirect=True,
)
def test_the_router_answers_locally_whatever_the_cloud_does(
    endpoint: MisbehavingEndpoint,
) -> None:
    local = ScriptedModel(*[{"intent": "command"}] * 3, name="local")
    cloud = cloud_for(endpoint, timeout_s=1.0)
    router = Router(local=local, cloud=cloud)
    try:
        for _ in range(3):
            completion, decisions = router.route(
                MESSAGES, SCHEMA, 32, Step("plan", tasks=4)
            )
            assert completion.json() == {"intent": "command"}
            assert [(d.tier, d.ok) for d in decisions] == [
                ("cloud", False),
                ("local", True),
            ]
    finally:
        cloud.close()
    assert router.breaker.failures == 3 and not router.breaker.allows()


@pytest.mark.parametrize(
    "endpoint",
    [
        [
            (
                200,
                {
                    "choices": [{"message": {"content": '{"intent": "command"}'}}],
                    "usage": {"prompt_tokens": -150, "completion_tokens": "12"},
                },
                0,
            ),
            (200, {"choices": [{"message": None}]}, 0),
            (500, {"error": f"bad key {SECRET}"}, 0),
        ]
    ],
    indirect=True,
)
def test_odd_replies_are_errors_or_zero_counts_and_never_show_the_key(
    endpoint: MisbehavingEndpoint,
) -> None:
    cloud = cloud_for(endpoint)
    try:
        completion = cloud.complete(MESSAGES, SCHEMA)
        assert (completion.prompt_tokens, completion.completion_tokens) == (0, 0)
        with pytest.raises(EndpointError, match="not a chat completion"):
            cloud.complete(MESSAGES, SCHEMA)
        with pytest.raises(EndpointError, match="HTTP 500") as caught:
            cloud.complete(MESSAGES, SCHEMA)
        assert SECRET not in str(caught.value)
    finally:
        cloud.close()


def test_a_key_a_header_cannot_carry_is_a_clear_error() -> None:
    from agent.errors import ConfigError

    with pytest.raises(ConfigError, match="copy the key again") as caught:
        CloudModel("http://127.0.0.1:9/v1", "m", api_key="sk-abc\ndef")
    assert "sk-abc" not in str(caught.value)
