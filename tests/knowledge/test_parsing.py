"""Tests for knowledge/parsing.py: headings and sections per format."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.errors import UnsupportedFormat
from knowledge.parsing import detect_format, parse_document

FIXTURES = Path(__file__).parent / "fixtures" / "manuals"


def _outline(text: str, path: str) -> list[tuple[int, str, tuple[str, ...]]]:
    """Return (level, heading, heading path) of each section."""
    parsed = parse_document(text, path)
    return [(s.level, s.heading, s.heading_path) for s in parsed.sections]


def test_markdown_atx_and_setext_headings_build_heading_paths() -> None:
    """ATX and setext headings nest by level; a closing `#` run is dropped."""
    text = "# Pump\n\nIntro.\n\nSetup\n-----\n\nText.\n\n### Wiring ###\n\nMore.\n"
    assert _outline(text, "a/pump.md") == [
        (1, "Pump", ("Pump",)),
        (2, "Setup", ("Pump", "Setup")),
        (3, "Wiring", ("Pump", "Setup", "Wiring")),
    ]


def test_markdown_hash_inside_fenced_code_is_not_a_heading() -> None:
    """Lines starting with `#` inside ``` or ~~~ fences stay body text."""
    text = "# Config\n\n```bash\n# comment\n## not a heading\n```\n\n~~~\n# x\n~~~\n"
    assert _outline(text, "config.md") == [(1, "Config", ("Config",))]


def test_markdown_thematic_break_after_blank_line_is_not_a_heading() -> None:
    """A `---` line after a blank line is a rule, not a setext heading."""
    text = "# Battery\n\nText.\n\n---\n\n**Note**\n"
    assert [heading for _, heading, _ in _outline(text, "b.md")] == ["Battery"]


def test_markdown_front_matter_gives_the_title_and_is_skipped() -> None:
    """YAML front matter is not a section; its `title:` names the document."""
    parsed = parse_document("---\ntitle: Things\n---\n\nSome text here.\n", "t.md")
    assert parsed.title == "Things"
    assert parsed.sections[0].start == 3


def test_markdown_without_single_top_heading_takes_title_from_file_name() -> None:
    """Several `##` headings and no `#` one: the title comes from the name."""
    parsed = parse_document(
        "## Xiaomi\n\nA.\n\n## IKEA\n\nB.\n", "z/pairing_devices.md"
    )
    assert parsed.title == "Pairing devices"


def test_rst_adornment_order_defines_levels() -> None:
    """Overlined titles, then = - ~ underlines, rank in order of first use."""
    parsed = parse_document(
        (FIXTURES / "hvac" / "air_handler.rst").read_text(), "hvac/air_handler.rst"
    )
    outline = [(s.level, s.heading) for s in parsed.sections if s.level]
    assert parsed.title == "Air Handling Unit"
    assert outline == [
        (1, "Air Handling Unit"),
        (2, "Supply Fan"),
        (3, "Belt Inspection"),
        (4, "Belt Tension Values"),
        (2, "Filters"),
        (3, "Economizer Dampers"),
    ]


def test_asciidoc_headings_skip_listing_blocks() -> None:
    """`==` inside a ---- listing block is not a heading; levels follow `=`."""
    parsed = parse_document(
        (FIXTURES / "drives" / "vfd.adoc").read_text(), "drives/vfd.adoc"
    )
    assert parsed.title == "VFD-200 Drive"
    assert [s.heading_path for s in parsed.sections] == [
        ("VFD-200 Drive",),
        ("VFD-200 Drive", "NAME"),
        ("VFD-200 Drive", "SETTINGS"),
        ("VFD-200 Drive", "SETTINGS", "Serial Port"),
        ("VFD-200 Drive", "FAULTS"),
    ]


def test_text_all_caps_lines_become_headings() -> None:
    """Blank-line-separated ALL-CAPS lines split a plain text file."""
    parsed = parse_document(
        (FIXTURES / "hvac" / "alarm_codes.txt").read_text(), "hvac/alarm_codes.txt"
    )
    headings = [s.heading for s in parsed.sections]
    assert headings == ["AHU-7 ALARM CODES", "FREEZE PROTECTION", "FILTER ALARMS"]


def test_text_numbered_headings_nest_by_depth() -> None:
    """`1.` and `1.1` heading lines nest like section numbers."""
    text = "1. Safety\n\nWear gloves.\n\n1.1 Lockout\n\nLock it.\n\n2. Start\n\nGo.\n"
    assert [path for _, _, path in _outline(text, "guide.txt")] == [
        ("1. Safety",),
        ("1. Safety", "1.1 Lockout"),
        ("2. Start",),
    ]


def test_text_without_obvious_headings_is_one_section() -> None:
    """A text file with no heading lines is one section named after the file."""
    parsed = parse_document('{\n  "1.1": "Pressure high."\n}\n', "x/error_codes.txt")
    assert [(s.heading, s.start, s.end) for s in parsed.sections] == [
        ("Error codes", 0, 3)
    ]


def test_unknown_extension_raises_unsupported_format() -> None:
    """A `.docx` is refused with a message that lists the formats read."""
    with pytest.raises(UnsupportedFormat, match=r"\.md.*\.pdf"):
        detect_format("manual.docx")
