"""Find the headings of a manual and cut it into sections.

Each reader (Markdown, reStructuredText, AsciiDoc, plain text) only finds
headings; `parse_document` turns them into contiguous `Section` line ranges with
heading paths. Line numbers inside this module are 0-based indexes into the
document's lines; `chunking` turns them into 1-based numbers for people.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from knowledge.errors import UnsupportedFormat

FORMATS: dict[str, str] = {
    ".md": "markdown",
    ".markdown": "markdown",
    ".rst": "rst",
    ".adoc": "asciidoc",
    ".asciidoc": "asciidoc",
    ".txt": "text",
    ".html": "html",
    ".htm": "html",
    ".pdf": "pdf",
}
READERS = {"html": "markdown", "pdf": "markdown"}
"""Formats that `knowledge.convert` turns into another format's text first."""

MD_FENCE = re.compile(r"^\s*(`{3,}|~{3,})(.*)$")
_MD_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MD_NOT_PARAGRAPH = re.compile(r"^\s*([-*+>|]|\d+[.)]\s|#|<)")
_RST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}[ \t]*$")
_ADOC_HEADING = re.compile(r"^(={1,6})[ \t]+(\S.*?)(?:[ \t]+=+)?[ \t]*$")
ADOC_DELIMITER = re.compile(
    r"^(-{4,}|\.{4,}|\+{4,}|_{4,}|\*{4,}|/{4,}|=={4,}|\|===)\s*$"
)
_TXT_NUMBERED = re.compile(r"^(\d+(?:\.\d+)*)\.?[ \t]+([A-Z][^.:;]{1,70})$")
_ANCHOR = re.compile(r"\s*\{#[^}]*\}\s*$")


@dataclass(frozen=True)
class Heading:
    """A heading found by a reader: its lines [start, end) and its rank."""

    start: int
    end: int
    level: int
    text: str


@dataclass(frozen=True)
class Section:
    """A contiguous range of lines [start, end) under one heading."""

    start: int
    end: int
    heading_lines: int
    level: int
    heading: str
    heading_path: tuple[str, ...]


@dataclass(frozen=True)
class ParsedDocument:
    """A manual cut into sections, with its title and all its lines."""

    title: str
    lines: list[str]
    sections: list[Section]
    fmt: str


def detect_format(path: str) -> str:
    """Return the format name for a file path, or raise `UnsupportedFormat`."""
    fmt = FORMATS.get(PurePosixPath(path).suffix.lower())
    if fmt is None:
        raise UnsupportedFormat(path, tuple(FORMATS))
    return fmt


def parse_document(text: str, path: str) -> ParsedDocument:
    """Split a manual's text into sections according to its file format."""
    fmt = READERS.get(detect_format(path), detect_format(path))
    lines = text.splitlines()
    content_start, meta_title = 0, None
    if fmt == "markdown":
        content_start, meta_title = _front_matter(lines)
    readers = {
        "markdown": _markdown_headings,
        "rst": _rst_headings,
        "asciidoc": _asciidoc_headings,
        "text": _text_headings,
    }
    headings = readers[fmt](lines, content_start)
    title = meta_title or _title_from(headings) or _title_from_path(path)
    sections = _build_sections(lines, headings, content_start, title)
    return ParsedDocument(title=title, lines=lines, sections=sections, fmt=fmt)


def _front_matter(lines: list[str]) -> tuple[int, str | None]:
    """Skip a YAML front matter block and return its `title:` if it has one."""
    if not lines or lines[0].strip() != "---":
        return 0, None
    for index in range(1, min(len(lines), 60)):
        if lines[index].strip() in ("---", "..."):
            title = None
            for line in lines[1:index]:
                if line.startswith("title:"):
                    title = line.partition(":")[2].strip().strip("\"'") or None
            return index + 1, title
    return 0, None


def _clean_heading(text: str) -> str:
    """Drop anchors and inline markup from heading text."""
    text = _ANCHOR.sub("", text)
    return text.replace("**", "").replace("`", "").strip()


def _markdown_headings(lines: list[str], start: int) -> list[Heading]:
    """Find ATX and setext headings, ignoring everything in fenced code."""
    headings: list[Heading] = []
    fence: str | None = None
    for index in range(start, len(lines)):
        line = lines[index]
        opened = MD_FENCE.match(line)
        if fence is not None:
            if opened and opened.group(1)[0] == fence[0]:
                if len(opened.group(1)) >= len(fence) and not opened.group(2).strip():
                    fence = None
            continue
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            fence = opened.group(1)
            continue
        atx = _MD_ATX.match(line)
        if atx:
            level = len(atx.group(1))
            headings.append(
                Heading(index, index + 1, level, _clean_heading(atx.group(2) or ""))
            )
        elif _is_setext(lines, index, start, headings):
            level = 1 if line.strip()[0] == "=" else 2
            headings.append(
                Heading(index - 1, index + 1, level, _clean_heading(lines[index - 1]))
            )
    return [h for h in headings if h.text]


