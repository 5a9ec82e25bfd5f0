"""Manual search tool: the passages of the site's manuals that answer a question,
each with its document and section for citation, and a verdict on whether they
answer it at all.

When the question is about a device or a device type, the search is limited to
those devices' manuals (the site model lists them), which keeps a drone question
out of the stepper-driver pages. The same functions serve `fieldpilot manuals`.

Passages are data: their text goes to the answer writer as quoted reference,
never into a prompt that can call tools.
"""

from __future__ import annotations

import re
from typing import Any

from pydantic import Field

from knowledge.evidence import assess
from knowledge.index import SEARCH_MODES, ManualIndex
from tools.base import Source, ToolArgs, ToolResult
from tools.devices import resolve
from tools.errors import DeviceNotFound, ToolError
from tools.gateway import GatewayClient
from tools.selectors import DeviceSelector

MAX_PASSAGE_CHARS = 4000
"""Enough for a table or procedure kept whole (three chunk sizes)."""
CANDIDATES_PER_HIT = 3
HOW_TO = re.compile(
    r"\b(how (do|can|should|to)|steps?|procedure|(re)?calibrat\w*|pair\w*|"
    r"reset|install\w*|configur\w*|set ?up|replace)\b",
    re.I,
)
NUMBERED_STEP = re.compile(r"^\s*\d+[.)]\s+\S", re.M)


class SearchManualsArgs(ToolArgs):
    """Arguments of search_manuals."""

    query: str = Field(min_length=2, description="The question in plain words.")
    device: str | None = Field(
        default=None, description="A device id or name the question is about."
    )
    device_type: str | None = Field(
        default=None, description="Only manuals of this device type, e.g. pump."
    )
    document: str | None = Field(
        default=None, description="Only this document (its path under manuals/)."
    )
    k: int = Field(default=3, ge=1, le=10)
    mode: str = Field(default="hybrid", pattern="^(" + "|".join(SEARCH_MODES) + ")$")


def device_manuals(gateway: GatewayClient, device: str) -> list[str] | None:
    """The manual collections of a device, or None when it lists none."""
    try:
        found = resolve(gateway, DeviceSelector(device=device))
    except DeviceNotFound:
        return None
    collections = sorted({c for d in found for c in d.get("manuals", [])})
    return collections or None


def type_manuals(gateway: GatewayClient, device_type: str) -> list[str]:
    """The manual collections of every device of a type; an unknown type is an
    error that names the types the site has."""
    devices = gateway.devices()
    types = sorted({d.get("type", "") for d in devices})
    wanted = device_type.strip().casefold()
    if wanted not in types:
        raise ToolError(
            f"No device type {device_type!r} on this site; types: {', '.join(types)}."
        )
    found = [d for d in devices if d.get("type") == wanted]
    return sorted({c for d in found for c in d.get("manuals", [])})


def prefer_procedures(hits: list, query: str) -> list:
    """For a how-to question, put passages holding a numbered procedure first.

    A technician asking how to do something needs the procedure, which ranks
    below the overview of the same topic by meaning alone.
    """
    if not HOW_TO.search(query):
        return hits
    return sorted(hits, key=lambda h: len(NUMBERED_STEP.findall(h.text)) < 3)


def rank_passages(
    index: ManualIndex,
    query: str,
    k: int,
    collections: list[str] | None = None,
    mode: str = "hybrid",
    document: str | None = None,
) -> list:
    """The `k` passages the tool returns for `query`, best first."""
    depth = k * CANDIDATES_PER_HIT
    found = index.search(
        query, k=depth, collections=collections, document=document, mode=mode
    )
    if not found and collections and document is None:
        found = index.search(query, k=depth, mode=mode)
    return prefer_procedures(found, query)[:k]


def passage(hit: Any) -> dict[str, Any]:
    """One retrieved passage as the tool returns it."""
    return {
        "document": hit.document,
        "section": hit.section,
        "heading_path": list(hit.heading_path),
        "score": round(hit.score, 3),
        "lines": [hit.start_line, hit.end_line],
        "pages": [hit.page_start, hit.page_end] if hit.page_start else None,
        "text": hit.text[:MAX_PASSAGE_CHARS],
    }


def search_manuals(
    index: ManualIndex, gateway: GatewayClient | None, args: SearchManualsArgs
) -> ToolResult:
    """Search the manuals: passages with document and section, and whether they
    are strong enough evidence to answer from (`answerable`, `evidence`)."""
    collections = None
    if gateway is not None and args.device_type:
        try:
            collections = type_manuals(gateway, args.device_type)
        except ToolError as exc:
            return ToolResult.failure(str(exc))
    if args.device and gateway is not None:
        collections = device_manuals(gateway, args.device) or collections
    hits = rank_passages(
        index, args.query, args.k, collections, args.mode, args.document
    )
    verdict = assess(args.query, hits, index)
    data = {
        "answerable": verdict.answerable,
        "evidence": verdict.reason,
        "passages": [passage(h) for h in hits],
    }
    sources = [Source(document=h.document, section=h.section) for h in hits]
    return ToolResult.success(data, sources=sources)


def list_manuals(index: ManualIndex) -> ToolResult:
    """The indexed documents: collection, title and number of chunks."""
    return ToolResult.success(index.documents())
