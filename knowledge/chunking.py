"""Cut manuals into `ManualChunk`s that follow their structure.

A chunk is a run of whole source lines: `text` is exactly the lines
`start_line`..`end_line` (1-based, inclusive) of the document. Chunks break at
headings; a section longer than `max_chars` is cut between paragraphs, never
inside a code block, table, list or numbered procedure: those stay whole up to
`WHOLE` times `max_chars` and only longer ones are cut. A section with
less than `min_chars` of body is merged into the section after it (or, at the
end of a document, into the one before).

    >>> chunks = chunk_text("# Pump\\n\\nPrime it before starting.", "plant/pump.md")
    >>> chunks[0].section, chunks[0].start_line
    ('Pump', 1)
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath

from pydantic import BaseModel, ConfigDict

from knowledge.convert import read_manual
from knowledge.errors import DocumentUnreadable, KnowledgeError
from knowledge.parsing import (
    ADOC_DELIMITER,
    FORMATS,
    MD_FENCE,
    ParsedDocument,
    Section,
    parse_document,
)

MAX_CHARS = 1500
MIN_CHARS = 80
SKIPPED_NAMES = frozenset({"LICENSE", "LICENCE", "COPYING", "SOURCES"})

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)]|[a-zA-Z][.)]|#\.)\s+\S")
_TABLE_ROW = re.compile(r"^\s*(\|.*\||\+[-=+]+\+|=+( +=+)+)\s*$")
_NUMBERED = re.compile(r"^\s*(\d+[.)]|#\.)\s+\S")
WHOLE = {"code": 2, "table": 3, "procedure": 3}
"""How many times `max_chars` a block of each kind may reach before it is cut."""
_RST_DIRECTIVE = re.compile(r"^\.\. [\w:-]+::")
_SLUG = re.compile(r"[^a-z0-9]+")


class ManualChunk(BaseModel):
    """One retrievable piece of a manual, with where it came from."""

    model_config = ConfigDict(frozen=True)

    id: str
    document: str
    collection: str
    title: str
    section: str
    heading_path: list[str]
    text: str
    start_line: int
    end_line: int
    page_start: int | None = None  # PDF pages the chunk spans, 1-based
    page_end: int | None = None

    def embedding_text(self) -> str:
        """Return the text to embed: title and heading path, then the chunk."""
        path = [h for h in self.heading_path if h != self.title]
        context = " > ".join([self.title, *path])
        return f"{context}\n\n{self.text}"


@dataclass
class _Block:
    """Lines [start, end) that should stay together, and where they may break."""

    start: int
    end: int
    kind: str
    breaks: list[int] = field(default_factory=list)


def is_manual(path: PurePosixPath | Path) -> bool:
    """Tell whether a file is a manual to ingest (not a licence or SOURCES.md)."""
    if any(part.startswith(".") for part in path.parts):
        return False
    stem = path.name.split(".")[0].upper()
    return path.suffix.lower() in FORMATS and stem not in SKIPPED_NAMES


def find_manuals(root: Path) -> list[Path]:
    """List the manual files below `root`, sorted, skipping licences and links
    that lead outside `root` (a link to /etc/passwd is no manual)."""
    if not root.is_dir():
        raise KnowledgeError(
            f"{root} is not a folder; pass the folder that holds the manuals."
        )
    inside = root.resolve()
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file()
        and is_manual(path.relative_to(root))
        and path.resolve().is_relative_to(inside)
    )


def decode_manual(data: bytes, document: str) -> str:
    """A manual's text (HTML as Markdown, a PDF's text layer), or raise
    `DocumentUnreadable`."""
    return read_manual(data, document).text


def chunk_file(path: Path, root: Path) -> list[ManualChunk]:
    """Read, parse and chunk one manual file below `root`."""
    document = path.relative_to(root).as_posix()
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentUnreadable(document, exc.strerror or str(exc)) from exc
    collection = document.split("/")[0] if "/" in document else root.name
    extracted = read_manual(data, document)
    return chunk_text(extracted.text, document, collection, pages=extracted.pages)


def chunk_text(
    text: str,
    document: str,
    collection: str | None = None,
    *,
    max_chars: int = MAX_CHARS,
    min_chars: int = MIN_CHARS,
    pages: list[int] | None = None,
) -> list[ManualChunk]:
    """Chunk a manual's text; `document` is its path relative to the manuals root;
    `pages` (a PDF's) holds the 0-based line where each page starts."""
    if collection is None:
        collection = document.split("/")[0] if "/" in document else ""
    parsed = parse_document(text, document)
    sizes = _prefix_sizes(parsed.lines)
    chunks: list[ManualChunk] = []
    ordinals: dict[str, int] = {}
    for section, start, sticky_end in _group_sections(parsed, sizes, min_chars):
        blocks = _blocks(parsed.lines, sticky_end, section.end, parsed.fmt)
        if sticky_end > start:
            blocks.insert(0, _Block(start, sticky_end, "heading"))
        for first, last in _pack(blocks, sizes, max_chars, min_chars):
            first, last = _trim(parsed.lines, first, last)
            if first >= last:
                continue
            slug = _SLUG.sub("-", section.heading.lower()).strip("-")[:60] or "section"
            ordinal = ordinals.get(slug, 0)
            ordinals[slug] = ordinal + 1
            chunks.append(
                ManualChunk(
                    id=f"{document}#{slug}-{ordinal}",
                    document=document,
                    collection=collection,
                    title=parsed.title,
                    section=section.heading,
                    heading_path=list(section.heading_path) or [parsed.title],
                    text="\n".join(parsed.lines[first:last]),
                    start_line=first + 1,
                    end_line=last,
                    page_start=page_of(pages, first),
                    page_end=page_of(pages, last - 1),
                )
            )
    return chunks


def page_of(pages: list[int] | None, line: int) -> int | None:
    """The 1-based page that holds 0-based `line`, or None without pages."""
    if not pages:
        return None
    return bisect.bisect_right(pages, line) or 1


def _prefix_sizes(lines: list[str]) -> list[int]:
    """Return cumulative character counts, so a range's size is one subtraction."""
    sizes = [0]
    for line in lines:
        sizes.append(sizes[-1] + len(line.rstrip()) + 1)
    return sizes


def _group_sections(
    parsed: ParsedDocument, sizes: list[int], min_chars: int
) -> list[tuple[Section, int, int]]:
    """Merge tiny sections forward; return (section, start, end of sticky lines)."""
    groups: list[tuple[Section, int, int]] = []
    carry: int | None = None
    last = len(parsed.sections) - 1
    for position, section in enumerate(parsed.sections):
        body_start = section.start + section.heading_lines
        start = section.start if carry is None else carry
        tiny = sizes[section.end] - sizes[body_start] < min_chars
        if tiny and position < last:
            carry = start
            continue
        if tiny and groups:
            held, held_start, held_sticky = groups[-1]
            groups[-1] = (replace(held, end=section.end), held_start, held_sticky)
            continue
        groups.append((section, start, body_start))
        carry = None
    return groups


def _blocks(lines: list[str], start: int, end: int, fmt: str) -> list[_Block]:
    """Cut lines [start, end) into paragraphs, code blocks and lists."""
    blocks: list[_Block] = []
    index = start
    while index < end:
        if not lines[index].strip():
            index += 1
            continue
        close = _code_end(lines, index, end, fmt)
        if close is not None:
            inner = [i + 1 for i in range(index, close) if not lines[i].strip()]
            blocks.append(_Block(index, close, "code", inner))
            index = close
            continue
        stop = index + 1
        while stop < end and lines[stop].strip():
            if _code_end(lines, stop, end, fmt) is not None:
                break
            stop += 1
        kind = "item" if _LIST_ITEM.match(lines[index]) else "text"
        if _TABLE_ROW.match(lines[index]) and _TABLE_ROW.match(lines[stop - 1]):
            kind = "table"
        blocks.append(_Block(index, stop, kind, list(range(index + 1, stop))))
        index = stop
    return _join(blocks, lines)


def _code_end(lines: list[str], index: int, end: int, fmt: str) -> int | None:
    """If a fenced or delimited block opens at `index`, return where it ends."""
    line = lines[index].rstrip()
    if fmt == "markdown":
        opened = MD_FENCE.match(line)
        if opened is None:
            return None
        fence = opened.group(1)
        for close in range(index + 1, end):
            marker = lines[close].strip()
            if marker.startswith(fence) and not marker.strip(fence[0]):
                return close + 1
        return end
    if fmt == "asciidoc" and ADOC_DELIMITER.match(line):
        for close in range(index + 1, end):
            if lines[close].rstrip() == line:
                return close + 1
        return end
    return None


def _join(blocks: list[_Block], lines: list[str]) -> list[_Block]:
    """Attach indented continuations to the block before; gather list items."""
    joined: list[_Block] = []
    for block in blocks:
        previous = joined[-1] if joined else None
        indented = lines[block.start][:1].isspace()
        in_list = previous is not None and previous.kind in (
            "item",
            "list",
            "procedure",
        )
        if previous is not None and (indented or (in_list and block.kind == "item")):
            if indented and previous.kind == "text" and _opens_literal(lines, previous):
                previous.kind = "code"
            previous.breaks.append(block.start)
            previous.breaks.extend(block.breaks)
            previous.end = block.end
            if in_list or block.kind == "item":
                numbered = _NUMBERED.match(lines[previous.start])
                previous.kind = "procedure" if numbered else "list"
            continue
        if block.kind == "item" and _NUMBERED.match(lines[block.start]):
            block.kind = "procedure"
        joined.append(block)
    return joined


def _opens_literal(lines: list[str], block: _Block) -> bool:
    """Tell whether a reST block introduces an indented literal or directive."""
    return bool(_RST_DIRECTIVE.match(lines[block.start])) or lines[
        block.end - 1
    ].rstrip().endswith("::")


def _pack(
    blocks: list[_Block], sizes: list[int], max_chars: int, min_chars: int
) -> list[tuple[int, int]]:
    """Greedily fill chunks of up to `max_chars` with whole blocks."""
    ranges: list[tuple[int, int]] = []
    current: tuple[int, int] | None = None
    body = 0
    for block in blocks:
        for start, end in _fit(block, sizes, max_chars):
            size = sizes[end] - sizes[start]
            if current is not None:
                total = sizes[end] - sizes[current[0]]
                if total > max_chars and body >= min_chars:
                    ranges.append(current)
                    current, body = None, 0
            current = (current[0] if current else start, end)
            body += 0 if block.kind == "heading" else size
    if current is not None:
        ranges.append(current)
    # A short tail reads better with the piece before it than on its own.
    if len(ranges) > 1:
        (first, _), (last_start, last_end) = ranges[-2], ranges[-1]
        tail = sizes[last_end] - sizes[last_start]
        if tail < 2 * min_chars and sizes[last_end] - sizes[first] <= 1.25 * max_chars:
            ranges[-2:] = [(first, last_end)]
    return ranges


def _fit(block: _Block, sizes: list[int], max_chars: int) -> list[tuple[int, int]]:
    """Split a block that is too long at its break points, then at any line."""
    limit = max_chars * WHOLE.get(block.kind, 1)
    if sizes[block.end] - sizes[block.start] <= limit:
        return [(block.start, block.end)]
    pieces: list[tuple[int, int]] = []
    for start, end in _split(block.start, block.end, block.breaks, sizes, max_chars):
        if sizes[end] - sizes[start] > limit:
            every_line = list(range(start + 1, end))
            pieces.extend(_split(start, end, every_line, sizes, max_chars))
        else:
            pieces.append((start, end))
    return pieces


def _split(
    start: int, end: int, breaks: list[int], sizes: list[int], max_chars: int
) -> list[tuple[int, int]]:
    """Cut [start, end) at the given break lines into pieces near `max_chars`."""
    pieces: list[tuple[int, int]] = []
    piece_start, last_ok = start, start
    for point in sorted({b for b in breaks if start < b < end}) + [end]:
        if sizes[point] - sizes[piece_start] > max_chars and last_ok > piece_start:
            pieces.append((piece_start, last_ok))
            piece_start = last_ok
        last_ok = point
    pieces.append((piece_start, end))
    return pieces


def _trim(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """Drop blank lines at both ends of a range."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end
