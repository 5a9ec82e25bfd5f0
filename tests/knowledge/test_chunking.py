"""Tests for knowledge/chunking.py: chunk boundaries, spans and file handling."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from knowledge.chunking import (
    ManualChunk,
    chunk_file,
    chunk_text,
    decode_manual,
    find_manuals,
    is_manual,
)
from knowledge.errors import DocumentUnreadable

FIXTURES = Path(__file__).parent / "fixtures" / "manuals"


def _source_lines(chunk: ManualChunk, text: str) -> str:
    """Return the source lines a chunk claims to cover."""
    return "\n".join(text.splitlines()[chunk.start_line - 1 : chunk.end_line])


@pytest.mark.parametrize(
    "document",
    [
        "pumps/centrifugal_pump.md",
        "hvac/air_handler.rst",
        "drives/vfd.adoc",
        "hvac/alarm_codes.txt",
    ],
)
def test_chunk_text_is_exactly_its_line_span(document: str) -> None:
    """Every chunk's text equals the source lines start_line..end_line."""
    text = (FIXTURES / document).read_text()
    chunks = chunk_file(FIXTURES / document, FIXTURES)
    assert chunks
    for chunk in chunks:
        assert chunk.text == _source_lines(chunk, text)
        assert chunk.document == document
        assert chunk.collection == document.split("/")[0]


def test_markdown_chunks_follow_sections_with_heading_paths() -> None:
    """The pump manual is cut at its headings, each chunk naming its path."""
    chunks = chunk_file(FIXTURES / "pumps" / "centrifugal_pump.md", FIXTURES)
    assert [(c.section, c.heading_path, c.start_line) for c in chunks] == [
        ("Centrifugal Pump CP-40", ["Centrifugal Pump CP-40"], 6),
        ("Priming", ["Centrifugal Pump CP-40", "Priming"], 11),
        ("Configuration", ["Centrifugal Pump CP-40", "Configuration"], 20),
        ("Seal flush", ["Centrifugal Pump CP-40", "Seal flush"], 31),
    ]
    assert {c.title for c in chunks} == {"Centrifugal Pump CP-40"}


def test_tiny_sections_merge_into_the_next_one() -> None:
    """An empty title section and a one-line NAME fold into SETTINGS."""
    chunks = chunk_file(FIXTURES / "drives" / "vfd.adoc", FIXTURES)
    first = chunks[0]
    assert first.section == "SETTINGS"
    assert first.start_line == 1
    assert "vfd200 - Modbus driver" in first.text
    assert "== this line is inside a listing block" in first.text


def test_long_section_splits_on_paragraphs_below_the_limit() -> None:
    """A long section becomes several chunks cut between paragraphs."""
    paragraphs = [f"Paragraph {n} " + "word " * 60 for n in range(12)]
    text = "# Long\n\n" + "\n\n".join(paragraphs) + "\n"
    chunks = chunk_text(text, "plant/long.md", max_chars=800)
    assert len(chunks) > 3
    for chunk in chunks:
        assert len(chunk.text) <= 1.25 * 800
        assert chunk.text.splitlines()[-1].rstrip().endswith("word")
    assert all(c.section == "Long" for c in chunks)


def test_fenced_code_block_is_never_split() -> None:
    """A code block bigger than max_chars (but under twice it) stays whole."""
    code = "\n".join(f"setting_{n} = {n}" for n in range(60))
    text = f"# Config\n\nIntro text for the settings.\n\n```ini\n{code}\n```\n"
    assert 900 < len(code) < 1600
    chunks = chunk_text(text, "plant/config.md", max_chars=800)
    holders = [c for c in chunks if "setting_0 =" in c.text]
    assert len(holders) == 1
    assert "```ini" in holders[0].text and "setting_59 = 59\n```" in holders[0].text


def test_numbered_list_stays_in_one_chunk() -> None:
    """A numbered procedure that fits is not cut between its steps."""
    intro = "Read this first. " * 30
    steps = "\n".join(f"{n}. Step number {n} of the procedure." for n in range(1, 9))
    text = f"# Procedure\n\n{intro}\n\n{steps}\n\nAfter the steps.\n"
    chunks = chunk_text(text, "plant/procedure.md", max_chars=600)
    holders = [c for c in chunks if "1. Step number 1" in c.text]
    assert len(holders) == 1 and "8. Step number 8" in holders[0].text


def test_one_long_paragraph_is_cut_at_line_ends() -> None:
    """Text with no blank lines (a JSON table of codes) is cut between lines."""
    body = "\n".join(f'"{n}.1": "Code {n} means something."' for n in range(100))
    chunks = chunk_text(body, "hvac/error_codes.txt", max_chars=500)
    assert len(chunks) > 5
    assert all(len(c.text) <= 500 for c in chunks[:-1])
    assert len(chunks[-1].text) <= 1.25 * 500
    assert "\n".join(c.text for c in chunks) == body


