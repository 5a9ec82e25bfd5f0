"""Nameplates: matching read text to site devices, and OCR of rendered plates."""

from __future__ import annotations

import numpy as np
import pytest

from simulator.model import DEMO_SITE_DIR, load_site
from tools.vision.nameplate import identify, read_nameplate


@pytest.fixture(scope="module")
def devices() -> list[dict]:
    """The demo site's devices as the gateway describes them."""
    return [d.model_dump() for d in load_site(DEMO_SITE_DIR).devices]


def test_asset_tag_read_without_spaces_names_the_device(devices: list) -> None:
    """OCR's 'ASSETP-2' still names pump P-2, not P-1 or P-20."""
    match = identify(["GRUNDFOS", "MODELCR10-04", "SER.NO.A9650", "ASSETP-2"], devices)
    assert match is not None and match.device["id"] == "P-2"


def test_device_name_names_the_device(devices: list) -> None:
    """A plate showing 'CONDENSER WATER PUMP 3' names P-3."""
    match = identify(["WILO", "CONDENSER WATER PUMP 3"], devices)
    assert match is not None and match.device["id"] == "P-3"


def test_unrelated_text_names_no_device(devices: list) -> None:
    """Text naming no device gives no match."""
    assert identify(["ACME CORP", "MADE IN 2019"], devices) is None


@pytest.mark.slow
def test_blank_plate_says_no_text_found(devices: list) -> None:
    """A plate with nothing legible is a result saying so, not an exception."""
    found = read_nameplate(np.full((120, 300, 3), 180, np.uint8), devices)
    assert found["device"] is None and "No text found" in found["note"]


@pytest.mark.slow
def test_rendered_plate_is_identified_with_manuals(devices: list) -> None:
    """A rendered chiller plate is read and matched, with manuals and metrics."""
    from evals.inspection_data import plate_cases

    case = next(c for c in plate_cases() if c.device == "CH-6")
    found = read_nameplate(case.image, devices)
    assert found["device"] == "CH-6"
    assert "volttron" in found["manuals"]
    assert any(m["name"] == "supply_temperature" for m in found["metrics"])