def _is_setext(lines: list[str], index: int, start: int, found: list[Heading]) -> bool:
    """Tell whether lines[index] underlines a one-line setext heading."""
    if index - 1 < start or not _MD_SETEXT.match(lines[index]):
        return False
    previous = lines[index - 1]
    if not previous.strip() or previous.startswith("    "):
        return False
    if _MD_NOT_PARAGRAPH.match(previous):
        return False
    if found and found[-1].end > index - 1:
        return False
    before = lines[index - 2] if index - 2 >= start else ""
    return not before.strip()


def _rst_headings(lines: list[str], start: int) -> list[Heading]:
    """Find titles with an underline (and maybe an overline); rank by first use."""
    styles: list[tuple[str, bool]] = []
    headings: list[Heading] = []
    index = start
    while index < len(lines) - 1:
        found = _rst_title_at(lines, index)
        if found is None:
            index += 1
            continue
        style, text, size = found
        if style not in styles:
            styles.append(style)
        headings.append(Heading(index, index + size, styles.index(style) + 1, text))
        index += size
    return headings


def _rst_title_at(
    lines: list[str], index: int
) -> tuple[tuple[str, bool], str, int] | None:
    """Return (style, text, line count) if a reST title starts at lines[index]."""
    line = lines[index]
    over = _RST_ADORNMENT.match(line)
    if over and index + 2 < len(lines):
        text, under = lines[index + 1].strip(), lines[index + 2].rstrip()
        if text and not _RST_ADORNMENT.match(text) and under == line.rstrip():
            return (line[0], True), _clean_heading(text), 3
    if over or not line.strip() or line[0].isspace():
        return None
    under = _RST_ADORNMENT.match(lines[index + 1])
    if under is None or len(lines[index + 1].rstrip()) < min(len(line.rstrip()), 4):
        return None
    if (
        index > 0
        and lines[index - 1].strip()
        and not _RST_ADORNMENT.match(lines[index - 1])
    ):
        return None
    return (lines[index + 1][0], False), _clean_heading(line), 2


def _asciidoc_headings(lines: list[str], start: int) -> list[Heading]:
    """Find `=` section titles outside delimited blocks (listings, tables)."""
    headings: list[Heading] = []
    delimiter: str | None = None
    for index in range(start, len(lines)):
        line = lines[index].rstrip()
        if ADOC_DELIMITER.match(line):
            if delimiter is None:
                delimiter = line
            elif line == delimiter:
                delimiter = None
            continue
        if delimiter is not None:
            continue
        match = _ADOC_HEADING.match(line)
        if match:
            level = len(match.group(1))
            headings.append(
                Heading(index, index + 1, level, _clean_heading(match.group(2)))
            )
    return headings


def _text_headings(lines: list[str], start: int) -> list[Heading]:
    """Find ALL-CAPS or numbered heading lines set off by blank lines.

    A plain text file has headings only when at least two such lines exist;
    otherwise it is one section.
    """
    headings: list[Heading] = []
    for index in range(start, len(lines)):
        line = lines[index].strip()
        before = lines[index - 1].strip() if index > start else ""
        if not line or before or index + 1 >= len(lines):
            continue
        level = _text_heading_level(line)
        if level:
            headings.append(Heading(index, index + 1, level, line.rstrip(":")))
    return headings if len(headings) >= 2 else []


def _text_heading_level(line: str) -> int:
    """Return a heading level for a plain-text line, or 0 if it is not one."""
    letters = [char for char in line if char.isalpha()]
    if 3 <= len(letters) and len(line) <= 80 and all(c.isupper() for c in letters):
        if not line.endswith((".", ",", ";")) and not line.startswith(("{", "[", '"')):
            return 1
    numbered = _TXT_NUMBERED.match(line)
    if numbered:
        return numbered.group(1).count(".") + 1
    return 0


def _title_from(headings: list[Heading]) -> str | None:
    """Use the first heading as title when it is the document's only top heading."""
    if not headings:
        return None
    top = min(h.level for h in headings)
    first = headings[0]
    if first.level == top and sum(h.level == top for h in headings) == 1:
        return first.text
    return None


def _title_from_path(path: str) -> str:
    """Turn a file name like `pairing_devices.md` into `Pairing devices`."""
    stem = PurePosixPath(path).stem.split(".")[0]
    words = re.sub(r"[_\-]+", " ", stem).strip()
    return words[:1].upper() + words[1:] if words else path


def _build_sections(
    lines: list[str], headings: list[Heading], start: int, title: str
) -> list[Section]:
    """Turn headings into contiguous sections with their heading paths."""
    sections: list[Section] = []
    first = headings[0].start if headings else len(lines)
    if any(line.strip() for line in lines[start:first]):
        sections.append(Section(start, first, 0, 0, title, ()))
    stack: list[tuple[int, str]] = []
    for position, heading in enumerate(headings):
        while stack and stack[-1][0] >= heading.level:
            stack.pop()
        stack.append((heading.level, heading.text))
        end = (
            headings[position + 1].start if position + 1 < len(headings) else len(lines)
        )
        sections.append(
            Section(
                start=heading.start,
                end=end,
                heading_lines=heading.end - heading.start,
                level=heading.level,
                heading=heading.text,
                heading_path=tuple(text for _, text in stack),
            )
        )
    return sections
