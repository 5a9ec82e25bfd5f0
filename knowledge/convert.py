"""Turn a manual file's bytes into text whose headings the parsers can read.

Markdown, reStructuredText, AsciiDoc and plain text are read as they are
(UTF-8). HTML becomes Markdown (headings, paragraphs, lists, tables as pipe
rows, preformatted blocks fenced) with BeautifulSoup. A PDF's text layer is read
page by page with pypdf, and lines set in a larger type than the body become
Markdown headings; `pages` records the line where each page starts, so chunks
can cite pages. A page with no text layer (a scan) is read with OCR when
rapidocr-onnxruntime is installed (`pip install 'fieldpilot[vision]'`) and
otherwise reported in `warnings`.

    >>> read_manual(b"<h1>Pump</h1><p>Prime it first.</p>", "pump.html").text
    '# Pump\\n\\nPrime it first.'
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from knowledge.errors import DocumentUnreadable

logger = logging.getLogger(__name__)

HEADING_RATIO = 1.15
"""A PDF line set this much larger than the body text is a heading."""
MAX_HEADING_CHARS = 90

_SPACES = re.compile(r"[ \t\u00a0]+")


@dataclass
class Extracted:
    """A manual's text; for a PDF, the 0-based line where each page starts."""

    text: str
    pages: list[int] | None = None
    warnings: list[str] = field(default_factory=list)


def read_manual(data: bytes, document: str) -> Extracted:
    """The text of a manual file, by its extension; `DocumentUnreadable` if the
    bytes are not what the extension says."""
    suffix = PurePosixPath(document).suffix.lower()
    if suffix == ".pdf":
        return _parsed(pdf_text, data, document)
    text = decode_text(data, document)
    if suffix in (".html", ".htm"):
        return Extracted(_parsed(lambda t, _: html_to_markdown(t), text, document))
    return Extracted(text)


def _parsed(parse: Any, data: Any, document: str) -> Any:
    """Run a third-party parser; anything it raises on a malformed file becomes
    `DocumentUnreadable`, so one bad file never stops an ingest."""
    try:
        return parse(data, document)
    except DocumentUnreadable:
        raise
    except RecursionError as exc:
        raise DocumentUnreadable(document, "it is nested too deeply to read") from exc
    except Exception as exc:  # noqa: BLE001 - pypdf and bs4 raise many kinds
        raise DocumentUnreadable(
            document, f"it could not be parsed ({type(exc).__name__}: {exc})"
        ) from exc


def decode_text(data: bytes, document: str) -> str:
    """Decode a text manual as UTF-8, or raise `DocumentUnreadable`."""
    if b"\x00" in data:
        raise DocumentUnreadable(document, "it contains NUL bytes, so it is binary")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DocumentUnreadable(
            document, f"it is not UTF-8: byte {exc.start} cannot be decoded"
        ) from exc


# --- HTML ---------------------------------------------------------------------

_BLOCKS = {"p", "div", "section", "article", "main", "blockquote", "dd", "dt"}
_SKIP = {"script", "style", "nav", "header", "footer", "noscript", "template"}


