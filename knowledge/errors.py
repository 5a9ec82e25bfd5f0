"""Errors raised by the knowledge package.

Every message is a sentence that says what went wrong and what to do next.

    KnowledgeError
    ├── UnsupportedFormat      a file type the parser does not read
    ├── DocumentUnreadable     a file that cannot be read or decoded
    ├── IndexNotBuilt          a search before any `fieldpilot ingest`
    ├── EmbeddingModelMissing  the packaged MiniLM model is not installed
    ├── MissingDependency      an optional package (bm25s) is not installed
    └── IndexUnavailable       the vector or lexical store failed
"""

from __future__ import annotations

from pathlib import Path


class KnowledgeError(Exception):
    """Base class for every error the knowledge package raises."""


class UnsupportedFormat(KnowledgeError):
    """A file whose extension the manual parser does not read."""

    def __init__(self, path: Path | str, supported: tuple[str, ...]) -> None:
        self.path = str(path)
        super().__init__(
            f"{self.path} is not a manual format fieldpilot reads; convert it to "
            f"one of {', '.join(supported)} or leave it out of the manuals folder."
        )


class DocumentUnreadable(KnowledgeError):
    """A manual that cannot be read or decoded as UTF-8 text."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = str(path)
        self.reason = reason
        super().__init__(
            f"{self.path} could not be read ({reason}); save it as UTF-8 text "
            "and run the ingest again."
        )


class IndexNotBuilt(KnowledgeError):
    """A search on an index that has never been filled."""

    def __init__(self, path: Path | str, collection: str) -> None:
        self.path = str(path)
        self.collection = collection
        super().__init__(
            f"The manual index '{collection}' in {self.path} has not been built "
            "yet; run `fieldpilot ingest PATH` with the folder of manuals first."
        )


class EmbeddingModelMissing(KnowledgeError):
    """The packaged all-MiniLM-L6-v2 model folder cannot be found or loaded."""


class MissingDependency(KnowledgeError):
    """An optional package that a feature needs is not installed."""


class IndexUnavailable(KnowledgeError):
    """The vector store could not be opened, written or queried."""
