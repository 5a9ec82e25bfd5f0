"""The searchable index of a site's manuals: ChromaDB vectors plus BM25.

`ManualIndex.ingest` walks a folder of manuals, chunks each changed file
(`knowledge.chunking`), embeds the chunks with the packaged MiniLM model
(`knowledge.embeddings`) and keeps one content hash per document in the chunk
metadata (`knowledge.store`), so a second ingest of the same folder only reads
and hashes files. It then refreshes the exact-term BM25 index
(`knowledge.lexical`) kept in the same folder.

`ManualIndex.search` ranks chunks by meaning (cosine similarity of MiniLM
vectors) and by exact terms (BM25), fuses both rankings by reciprocal rank and
returns `ManualHit`s whose `score` is the cosine similarity to the question.

    >>> index = ManualIndex(Path("~/.fieldpilot/index").expanduser())
    >>> index.ingest(Path("manuals"))  # doctest: +SKIP
    >>> index.search("how do I calibrate the compass", k=3)  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import chromadb
import numpy as np
from chromadb.config import Settings
from chromadb.errors import NotFoundError
from pydantic import BaseModel, ConfigDict

from knowledge.chunking import chunk_text, find_manuals
from knowledge.convert import read_manual
from knowledge.embeddings import MiniLMEmbedding
from knowledge.errors import (
    DocumentUnreadable,
    IndexNotBuilt,
    KnowledgeError,
    MissingDependency,
)
from knowledge.lexical import LexicalEntry, LexicalIndex, fuse
from knowledge.store import (
    ManualHit,
    chroma_errors,
    chunk_metadata,
    hit_from,
    lexical_text,
    root_key,
    stored_documents,
    where_filter,
)

__all__ = ["IngestReport", "ManualHit", "ManualIndex", "Progress"]

logger = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
"""Called after each file with (files done, files in all, document path)."""

CANDIDATES = 20
"""How many chunks each ranking contributes before fusion."""

SEARCH_MODES = ("hybrid", "dense", "lexical")

_COLLECTION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,510}[A-Za-z0-9]$")


class IngestReport(BaseModel):
    """What one ingest did: counts of files and chunks, failures, duration."""

    model_config = ConfigDict(frozen=True)

    files_seen: int
    files_indexed: int
    files_skipped: int
    files_removed: int
    files_failed: int
    chunks_added: int
    seconds: float
    failures: dict[str, str]
    warnings: dict[str, str] = {}


@dataclass
class _Tally:
    """Running counts of one ingest."""

    indexed: int = 0
    skipped: int = 0
    chunks: int = 0
    failures: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)

    def count(self, added: int | None) -> None:
        """Count a file that was re-indexed (`added` chunks) or unchanged (None)."""
        if added is None:
            self.skipped += 1
        else:
            self.indexed += 1
            self.chunks += added

    def report(self, seen: int, removed: int, started: float) -> IngestReport:
        """Freeze the counts into an `IngestReport`."""
        return IngestReport(
            files_seen=seen,
            files_indexed=self.indexed,
            files_skipped=self.skipped,
            files_removed=removed,
            files_failed=len(self.failures),
            chunks_added=self.chunks,
            seconds=round(time.perf_counter() - started, 3),
            failures=dict(self.failures),
            warnings=dict(self.warnings),
        )


class ManualIndex:
    """Chunks of manuals in one Chroma collection, with incremental ingest.

    `path` is the index folder (Chroma's files and the BM25 index); with
    `chroma_url` the vectors live on a Chroma server instead and only the BM25
    index stays in `path`. `lexical=False` searches by meaning alone.
    """

    def __init__(
        self,
        path: Path,
        collection: str = "manuals",
        *,
        chroma_url: str | None = None,
        lexical: bool = True,
    ) -> None:
        if not _COLLECTION_NAME.match(collection):
            raise KnowledgeError(
                f"'{collection}' cannot name a manual index; use 3 to 512 letters, "
                "digits, dots, dashes or underscores, starting and ending with a "
                "letter or digit."
            )
        self.path = Path(path)
        self.collection = collection
        self.chroma_url = chroma_url
        self._embed = MiniLMEmbedding()
        self._lexical = (
            LexicalIndex(self.path / "bm25" / collection) if lexical else None
        )
        self._client: Any = None

    def ingest(self, root: Path, progress: Progress | None = None) -> IngestReport:
        """Index every manual below `root`, re-embedding only changed files."""
        started = time.perf_counter()
        root = Path(root)
        files = find_manuals(root)
        with chroma_errors("open the index for writing"):
            store = self._open(create=True)
            stored = stored_documents(store)
        tally = _Tally()
        for number, path in enumerate(files, start=1):
            document = path.relative_to(root).as_posix()
            try:
                added = self._ingest_file(
                    store, path, root, stored.get(document), tally.warnings
                )
            except DocumentUnreadable as exc:
                logger.warning("Skipped %s: %s", document, exc.reason)
                tally.failures[document] = exc.reason
            else:
                tally.count(added)
            if progress is not None:
                progress(number, len(files), document)
        seen = {path.relative_to(root).as_posix() for path in files}
        # Only documents ingested from this folder can have been removed from it.
        removed = [
            document
            for document, entry in stored.items()
            if document not in seen and entry["root"] in ("", root_key(root))
        ]
        with chroma_errors("remove deleted manuals from the index"):
            for document in removed:
                store.delete(ids=stored[document]["ids"])
        changed = bool(tally.indexed or removed or tally.failures)
        self._refresh_lexical(store, changed)
        report = tally.report(len(files), len(removed), started)
        logger.info(
            "Ingested %s: %d files seen, %d indexed, %d unchanged, %d removed, "
            "%d failed, %d chunks added in %.1f s",
            root, report.files_seen, report.files_indexed, report.files_skipped,
            report.files_removed, report.files_failed, report.chunks_added,
            report.seconds,
        )  # fmt: skip
        return report

    def search(
        self,
        query: str,
        k: int = 5,
        collections: list[str] | None = None,
        document: str | None = None,
        mode: str = "hybrid",
    ) -> list[ManualHit]:
        """Return the `k` chunks that best answer `query`, best first.

        `mode` is "hybrid" (meaning and exact terms fused by reciprocal rank),
        "dense" (meaning only) or "lexical" (BM25 only); `score` is always the
        cosine similarity of the chunk to the question.
        """
        if not query.strip():
            raise KnowledgeError("The search query is empty; ask a question.")
        if k < 1:
            raise KnowledgeError(f"k must be at least 1, not {k}.")
        if mode not in SEARCH_MODES:
            raise KnowledgeError(
                f"Unknown search mode {mode!r}; use one of {', '.join(SEARCH_MODES)}."
            )
        started = time.perf_counter()
        with chroma_errors("search the manuals"):
            store = self._open(create=False)
            size = store.count()
            if size == 0:
                raise IndexNotBuilt(self._where(), self.collection)
            vector = np.asarray(self._embed.embed_query([query])[0])
            depth = min(size, max(k, CANDIDATES))
            where = where_filter(collections, document)
            hits = _dense(store, vector, depth, where) if mode != "lexical" else {}
            lexical = (
                self._lexical_ids(query, depth, collections, document)
                if mode != "dense"
                else []
            )
            rankings = {"dense": [list(hits)], "lexical": [lexical]}
            order = fuse(rankings.get(mode, [list(hits), lexical]))[:k]
            hits.update(_fetch(store, vector, [i for i in order if i not in hits]))
        # A chunk the lexical index still lists may be gone from Chroma.
        found = [hits[chunk_id] for chunk_id in order if chunk_id in hits]
        logger.debug(
            "Searched %r (k=%d, %s) in %.0f ms: %s",
            query, k, mode, (time.perf_counter() - started) * 1000,
            [(hit.document, hit.section, round(hit.score, 3)) for hit in found],
        )  # fmt: skip
        return found

    def term_frequencies(self, tokens: list[str]) -> tuple[dict[str, int], int]:
        """How many chunks hold each token, and how many chunks there are; empty
        when the lexical index is off or missing."""
        if self._lexical is None or not self._lexical.exists():
            return {}, 0
        try:
            return self._lexical.frequencies(tokens)
        except MissingDependency:
            return {}, 0

    def documents(self) -> list[dict[str, Any]]:
        """List the indexed documents with their collection, title and chunks."""
        with chroma_errors("list the indexed manuals"):
            stored = stored_documents(self._open(create=False))
        return [
            {
                "document": document,
                "collection": entry["collection"],
                "title": entry["title"],
                "chunks": len(entry["ids"]),
            }
            for document, entry in sorted(stored.items())
        ]

    def _ingest_file(
        self,
        store: Any,
        path: Path,
        root: Path,
        stored: dict[str, Any] | None,
        warnings: dict[str, str],
    ) -> int | None:
        """Re-index one file if it changed; return chunks added, None if skipped.
        What could not be read from a file that was indexed goes to `warnings`."""
        document = path.relative_to(root).as_posix()
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise DocumentUnreadable(document, exc.strerror or str(exc)) from exc
        digest = hashlib.sha256(data).hexdigest()
        if stored is not None and stored["hashes"] == {digest}:
            return None
        old_ids = set(stored["ids"]) if stored else set()
        collection = document.split("/")[0] if "/" in document else root.name
        try:
            extracted = read_manual(data, document)
            if extracted.warnings:
                warnings[document] = "; ".join(extracted.warnings)
                logger.warning("%s: %s", document, warnings[document])
            chunks = chunk_text(
                extracted.text, document, collection, pages=extracted.pages
            )
        except DocumentUnreadable:
            with chroma_errors("remove an unreadable manual from the index"):
                if old_ids:
                    store.delete(ids=sorted(old_ids))
            raise
        if not chunks and not old_ids:
            return None
        with chroma_errors(f"write the chunks of {document}"):
            if chunks:
                store.upsert(
                    ids=[chunk.id for chunk in chunks],
                    embeddings=self._embed([c.embedding_text() for c in chunks]),
                    documents=[chunk.text for chunk in chunks],
                    metadatas=[
                        chunk_metadata(chunk, digest, root_key(root))
                        for chunk in chunks
                    ],
                )
            stale = old_ids - {chunk.id for chunk in chunks}
            if stale:
                store.delete(ids=sorted(stale))
        logger.debug("Indexed %s: %d chunks", document, len(chunks))
        return len(chunks)

    def _refresh_lexical(self, store: Any, changed: bool) -> None:
        """Rebuild the BM25 index from the stored chunks if anything changed."""
        if self._lexical is None or (not changed and self._lexical.exists()):
            return
        with chroma_errors("read the chunks for the lexical index"):
            found = store.get(include=["documents", "metadatas"])
        metas = found["metadatas"] or []
        entries = [
            LexicalEntry(chunk_id, str(meta["document"]), str(meta["collection"]))
            for chunk_id, meta in zip(found["ids"], metas, strict=True)
        ]
        texts = [
            lexical_text(text or "", meta)
            for text, meta in zip(found["documents"] or [], metas, strict=True)
        ]
        try:
            self._lexical.rebuild(entries, texts)
        except MissingDependency as exc:
            logger.warning("Searching by meaning only: %s", exc)
            self._lexical = None

    def _lexical_ids(
        self, query: str, k: int, collections: list[str] | None, document: str | None
    ) -> list[str]:
        """Rank chunk ids by BM25, or return none when that index is absent."""
        if self._lexical is None:
            return []
        if not self._lexical.exists():
            logger.warning(
                "No lexical index in %s; searching by meaning only until the next "
                "`fieldpilot ingest PATH`.",
                self._lexical.folder,
            )
            self._lexical = None
            return []
        try:
            return self._lexical.search(query, k, collections, document)
        except MissingDependency as exc:
            logger.warning("Searching by meaning only: %s", exc)
            self._lexical = None
            return []

    def _open(self, create: bool) -> Any:
        """Open the collection; without `create`, a missing one is IndexNotBuilt."""
        if not create and self.chroma_url is None and not self.path.exists():
            raise IndexNotBuilt(self._where(), self.collection)
        client = self._connect()
        if create:
            return client.get_or_create_collection(
                self.collection,
                embedding_function=self._embed,
                configuration={"hnsw": {"space": "cosine"}},
            )
        try:
            return client.get_collection(
                self.collection, embedding_function=self._embed
            )
        except NotFoundError as exc:
            raise IndexNotBuilt(self._where(), self.collection) from exc

    def _connect(self) -> Any:
        """Create the Chroma client once: a local folder or a Chroma server."""
        if self._client is None:
            settings = Settings(anonymized_telemetry=False)
            if self.chroma_url is None:
                self.path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(
                    path=str(self.path), settings=settings
                )
            else:
                url = urlsplit(self.chroma_url)
                self._client = chromadb.HttpClient(
                    host=url.hostname or "localhost",
                    port=url.port or (443 if url.scheme == "https" else 8000),
                    ssl=url.scheme == "https",
                    settings=settings,
                )
        return self._client

    def _where(self) -> str:
        """Name where the index lives, for messages."""
        return self.chroma_url or str(self.path)


def _dense(
    store: Any, vector: np.ndarray, depth: int, where: Any
) -> dict[str, ManualHit]:
    """Return the `depth` nearest chunks as hits keyed by id, nearest first."""
    found = store.query(
        query_embeddings=[vector],
        n_results=depth,
        where=where,
        include=["documents", "metadatas", "distances"],
    )
    rows = zip(
        found["ids"][0],
        found["documents"][0],
        found["metadatas"][0],
        found["distances"][0],
        strict=True,
    )
    return {
        chunk_id: hit_from(chunk_id, text, meta, 1.0 - distance)
        for chunk_id, text, meta, distance in rows
    }


def _fetch(store: Any, vector: np.ndarray, ids: list[str]) -> dict[str, ManualHit]:
    """Load chunks found only by BM25 and score them by cosine similarity."""
    if not ids:
        return {}
    found = store.get(ids=ids, include=["documents", "metadatas", "embeddings"])
    rows = zip(
        found["ids"],
        found["documents"],
        found["metadatas"],
        found["embeddings"],
        strict=True,
    )
    return {
        chunk_id: hit_from(chunk_id, text, meta, float(np.dot(vector, embedding)))
        for chunk_id, text, meta, embedding in rows
    }
