"""Tests for knowledge/index.py: incremental ingest and search with a real model."""

from __future__ import annotations

import logging
import shutil
import time
from pathlib import Path

import pytest

from knowledge.errors import IndexNotBuilt, KnowledgeError
from knowledge.index import ManualIndex

FIXTURES = Path(__file__).parent / "fixtures" / "manuals"
REPO = Path(__file__).resolve().parents[2]
REAL_MANUALS = [
    REPO / "simulator" / "sites" / "demo" / "manuals",
    Path("/work/shared/data/manuals"),
]
FIXTURE_DOCUMENTS = [
    "drives/vfd.adoc",
    "hvac/air_handler.rst",
    "hvac/alarm_codes.txt",
    "pumps/centrifugal_pump.md",
]

pytestmark = pytest.mark.slow


@pytest.fixture
def manuals(tmp_path: Path) -> Path:
    """A private copy of the fixture manuals that a test may change."""
    return Path(shutil.copytree(FIXTURES, tmp_path / "manuals"))


@pytest.fixture
def index(tmp_path: Path) -> ManualIndex:
    """An empty index in a temporary folder."""
    return ManualIndex(tmp_path / "index")


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> ManualIndex:
    """An index of the fixture manuals, built once for read-only tests."""
    built = ManualIndex(tmp_path_factory.mktemp("built") / "index")
    built.ingest(FIXTURES)
    return built


def test_second_ingest_skips_every_unchanged_file(
    index: ManualIndex, manuals: Path
) -> None:
    """Ingesting the same folder twice embeds nothing the second time."""
    calls: list[tuple[int, int, str]] = []
    first = index.ingest(manuals, progress=lambda *call: calls.append(call))
    second = index.ingest(manuals)

    assert (first.files_seen, first.files_indexed, first.files_skipped) == (4, 4, 0)
    assert first.chunks_added == sum(d["chunks"] for d in index.documents())
    assert (second.files_indexed, second.files_skipped, second.chunks_added) == (
        0,
        4,
        0,
    )
    assert [d["document"] for d in index.documents()] == FIXTURE_DOCUMENTS
    assert calls == [(n, 4, doc) for n, doc in enumerate(FIXTURE_DOCUMENTS, 1)]


def test_documents_lists_collection_title_and_chunk_count(
    built: ManualIndex,
) -> None:
    """`documents()` describes each indexed manual; licences are absent."""
    pump = next(d for d in built.documents() if d["collection"] == "pumps")
    assert pump == {
        "document": "pumps/centrifugal_pump.md",
        "collection": "pumps",
        "title": "Centrifugal Pump CP-40",
        "chunks": 4,
    }


def test_modified_file_is_rechunked(index: ManualIndex, manuals: Path) -> None:
    """A changed manual is re-indexed alone and its new section is found."""
    index.ingest(manuals)
    pump = manuals / "pumps" / "centrifugal_pump.md"
    pump.write_text(
        pump.read_text() + "\n## Bearings\n\nGrease the motor bearings every "
        "4000 hours with lithium grease; over-greasing heats the bearing.\n"
    )

    report = index.ingest(manuals)
    hits = index.search("bearing grease interval", k=1)

    assert (report.files_indexed, report.files_skipped) == (1, 3)
    assert hits[0].section == "Bearings"
    assert hits[0].heading_path == ["Centrifugal Pump CP-40", "Bearings"]


def test_removed_file_leaves_the_index(index: ManualIndex, manuals: Path) -> None:
    """A deleted manual's chunks are removed from the index."""
    index.ingest(manuals)
    (manuals / "drives" / "vfd.adoc").unlink()

    report = index.ingest(manuals)

    assert report.files_removed == 1
    assert "drives/vfd.adoc" not in [d["document"] for d in index.documents()]
    assert index.search("overcurrent fault", document="drives/vfd.adoc") == []


