"""Remembering documents: parse manuals, chunk them by structure, search them.

- `parsing` finds headings in Markdown, reStructuredText, AsciiDoc and text.
- `chunking` cuts each document into `ManualChunk`s along those headings.
- `embeddings` embeds text with the packaged all-MiniLM-L6-v2 model.
- `index` keeps the chunks in ChromaDB (`ManualIndex`), ingests incrementally
  and answers searches with `ManualHit`s; `lexical` adds exact-term BM25 search.
- `errors` holds the exceptions, all subclasses of `KnowledgeError`.

Importing this package loads neither torch nor ChromaDB; `ManualIndex` and
friends are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from knowledge.chunking import ManualChunk, chunk_file, chunk_text
from knowledge.errors import (
    DocumentUnreadable,
    EmbeddingModelMissing,
    IndexNotBuilt,
    IndexUnavailable,
    KnowledgeError,
    UnsupportedFormat,
)

if TYPE_CHECKING:
    from knowledge.index import IngestReport, ManualHit, ManualIndex

__all__ = [
    "DocumentUnreadable",
    "EmbeddingModelMissing",
    "IndexNotBuilt",
    "IndexUnavailable",
    "IngestReport",
    "KnowledgeError",
    "ManualChunk",
    "ManualHit",
    "ManualIndex",
    "UnsupportedFormat",
    "chunk_file",
    "chunk_text",
]

_LAZY = {"IngestReport", "ManualHit", "ManualIndex"}


def __getattr__(name: str) -> Any:
    """Import the index classes only when they are first used."""
    if name in _LAZY:
        from knowledge import index

        return getattr(index, name)
    raise AttributeError(f"module 'knowledge' has no attribute {name!r}")
