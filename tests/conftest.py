"""Shared fixtures: a temporary FIELDPILOT_HOME, the demo site served over real
HTTP in process, the tool box, the manual index and the local model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from agent import modelstore
from agent.config import DEFAULT_LOCAL_MODEL, Settings
from agent.models import Completion

# Resolved before any test changes FIELDPILOT_HOME: `fieldpilot setup` put it there.
MODEL_PATH = modelstore.model_path(Settings().models_dir, DEFAULT_LOCAL_MODEL)
SMALL_MODEL = "qwen2.5-coder-0.5b"


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty FIELDPILOT_HOME for one test."""
    monkeypatch.setenv("FIELDPILOT_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


@pytest.fixture
def gateway(tmp_path: Path) -> Iterator[object]:
    """A client of the demo site, served over HTTP on loopback with a fresh db."""
    from simulator.model import DEMO_SITE_DIR
    from simulator.server import InProcessGateway
    from tools.gateway import GatewayClient

    with InProcessGateway(DEMO_SITE_DIR, tmp_path / "site.sqlite") as server:
        with GatewayClient(server.url) as client:
            yield client


@pytest.fixture(scope="session")
def manual_index(tmp_path_factory: pytest.TempPathFactory) -> object:
    """The demo manuals indexed once per test session."""
    from knowledge.index import ManualIndex
    from simulator.model import DEMO_SITE_DIR

    index = ManualIndex(tmp_path_factory.mktemp("manuals") / "index")
    index.ingest(DEMO_SITE_DIR / "manuals")
    return index


@pytest.fixture
def toolbox(gateway: object, tmp_path: Path) -> object:
    """Tools bound to the demo site and a fresh work-order store (no manuals)."""
    from tools.registry import Toolbox
    from tools.workorders import WorkOrderStore

    return Toolbox(gateway, work_orders=WorkOrderStore(tmp_path / "wo.sqlite"))


@pytest.fixture(scope="session")
def local_model() -> object:
    """The packaged local model; run `fieldpilot setup` first."""
    from agent.models import LocalModel

    if not MODEL_PATH.exists():
        pytest.fail(
            f"{MODEL_PATH} is missing: run `fieldpilot setup` before the tests."
        )
    return LocalModel(MODEL_PATH, DEFAULT_LOCAL_MODEL, n_threads=2)


class ScriptedModel:
    """A test double that replays prepared answers in order; no model is loaded.

    An answer may be a dict (written as JSON), a string, a `Completion` (returned
    as it is) or an exception (raised).
    """

    def __init__(self, *answers: object, name: str = "scripted") -> None:
        self.answers = list(answers)
        self.name = name
        self.calls: list[list[dict[str, str]]] = []

    def complete(
        self,
        messages: list[dict[str, str]],
        schema: object = None,
        max_tokens: int = 256,
    ) -> Completion:
        """Return the next prepared answer (dicts are written as JSON)."""
        self.calls.append(messages)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, Completion):
            return answer
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Completion(text, self.name, 10, 10, 0.0)


@pytest.fixture(scope="session")
def small_model() -> object:
    """The packaged 0.5B model (the routing tests' local tier); the first use
    downloads, joins and verifies it like `fieldpilot setup` does."""
    from agent.models import LocalModel

    models_dir = MODEL_PATH.parent
    if not modelstore.is_installed(models_dir, SMALL_MODEL):
        modelstore.install_model(models_dir, SMALL_MODEL)
    path = modelstore.model_path(models_dir, SMALL_MODEL)
    return LocalModel(path, SMALL_MODEL, n_threads=2)


@pytest.fixture(scope="session")
def llama_server() -> Iterator[object]:
    """llama-cpp-python's real OpenAI-compatible server with the packaged 1.5B
    model on loopback, once per session (the baseline's server, the cloud tier)."""
    from evals.llama_server import LlamaServer

    if not MODEL_PATH.exists():
        pytest.fail(f"{MODEL_PATH} is missing: run `fieldpilot setup` first.")
    with LlamaServer(MODEL_PATH) as server:
        yield server