def html_to_markdown(html: str) -> str:
    """Markdown for an HTML page: what the chunker needs, not a faithful copy."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    body = soup.body or soup
    blocks: list[str] = []
    _walk(body, blocks)
    return "\n\n".join(b for b in blocks if b.strip()).strip()


def _inline(node: Any) -> str:
    return _SPACES.sub(" ", node.get_text(" ", strip=True)).strip()


def _walk(node: Any, blocks: list[str]) -> None:
    """Append the Markdown blocks of `node`'s children to `blocks`."""
    from bs4 import NavigableString, Tag

    loose: list[str] = []

    def flush() -> None:
        text = _SPACES.sub(" ", " ".join(loose)).strip()
        if text:
            blocks.append(text)
        loose.clear()

    for child in node.children:
        if isinstance(child, NavigableString):
            if child.strip() and type(child).__name__ == "NavigableString":
                loose.append(str(child).strip())
            continue
        if not isinstance(child, Tag) or child.name in _SKIP:
            continue
        name = child.name
        if re.fullmatch(r"h[1-6]", name):
            flush()
            blocks.append("#" * int(name[1]) + " " + _inline(child))
        elif name in ("ul", "ol"):
            flush()
            blocks.append(_list(child, ordered=name == "ol"))
        elif name == "table":
            flush()
            blocks.append(_table(child))
        elif name == "pre":
            flush()
            blocks.append("```\n" + child.get_text().strip("\n") + "\n```")
        elif name == "br":
            flush()
        elif name in _BLOCKS or child.find(
            ["h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "table", "pre", "p"]
        ):
            flush()
            _walk(child, blocks)
        else:
            loose.append(_inline(child))
    flush()


def _list(node: Any, ordered: bool) -> str:
    items = node.find_all("li", recursive=False)
    return "\n".join(
        f"{number}. {_inline(item)}" if ordered else f"- {_inline(item)}"
        for number, item in enumerate(items, start=1)
    )


def _table(node: Any) -> str:
    rows = []
    for row in node.find_all("tr"):
        cells = [_inline(c).replace("|", "/") for c in row.find_all(["th", "td"])]
        if cells:
            rows.append(cells)
    if not rows:
        return ""
    width = max(len(r) for r in rows)
    rows = [r + [""] * (width - len(r)) for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


# --- PDF ----------------------------------------------------------------------


def pdf_text(data: bytes, document: str) -> Extracted:
    """A PDF's text layer as Markdown-ish lines, with page starts and warnings."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted:
            raise DocumentUnreadable(
                document, "it is encrypted; index an unencrypted copy"
            )
        pages = [_page_lines(page) for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise DocumentUnreadable(document, f"it is not a readable PDF ({exc})") from exc
    if not pages:
        raise DocumentUnreadable(document, "it has no pages")
    warnings: list[str] = []
    for number, lines in enumerate(pages, start=1):
        if lines:
            continue
        try:
            text = _ocr_page(reader.pages[number - 1])
        except Exception as exc:  # noqa: BLE001 - a broken image is one page lost
            warnings.append(f"page {number} has no text layer and its image "
                            f"could not be read ({type(exc).__name__})")  # fmt: skip
            continue
        if text is None:
            warnings.append(
                f"page {number} has no text layer (a scan?); install "
                "'fieldpilot[vision]' to read it with OCR"
            )
        elif text:
            pages[number - 1] = [(line, 0.0) for line in text.splitlines()]
            warnings.append(f"page {number} was read with OCR")
        else:
            warnings.append(f"page {number} has no text layer and OCR found no text")
    if not any(pages):
        raise DocumentUnreadable(document, "it has no text layer: " + warnings[0])
    for warning in warnings:
        logger.warning("%s: %s", document, warning)
    body = _body_size([line for page in pages for line in page])
    sizes = sorted(
        {round(s) for page in pages for _, s in page if _is_heading(s, body)},
        reverse=True,
    )
    out: list[str] = []
    starts: list[int] = []
    for page in pages:
        starts.append(len(out))
        for text, size in page:
            if _is_heading(size, body) and len(text) <= MAX_HEADING_CHARS:
                level = min(sizes.index(round(size)) + 1, 6)
                out += ["", "#" * level + " " + text, ""]
            else:
                out.append(text)
    return Extracted("\n".join(out), starts, warnings)


def _is_heading(size: float, body: float) -> bool:
    return body > 0 and size >= body * HEADING_RATIO


def _body_size(lines: list[tuple[str, float]]) -> float:
    """The type size that most characters are set in."""
    counts: Counter[float] = Counter()
    for text, size in lines:
        counts[round(size)] += len(text)
    return float(counts.most_common(1)[0][0]) if counts else 0.0


def _page_lines(page: Any) -> list[tuple[str, float]]:
    """(text, type size) for each line of a page, top to bottom."""
    pieces: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: Any, tm: Any, font: Any, size: float) -> None:
        if not text.strip():
            return
        scale = abs(tm[3] * cm[3]) or abs(tm[0] * cm[0]) or 1.0
        y = tm[5] * cm[3] + cm[5]
        x = tm[4] * cm[0] + cm[4]
        for part in text.splitlines():
            if part.strip():
                pieces.append((-round(y, 0), x, size * scale, part))

    page.extract_text(visitor_text=visit)
    lines: list[tuple[str, float]] = []
    for y in sorted({p[0] for p in pieces}):
        row = sorted((p for p in pieces if p[0] == y), key=lambda p: p[1])
        text = _SPACES.sub(" ", " ".join(p[3].strip() for p in row)).strip()
        if text:
            lines.append((text, max(p[2] for p in row)))
    return lines


def _ocr_page(page: Any) -> str | None:
    """OCR text of a page's images, "" if it has none, None without OCR."""
    try:
        from rapidocr_onnxruntime import RapidOCR
    except ImportError:
        return None
    import numpy as np
    from PIL import Image

    engine = RapidOCR()
    found: list[str] = []
    for image in page.images:
        picture = Image.open(io.BytesIO(image.data)).convert("RGB")
        result, _ = engine(np.asarray(picture))
        found += [text for _, text, _ in result or []]
    return "\n".join(found)
