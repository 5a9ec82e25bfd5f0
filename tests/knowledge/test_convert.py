"""Tests for knowledge/convert.py: HTML and PDF manuals become headed text."""

from __future__ import annotations

import io

import pytest

from knowledge.chunking import chunk_text
from knowledge.convert import read_manual
from knowledge.errors import DocumentUnreadable

HTML = b"""<html><head><style>p{}</style><script>alert(1)</script></head><body>
<nav>Home | Docs</nav>
<h1>Chiller CH-1</h1><p>Read this before service.</p>
<h2>Alarm codes</h2>
<table><tr><th>Code</th><th>Meaning</th></tr>
<tr><td>E17</td><td>Low suction pressure</td></tr>
<tr><td>E22</td><td>High discharge temperature</td></tr></table>
<h2>Restart after a trip</h2>
<ol><li>Isolate the supply.</li><li>Wait 5 minutes.</li><li>Press RESET.</li></ol>
<pre>reset --all</pre>
</body></html>"""


def test_html_becomes_markdown_headings_tables_and_steps() -> None:
    text = read_manual(HTML, "chiller/ch1.html").text
    assert text.startswith("# Chiller CH-1")
    assert "## Alarm codes" in text and "## Restart after a trip" in text
    assert "| E17 | Low suction pressure |" in text
    assert "1. Isolate the supply.\n2. Wait 5 minutes.\n3. Press RESET." in text
    assert "```\nreset --all\n```" in text
    assert "alert(1)" not in text and "Home | Docs" not in text


def test_html_chunks_keep_the_table_and_the_procedure_whole() -> None:
    text = read_manual(HTML, "chiller/ch1.html").text
    chunks = chunk_text(text, "chiller/ch1.html", "chiller")
    table = [c for c in chunks if "E17" in c.text]
    steps = [c for c in chunks if "Isolate the supply" in c.text]
    assert len(table) == 1 and "E22" in table[0].text
    assert table[0].heading_path[-1] == "Alarm codes"
    assert len(steps) == 1 and "Press RESET" in steps[0].text


def make_pdf(pages: list[list[tuple[str, int]]], scanned: bool = False) -> bytes:
    """A PDF with (text, type size) lines per page; `scanned` adds an image-only
    page at the end."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_auto_page_break(False)
    for lines in pages:
        pdf.add_page()
        pdf.set_y(20)
        for text, size in lines:
            pdf.set_font("helvetica", size=size)
            pdf.cell(0, size * 0.6, text, new_x="LMARGIN", new_y="NEXT")
    if scanned:
        from PIL import Image, ImageDraw

        picture = Image.new("RGB", (400, 120), "white")
        ImageDraw.Draw(picture).rectangle((20, 40, 380, 80), outline="black")
        buffer = io.BytesIO()
        picture.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=20, y=20, w=120)
    return bytes(pdf.output())


def test_pdf_headings_come_from_larger_type_and_pages_are_recorded() -> None:
    body = [("Check the oil level weekly with the pump stopped.", 10)] * 6
    faults = [
        (f"Fault F0{n} means check the seal and the bearing.", 10) for n in range(6)
    ]
    data = make_pdf(
        [
            [("Pump P-100 Manual", 20), *body, ("Maintenance", 15), *body],
            [("Troubleshooting", 15), *faults],
        ]
    )
    extracted = read_manual(data, "pumps/p100.pdf")
    assert "# Pump P-100 Manual" in extracted.text
    assert "## Maintenance" in extracted.text
    assert "## Troubleshooting" in extracted.text
    assert extracted.pages is not None and len(extracted.pages) == 2
    chunks = chunk_text(
        extracted.text, "pumps/p100.pdf", "pumps", pages=extracted.pages
    )
    fault = next(c for c in chunks if "F04" in c.text)
    assert (fault.page_start, fault.page_end) == (2, 2)
    assert fault.heading_path[-1] == "Troubleshooting"
    assert extracted.warnings == []


def test_scanned_pdf_page_is_read_by_ocr_or_reported() -> None:
    data = make_pdf([[("Valve V-7", 18), ("Open slowly.", 10)]], scanned=True)
    extracted = read_manual(data, "valves/v7.pdf")
    assert "Open slowly." in extracted.text
    assert len(extracted.warnings) == 1
    assert "page 2" in extracted.warnings[0]


def test_pdf_with_only_scanned_pages_and_no_ocr_text_is_unreadable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import knowledge.convert as convert

    monkeypatch.setattr(convert, "_ocr_page", lambda page: None)
    data = make_pdf([], scanned=True)
    with pytest.raises(DocumentUnreadable, match="no text layer"):
        read_manual(data, "valves/scan.pdf")


@pytest.mark.parametrize(
    "data",
    [b"%PDF-1.4\n garbage", b"not a pdf at all", make_pdf([[("x", 10)]])[:300]],
)
def test_corrupt_pdf_is_document_unreadable(data: bytes) -> None:
    with pytest.raises(DocumentUnreadable, match="valves/bad.pdf|PDF"):
        read_manual(data, "valves/bad.pdf")


def test_pdf_with_no_pages_is_unreadable() -> None:
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    PdfWriter().write(buffer)
    with pytest.raises(DocumentUnreadable, match="no pages"):
        read_manual(buffer.getvalue(), "empty.pdf")


def test_encrypted_pdf_says_so() -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf([[("Pump", 12)]]))))
    writer.encrypt("secret", algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    with pytest.raises(DocumentUnreadable, match="encrypted"):
        read_manual(buffer.getvalue(), "locked.pdf")


def test_deeply_nested_html_is_unreadable_not_a_crash() -> None:
    html = "<div>" * 5000 + "text" + "</div>" * 5000
    with pytest.raises(DocumentUnreadable, match="nested too deeply"):
        read_manual(html.encode(), "deep.html")


def test_mangled_pdfs_are_unreadable_or_read_never_a_crash() -> None:
    """Bytes of a good PDF overwritten at random: every result is text or
    DocumentUnreadable, whatever pypdf raises inside."""
    import random

    good = make_pdf([[("Pump P-100", 18), ("Prime it first.", 10)]] * 3, scanned=True)
    rng = random.Random(3)
    for _ in range(60):
        data = bytearray(good)
        for _ in range(rng.randint(1, 40)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        try:
            read_manual(bytes(data), "mangled.pdf")
        except DocumentUnreadable:
            pass
