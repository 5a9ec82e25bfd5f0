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
    """A test double that replays prepared answers in order; no model is loaded."""

    name = "scripted"

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
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
        text = answer if isinstance(answer, str) else json.dumps(answer)
        return Completion(text, self.name, 10, 10, 0.0)
