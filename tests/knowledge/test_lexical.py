"""Tests for knowledge/lexical.py: tokens, BM25 ranking, fusion, persistence."""

from __future__ import annotations

from pathlib import Path

import pytest

from knowledge.lexical import LexicalEntry, LexicalIndex, fuse, tokenize

TEXTS = {
    "compass": "Set CAL_MAG0_PRIO to 0 to disable the internal compass.",
    "battery": "BAT1_R_INTERNAL is the internal resistance of one battery cell.",
    "vfd": "Set register PD163 to 1, the communication address of the drive.",
    "pump": "Prime the pump: open the vent screw until water flows.",
}


@pytest.fixture
def built(tmp_path: Path) -> LexicalIndex:
    """A small BM25 index over four one-line chunks in two collections."""
    index = LexicalIndex(tmp_path / "bm25" / "manuals")
    entries = [
        LexicalEntry(name, f"{'px4' if name != 'pump' else 'plant'}/{name}.md",
                     "px4" if name != "pump" else "plant")
        for name in TEXTS
    ]  # fmt: skip
    index.rebuild(entries, list(TEXTS.values()))
    return index


def test_tokenize_keeps_identifiers_whole_and_adds_their_parts() -> None:
    """Parameter names survive as one token; their parts are searchable too."""
    tokens = tokenize("What does CAL_MAG0_PRIO do on the modbus-tk driver?")
    assert "cal_mag0_prio" in tokens and {"cal", "mag0", "prio"} <= set(tokens)
    assert "modbus-tk" in tokens and "modbus" in tokens
    assert "what" not in tokens and "the" not in tokens


def test_fuse_rewards_ids_ranked_high_in_both_lists() -> None:
    """Reciprocal rank fusion puts an id found by both rankings first."""
    assert fuse([["a", "b", "c"], ["b", "d"]]) == ["b", "a", "d", "c"]
    assert fuse([["a", "b"], []]) == ["a", "b"]


def test_exact_parameter_name_finds_its_chunk(built: LexicalIndex) -> None:
    """A query of one parameter name returns the chunk that contains it."""
    assert built.search("BAT1_R_INTERNAL", k=3)[0] == "battery"
    assert built.search("what is PD163", k=3) == ["vfd"]


def test_search_filters_by_collection_and_document(built: LexicalIndex) -> None:
    """Hits outside the asked collections or document are left out."""
    assert built.search("set the pump vent", k=5, collections=["plant"]) == ["pump"]
    assert built.search("set register", k=5, document="px4/compass.md") == ["compass"]


def test_unknown_words_find_nothing(built: LexicalIndex) -> None:
    """A query whose words are in no chunk returns an empty list."""
    assert built.search("zebra xylophone", k=5) == []


def test_index_is_read_back_from_its_folder(built: LexicalIndex) -> None:
    """A new instance on the same folder loads the saved index."""
    reopened = LexicalIndex(built.folder)
    assert reopened.exists()
    assert reopened.search("CAL_MAG0_PRIO", k=1) == ["compass"]


def test_rebuild_with_no_chunks_leaves_an_empty_index(tmp_path: Path) -> None:
    """An index of nothing exists and answers every query with nothing."""
    index = LexicalIndex(tmp_path / "empty")
    index.rebuild([], [])
    assert index.exists()
    assert index.search("compass", k=3) == []
