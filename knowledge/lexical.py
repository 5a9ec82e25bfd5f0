"""Exact-term BM25 search over manual chunks, stored in a folder.

Dense MiniLM vectors find paraphrases but blur identifiers: part numbers,
parameter names (`CAL_MAG0_PRIO`, `BAT1_R_INTERNAL`) and register names
(`PD163`). This index keeps such tokens whole, and also indexes their parts,
so `ManualIndex.search` can fuse both rankings (see `fuse`).

The folder holds the `bm25s` arrays plus `chunks.json` (id, document and
collection of each row). It is rebuilt whole after an ingest that changed
anything; a few thousand chunks take well under a second.
"""

from __future__ import annotations

import json
import logging
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from knowledge.errors import IndexUnavailable, MissingDependency

logger = logging.getLogger(__name__)

INSTALL_LINE = "pip install bm25s==0.3.16"
RRF_K = 60

_TOKEN = re.compile(r"[a-z0-9]+(?:[_.\-/][a-z0-9]+)*")
_PART = re.compile(r"[a-z0-9]+")
_STOPWORDS = frozenset(
    "a an and are as at be but by can do does for from how i if in into is it my "
    "no not of on or should so such that the their then there these they this to "
    "was we what when where which who why will with you your".split()
)


@dataclass(frozen=True)
class LexicalEntry:
    """One row of the BM25 index: a chunk and where it comes from."""

    id: str
    document: str
    collection: str


def tokenize(text: str) -> list[str]:
    """Lower-case word stems ("calibrating" and "calibration" meet at "calibr");
    identifiers are kept whole (`cal_mag0_prio`, `e-17`) and also yield their
    parts."""
    tokens: list[str] = []
    for token in _TOKEN.findall(text.lower()):
        if token in _STOPWORDS:
            continue
        parts = _PART.findall(token)
        if len(parts) > 1:
            tokens.append(token)
            tokens.extend(stem(part) for part in parts if part not in _STOPWORDS)
        else:
            tokens.append(stem(token))
    return tokens


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The English (Porter 2) stem of a plain word; words with digits as they are."""
    if any(char.isdigit() for char in word) or len(word) < 4:
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import snowballstemmer

    return snowballstemmer.stemmer("english")


def fuse(rankings: Sequence[Sequence[str]], k: int = RRF_K) -> list[str]:
    """Merge ranked id lists by reciprocal rank fusion, best first."""
    scores: dict[str, float] = {}
    for ranking in rankings:
        for rank, chunk_id in enumerate(ranking):
            scores[chunk_id] = scores.get(chunk_id, 0.0) + 1.0 / (k + rank + 1)
    return sorted(scores, key=lambda chunk_id: -scores[chunk_id])


class LexicalIndex:
    """A BM25 index of chunk texts kept in `folder`."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._loaded: tuple[Any, list[LexicalEntry]] | None = None

    def exists(self) -> bool:
        """Tell whether an index has been written to the folder."""
        return (self.folder / "chunks.json").is_file()

    def rebuild(self, entries: list[LexicalEntry], texts: list[str]) -> None:
        """Replace the index with these chunks (texts in the same order)."""
        bm25s = _import_bm25s()
        staging = self.folder.with_name(self.folder.name + ".new")
        shutil.rmtree(staging, ignore_errors=True)
        try:
            retriever = bm25s.BM25()
            if entries:
                retriever.index([tokenize(text) for text in texts], show_progress=False)
                retriever.save(str(staging), show_progress=False)
            staging.mkdir(parents=True, exist_ok=True)
            rows = [[e.id, e.document, e.collection] for e in entries]
            (staging / "chunks.json").write_text(json.dumps(rows), encoding="utf-8")
            shutil.rmtree(self.folder, ignore_errors=True)
            staging.rename(self.folder)
        except (OSError, ValueError) as exc:
            raise IndexUnavailable(
                f"The lexical index in {self.folder} could not be written ({exc}); "
                "check that the folder is writable and run the ingest again."
            ) from exc
        self._loaded = None
        logger.debug("Rebuilt lexical index of %d chunks", len(entries))

    def search(
        self,
        query: str,
        k: int,
        collections: list[str] | None = None,
        document: str | None = None,
    ) -> list[str]:
        """Return up to `k` chunk ids ranked by BM25, only those that match."""
        retriever, entries = self._load()
        tokens = tokenize(query)
        ids = retriever.get_tokens_ids(tokens) if entries else []
        if not ids:
            return []
        scores = retriever.get_scores_from_ids(ids)
        wanted = set(collections or [])
        found: list[str] = []
        for row in np.argsort(-scores, kind="stable"):
            entry = entries[row]
            if scores[row] <= 0 or len(found) == k:
                break
            if wanted and entry.collection not in wanted:
                continue
            if document and entry.document != document:
                continue
            found.append(entry.id)
        return found

    def frequencies(self, tokens: Sequence[str]) -> tuple[dict[str, int], int]:
        """How many chunks hold each token (0 when the corpus never uses it),
        and how many chunks there are."""
        retriever, entries = self._load()
        if retriever is None:
            return {token: 0 for token in tokens}, 0
        vocab = retriever.vocab_dict
        indptr = retriever.scores["indptr"]
        found = {}
        for token in tokens:
            column = vocab.get(token)
            inside = column is not None and column + 1 < len(indptr)
            found[token] = int(indptr[column + 1] - indptr[column]) if inside else 0
        return found, len(entries)

    def _load(self) -> tuple[Any, list[LexicalEntry]]:
        """Read the index from its folder once."""
        if self._loaded is None:
            bm25s = _import_bm25s()
            try:
                rows = json.loads((self.folder / "chunks.json").read_text("utf-8"))
                entries = [LexicalEntry(*row) for row in rows]
                retriever = (
                    bm25s.BM25.load(str(self.folder), show_progress=False)
                    if entries
                    else None
                )
            except (OSError, ValueError) as exc:
                raise IndexUnavailable(
                    f"The lexical index in {self.folder} could not be read ({exc}); "
                    "run `fieldpilot ingest PATH` again to rebuild it."
                ) from exc
            self._loaded = (retriever, entries)
        return self._loaded


def _import_bm25s() -> Any:
    """Import bm25s, or say how to install it."""
    try:
        import bm25s
    except ImportError as exc:
        raise MissingDependency(
            f"Exact-term search needs the bm25s package; run `{INSTALL_LINE}`."
        ) from exc
    # bm25s sets its own logger to DEBUG and gives it a handler; keep it quiet
    # unless the application asks for more.
    logging.getLogger("bm25s").setLevel(logging.WARNING)
    return bm25s
