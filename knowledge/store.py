"""How manual chunks are laid out in ChromaDB, and the one wrapper for its errors.

Each chunk is one Chroma record: its id, the clean chunk text as the record's
document, its embedding (of title, heading path and text) and flat metadata:
document, collection, title, section, heading_path (JSON), start_line,
end_line and doc_hash (SHA-256 of the whole file, for incremental ingest).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from knowledge.chunking import ManualChunk
from knowledge.errors import IndexUnavailable, KnowledgeError


class ManualHit(ManualChunk):
    """A chunk found by a search; `score` is its cosine similarity, 0 to 1."""

    score: float


@contextmanager
def chroma_errors(action: str) -> Iterator[None]:
    """Turn any ChromaDB failure into `IndexUnavailable`; pass ours through."""
    try:
        yield
    except KnowledgeError:
        raise
    except Exception as exc:
        raise IndexUnavailable(
            f"The manual index could not {action} ({type(exc).__name__}: {exc}); "
            "check that the index folder is writable or the Chroma server is "
            "running, or delete the index folder and run `fieldpilot ingest PATH`."
        ) from exc


def root_key(root: Path) -> str:
    """How an ingested folder is recorded with its chunks."""
    return str(Path(root).resolve())


def chunk_metadata(
    chunk: ManualChunk, digest: str, root: str = ""
) -> dict[str, str | int]:
    """Flatten a chunk's fields into Chroma metadata (scalars only); `root` is the
    folder it was ingested from, so ingesting another folder leaves it alone."""
    return {
        "root": root,
        "document": chunk.document,
        "collection": chunk.collection,
        "title": chunk.title,
        "section": chunk.section,
        "heading_path": json.dumps(chunk.heading_path),
        "start_line": chunk.start_line,
        "end_line": chunk.end_line,
        "page_start": chunk.page_start or 0,
        "page_end": chunk.page_end or 0,
        "doc_hash": digest,
    }


def stored_documents(store: Any) -> dict[str, dict[str, Any]]:
    """Group the stored chunk ids, hashes and titles by document."""
    found = store.get(include=["metadatas"])
    documents: dict[str, dict[str, Any]] = {}
    for chunk_id, meta in zip(found["ids"], found["metadatas"] or [], strict=True):
        entry = documents.setdefault(
            str(meta["document"]),
            {
                "ids": [],
                "hashes": set(),
                "collection": meta["collection"],
                "title": meta["title"],
                "root": meta.get("root", ""),
            },
        )
        entry["ids"].append(chunk_id)
        entry["hashes"].add(meta["doc_hash"])
    return documents


def lexical_text(text: str, meta: Any) -> str:
    """Return what the lexical index should see: headings, then the chunk."""
    return " ".join([meta["title"], *json.loads(meta["heading_path"]), text])


def hit_from(chunk_id: str, text: str | None, meta: Any, score: float) -> ManualHit:
    """Build a `ManualHit` from what Chroma returns for one chunk."""
    return ManualHit(
        id=chunk_id,
        document=meta["document"],
        collection=meta["collection"],
        title=meta["title"],
        section=meta["section"],
        heading_path=json.loads(meta["heading_path"]),
        text=text or "",
        score=min(1.0, max(0.0, float(score))),
        start_line=meta["start_line"],
        end_line=meta["end_line"],
        page_start=meta.get("page_start") or None,
        page_end=meta.get("page_end") or None,
    )


def where_filter(collections: list[str] | None, document: str | None) -> Any:
    """Build a Chroma `where` filter for collections and a document, or None."""
    clauses: list[dict[str, Any]] = []
    if collections:
        clauses.append({"collection": {"$in": list(collections)}})
    if document:
        clauses.append({"document": document})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}
