"""Tests for tools/manuals.py over the demo site's manuals: filters, evidence,
and the shape the agent and `fieldpilot manuals` read."""

from __future__ import annotations

import pytest

from tools.manuals import SearchManualsArgs, list_manuals, search_manuals

pytestmark = pytest.mark.slow  # builds the demo manual index once per session


def search(index: object, gateway: object, **kwargs: object) -> object:
    return search_manuals(index, gateway, SearchManualsArgs(**kwargs))


def test_a_drone_question_cites_the_px4_compass_section(
    manual_index: object, gateway: object
) -> None:
    result = search(
        manual_index, gateway, query="how do I recalibrate the compass?", device="D-4"
    )
    assert result.ok and result.data["answerable"]
    top = result.data["passages"][0]
    assert top["document"].startswith("px4-user-guide/")
    assert "compass" in " ".join(top["heading_path"]).casefold()
    assert top["lines"][0] <= top["lines"][1]
    assert result.sources[0].document == top["document"]


def test_device_type_limits_the_search_to_that_types_manuals(
    manual_index: object, gateway: object
) -> None:
    result = search(
        manual_index, gateway, query="pairing a device", device_type="light", k=5
    )
    assert result.ok
    assert {p["document"].split("/")[0] for p in result.data["passages"]} == {
        "zigbee2mqtt"
    }


def test_unknown_device_type_names_the_sites_types(
    manual_index: object, gateway: object
) -> None:
    result = search(manual_index, gateway, query="pairing", device_type="toaster")
    assert not result.ok
    assert "toaster" in result.error and "light" in result.error


def test_document_filter_returns_only_that_document(
    manual_index: object, gateway: object
) -> None:
    document = "px4-user-guide/compass.md"
    result = search(manual_index, None, query="calibration", document=document, k=4)
    assert result.ok and result.data["passages"]
    assert {p["document"] for p in result.data["passages"]} == {document}


def test_a_question_no_manual_answers_is_flagged_not_answerable(
    manual_index: object,
) -> None:
    result = search(
        manual_index,
        None,
        query="what torque do the Grundfos CR 32 pump coupling bolts need?",
    )
    assert result.ok and not result.data["answerable"]
    assert "weak evidence" in result.data["evidence"]


def test_exact_error_message_is_found_lexically(manual_index: object) -> None:
    result = search(
        manual_index, None, query="TMC reports error uv_cp=1", mode="lexical"
    )
    assert result.ok
    top = result.data["passages"][0]
    assert top["document"] == "klipper/TMC_Drivers.md"
    assert "uv_cp=1" in top["text"]


def test_list_manuals_counts_the_chunks_of_every_document(
    manual_index: object,
) -> None:
    rows = list_manuals(manual_index).data
    assert len(rows) > 20
    assert all(r["chunks"] > 0 for r in rows)
    assert "px4-user-guide/compass.md" in {r["document"] for r in rows}
