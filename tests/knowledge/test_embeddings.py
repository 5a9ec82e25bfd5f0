"""Tests for knowledge/embeddings.py: the packaged MiniLM model behind Chroma."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import chromadb
import numpy as np
import pytest
from chromadb.config import Settings

from knowledge import embeddings
from knowledge.embeddings import MiniLMEmbedding, load_model, minilm_path


def test_minilm_path_is_the_packaged_model_folder() -> None:
    """The model folder lives inside the installed package, weights included."""
    path = minilm_path()
    assert "site-packages" in path.parts or "dist-packages" in path.parts
    assert (path / "model.safetensors").is_file()
    assert (path / "modules.json").is_file()


def test_importing_the_package_loads_neither_torch_nor_a_model() -> None:
    """`import knowledge.index` stays light: no torch, no sentence-transformers."""
    code = (
        "import sys, knowledge, knowledge.index; "
        "print('torch' in sys.modules, 'sentence_transformers' in sys.modules)"
    )
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]


def test_config_round_trip_does_not_name_a_hub_model() -> None:
    """The stored config has no path by default, so a moved venv still works."""
    function = MiniLMEmbedding()
    config = function.get_config()
    assert config == {"model": "all-MiniLM-L6-v2"}
    assert isinstance(MiniLMEmbedding.build_from_config(config), MiniLMEmbedding)
    assert function.default_space() == "cosine"
    assert not function.is_legacy()


@pytest.mark.slow
def test_embeddings_are_normalised_384_float_vectors() -> None:
    """Each text becomes a unit-length vector of 384 floats."""
    vectors = MiniLMEmbedding()(["calibrate the compass", "replace the filter"])
    assert len(vectors) == 2
    for vector in vectors:
        assert np.asarray(vector).shape == (384,)
        assert np.linalg.norm(vector) == pytest.approx(1.0, abs=1e-4)


@pytest.mark.slow
def test_model_loads_once_however_often_chroma_rebuilds_the_function() -> None:
    """Functions rebuilt from config share the one model already loaded."""
    MiniLMEmbedding()(["first"])
    model = load_model()
    rebuilt = MiniLMEmbedding.build_from_config(MiniLMEmbedding().get_config())
    rebuilt(["second"])
    assert load_model() is model
    assert len(embeddings._models) == 1


@pytest.mark.slow
def test_reopened_collection_uses_fieldpilot_function(tmp_path: Path) -> None:
    """A collection opened without an embedding function gets ours back."""
    settings = Settings(anonymized_telemetry=False)
    client = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    created = client.create_collection(
        "probe", embedding_function=MiniLMEmbedding(), configuration={}
    )
    created.add(ids=["a"], documents=["The freeze stat tripped."])

    reopened = chromadb.PersistentClient(path=str(tmp_path), settings=settings)
    collection = reopened.get_collection("probe")
    assert collection.configuration["embedding_function"].name() == "fieldpilot-minilm"
    found = collection.query(query_texts=["freeze alarm"], n_results=1)
    assert found["ids"] == [["a"]]
