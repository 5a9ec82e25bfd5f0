"""Manual search tool: the passages of the site's manuals that answer a question,
each with its document and section for citation.

When the question is about a device, the search is limited to that device's
manuals (the site model lists them), which keeps a drone question out of the
stepper-driver pages.
"""

from __future__ import annotations

import re

from pydantic import Field

from knowledge.index import ManualIndex
from tools.base import Source, ToolArgs, ToolResult
from tools.devices import resolve
from tools.errors import DeviceNotFound
from tools.gateway import GatewayClient
from tools.selectors import DeviceSelector

MAX_PASSAGE_CHARS = 1200
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
    k: int = Field(default=3, ge=1, le=10)


def device_manuals(gateway: GatewayClient, device: str) -> list[str] | None:
    """The manual collections of a device, or None when it lists none."""
    try:
        found = resolve(gateway, DeviceSelector(device=device))
    except DeviceNotFound:
        return None
    collections = sorted({c for d in found for c in d.get("manuals", [])})
    return collections or None


def prefer_procedures(hits: list, query: str) -> list:
    """For a how-to question, put passages holding a numbered procedure first.

    A technician asking how to do something needs the procedure, which ranks
    below the overview of the same topic by meaning alone.
    """
    if not HOW_TO.search(query):
        return hits
    return sorted(hits, key=lambda h: len(NUMBERED_STEP.findall(h.text)) < 3)


def search_manuals(
    index: ManualIndex, gateway: GatewayClient | None, args: SearchManualsArgs
) -> ToolResult:
    """Search the manuals; every hit carries its document and section."""
    collections = None
    if args.device and gateway is not None:
        collections = device_manuals(gateway, args.device)
    depth = args.k * CANDIDATES_PER_HIT
    hits = index.search(args.query, k=depth, collections=collections)
    if not hits and collections:
        hits = index.search(args.query, k=depth)
    hits = prefer_procedures(hits, args.query)[: args.k]
    passages = [
        {
            "document": h.document,
            "section": h.section,
            "heading_path": list(h.heading_path),
            "score": round(h.score, 3),
            "lines": [h.start_line, h.end_line],
            "text": h.text[:MAX_PASSAGE_CHARS],
        }
        for h in hits
    ]
    sources = [Source(document=h.document, section=h.section) for h in hits]
    return ToolResult.success(passages, sources=sources)