def test_undecodable_file_is_reported_and_skipped(
    index: ManualIndex, manuals: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A non-UTF-8 file is listed as failed; the other manuals are indexed."""
    (manuals / "pumps" / "broken.md").write_bytes(b"# Pumpe\n\nTemp\xe9rature \xb0C\n")

    with caplog.at_level(logging.WARNING, logger="knowledge.index"):
        report = index.ingest(manuals)

    assert report.files_failed == 1 and report.files_indexed == 4
    assert "not UTF-8" in report.failures["pumps/broken.md"]
    assert "pumps/broken.md" in caplog.text


def test_empty_file_is_skipped_on_every_run(tmp_path: Path) -> None:
    """A manual with no text adds no chunks and is never counted as indexed."""
    folder = tmp_path / "manuals" / "plant"
    folder.mkdir(parents=True)
    (folder / "empty.md").write_text("\n\n")
    (folder / "valve.md").write_text("# Valve\n\nExercise the valve monthly.\n")
    index = ManualIndex(tmp_path / "index")

    first = index.ingest(tmp_path / "manuals")
    second = index.ingest(tmp_path / "manuals")

    assert (first.files_indexed, first.files_skipped) == (1, 1)
    assert (second.files_indexed, second.files_skipped) == (0, 2)


def test_invalid_collection_name_is_refused(tmp_path: Path) -> None:
    """Chroma's naming rule is checked before anything is opened."""
    with pytest.raises(KnowledgeError, match="cannot name a manual index"):
        ManualIndex(tmp_path, collection="x")


def test_search_on_unbuilt_index_raises_index_not_built(tmp_path: Path) -> None:
    """Searching before any ingest says to run `fieldpilot ingest PATH`."""
    missing = ManualIndex(tmp_path / "never-built")
    with pytest.raises(IndexNotBuilt, match="fieldpilot ingest PATH"):
        missing.search("how do I calibrate the compass")
    assert not (tmp_path / "never-built").exists()


def test_search_on_an_unknown_collection_raises_index_not_built(
    built: ManualIndex,
) -> None:
    """Another collection name in a built folder is still an unbuilt index."""
    with pytest.raises(IndexNotBuilt):
        ManualIndex(built.path, collection="other-site").search("belt")


def test_ingest_of_a_missing_folder_says_what_to_pass(index: ManualIndex) -> None:
    """A path that is not a folder is refused with a sentence."""
    with pytest.raises(KnowledgeError, match="pass the folder"):
        index.ingest(Path("/no/such/manuals"))


def test_search_filters_by_collection(built: ManualIndex) -> None:
    """Hits come only from the asked collections, scored 0 to 1."""
    hits = built.search("belt tension", k=3, collections=["hvac", "drives"])
    assert hits and {hit.collection for hit in hits} <= {"hvac", "drives"}
    assert hits[0].section == "Belt Tension Values"
    assert all(0.0 <= hit.score <= 1.0 for hit in hits)


def test_dense_only_search_orders_hits_by_cosine_score(built: ManualIndex) -> None:
    """Without the lexical index, hits are sorted by cosine similarity."""
    hits = ManualIndex(built.path, lexical=False).search("filter pressure", k=4)
    scores = [hit.score for hit in hits]
    assert len(hits) == 4 and scores == sorted(scores, reverse=True)


def test_exact_parameter_name_is_found_by_the_lexical_index(
    built: ManualIndex,
) -> None:
    """A bare parameter name finds the section that mentions it."""
    hit = built.search("PUMP_SEAL_FLUSH_HOURS", k=3)[0]
    assert (hit.document, hit.section) == ("pumps/centrifugal_pump.md", "Seal flush")
    assert hit.start_line == 31 and "PUMP_SEAL_FLUSH_HOURS" in hit.text


def test_missing_lexical_index_falls_back_to_meaning_with_a_warning(
    index: ManualIndex, manuals: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without its BM25 folder the index still answers, and says why."""
    index.ingest(manuals)
    shutil.rmtree(index.path / "bm25")

    with caplog.at_level(logging.WARNING, logger="knowledge.index"):
        hits = ManualIndex(index.path).search("freeze stat tripped", k=2)

    assert hits[0].document == "hvac/alarm_codes.txt"
    assert "searching by meaning only" in caplog.text


@pytest.fixture(scope="module")
def real_index(tmp_path_factory: pytest.TempPathFactory) -> ManualIndex:
    """An index of the real manuals corpus, built once for this module."""
    folder = next((path for path in REAL_MANUALS if path.is_dir()), None)
    if folder is None:
        pytest.skip("No real manuals folder is present.")
    built = ManualIndex(tmp_path_factory.mktemp("real") / "index")
    report = built.ingest(folder)
    logging.getLogger(__name__).info("Real manuals: %s", report)
    assert report.files_failed == 0 and report.chunks_added > 100
    return built


@pytest.mark.parametrize(
    ("question", "document"),
    [
        ("how do I calibrate the compass on the drone", "px4-user-guide/compass.md"),
        (
            "what does the TMC driver overtemperature error mean",
            "klipper/TMC_Drivers.md",
        ),
        ("how to pair an IKEA bulb", "zigbee2mqtt/pairing_devices.md"),
        ("modbus-tk driver register map config", "volttron/modbus-tk-driver.rst"),
    ],
)
def test_technician_questions_find_the_right_manual(
    real_index: ManualIndex, question: str, document: str
) -> None:
    """The best hit for each technician question is the manual that answers it."""
    started = time.perf_counter()
    hits = real_index.search(question, k=5)
    elapsed = time.perf_counter() - started
    logging.getLogger(__name__).info("%r took %.0f ms", question, elapsed * 1000)
    assert hits[0].document == document


@pytest.mark.parametrize(
    ("term", "document", "section"),
    [
        ("CAL_MAG0_PRIO", "px4-user-guide/compass.md", "Disable a Compass"),
        ("BAT1_R_INTERNAL", "px4-user-guide/battery.md", None),
    ],
)
def test_parameter_names_find_the_section_that_defines_them(
    real_index: ManualIndex, term: str, document: str, section: str | None
) -> None:
    """Exact identifiers reach their manual through the lexical ranking."""
    hit = real_index.search(term, k=5)[0]
    assert hit.document == document and term in hit.text
    assert section is None or hit.section == section


@pytest.mark.slow
def test_ingesting_another_folder_keeps_the_first_folders_manuals(
    tmp_path: Path,
) -> None:
    from knowledge.index import ManualIndex

    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    (first / "pump.md").write_text("# Pump\n\nGrease the pump bearing every month.\n")
    (second / "valve.md").write_text("# Valve\n\nExercise the valve every quarter.\n")
    index = ManualIndex(tmp_path / "index")
    index.ingest(first)
    report = index.ingest(second)
    assert report.files_removed == 0
    assert {d["document"] for d in index.documents()} == {"pump.md", "valve.md"}