def test_chunk_ids_are_stable_and_unique() -> None:
    """Ids combine document, section and ordinal; chunking twice gives the same."""
    text = "# A\n\n" + "\n\n".join("text " * 50 for _ in range(8))
    first = chunk_text(text, "x/a.md", max_chars=600)
    second = chunk_text(text, "x/a.md", max_chars=600)
    ids = [c.id for c in first]
    assert ids == [c.id for c in second]
    assert len(set(ids)) == len(ids)
    assert ids[:2] == ["x/a.md#a-0", "x/a.md#a-1"]


def test_embedding_text_prefixes_title_and_heading_path() -> None:
    """The embedded text carries the title and headings; `text` stays clean."""
    chunk = chunk_file(FIXTURES / "pumps" / "centrifugal_pump.md", FIXTURES)[1]
    assert chunk.embedding_text().startswith("Centrifugal Pump CP-40 > Priming\n\n")
    assert not chunk.text.startswith("Centrifugal Pump CP-40 >")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("klipper/TMC_Drivers.md", True),
        ("linuxcnc/hy_vfd.1.adoc", True),
        ("klipper/LICENSE", False),
        ("pumps/LICENSE.md", False),
        ("SOURCES.md", False),
        ("x/COPYING.txt", False),
        ("x/photo.png", False),
        (".git/notes.md", False),
    ],
)
def test_is_manual_skips_licences_sources_and_other_files(
    path: str, expected: bool
) -> None:
    """Licence files, SOURCES.md, hidden folders and images are not manuals."""
    assert is_manual(PurePosixPath(path)) is expected


def test_undecodable_bytes_raise_document_unreadable() -> None:
    """Latin-1 bytes that are not UTF-8 give a sentence naming the file."""
    with pytest.raises(DocumentUnreadable, match="broken.md could not be read"):
        decode_manual("Temp\xe9rature: 40 \xb0C".encode("latin-1"), "broken.md")
    with pytest.raises(DocumentUnreadable, match="binary"):
        decode_manual(b"\x00\x01\x02", "blob.txt")


def test_short_tail_of_a_split_section_joins_the_piece_before() -> None:
    """The last few lines of a long section do not become a chunk of their own."""
    text = "# Long\n\n" + "\n\n".join(["word " * 70] * 3) + "\n\nShort end.\n"
    chunks = chunk_text(text, "plant/tail.md", max_chars=800)
    assert chunks[-1].text.endswith("Short end.")
    assert len(chunks[-1].text) > 100


def test_find_manuals_lists_only_manual_files_sorted() -> None:
    """The fixture folder yields its four manuals, not LICENSE or SOURCES.md."""
    found = [p.relative_to(FIXTURES).as_posix() for p in find_manuals(FIXTURES)]
    assert found == [
        "drives/vfd.adoc",
        "hvac/air_handler.rst",
        "hvac/alarm_codes.txt",
        "pumps/centrifugal_pump.md",
    ]


def test_table_longer_than_a_chunk_stays_whole() -> None:
    """A table up to three chunks long is one chunk, so every row keeps its
    header; the text around it goes elsewhere."""
    rows = "\n".join(f"| E{n:02d} | fault number {n} of the drive |" for n in range(40))
    table = f"| Code | Meaning |\n|---|---|\n{rows}"
    text = f"# Faults\n\n{'Intro text. ' * 40}\n\n{table}\n\nAfter the table.\n"
    chunks = chunk_text(text, "plant/faults.md", max_chars=600)
    holders = [c for c in chunks if "| E00 |" in c.text]
    assert len(holders) == 1
    assert "| E39 |" in holders[0].text and "| Code | Meaning |" in holders[0].text
    assert len(holders[0].text) > 600


def test_procedure_longer_than_three_chunks_is_split_between_steps() -> None:
    """Past its allowance a procedure is cut, but never inside a step."""
    steps = "\n".join(
        f"{n}. Step {n}: loosen the clamp and check the seal." for n in range(1, 60)
    )
    chunks = chunk_text(f"# Long\n\n{steps}\n", "plant/long.md", max_chars=600)
    assert len(chunks) > 1
    for chunk in chunks:
        for line in chunk.text.splitlines():
            assert not line or line.startswith(("#", *"0123456789"))


def test_find_manuals_skips_links_that_lead_outside_the_folder(
    tmp_path: Path,
) -> None:
    root = tmp_path / "manuals"
    root.mkdir()
    (root / "pump.md").write_text("# Pump\n\nPrime it.\n")
    secret = tmp_path / "secret.txt"
    secret.write_text("password=hunter2\n")
    (root / "secret.txt").symlink_to(secret)
    (root / "alias.md").symlink_to(root / "pump.md")
    assert [p.name for p in find_manuals(root)] == ["alias.md", "pump.md"]
