"""Measurements of masks: widths and lengths of drawn lines in pixels and mm."""

from __future__ import annotations

import numpy as np
import pytest

from evals.inspection_data import distance_to_line
from tools.vision.errors import BadPrompt
from tools.vision.measure import measure, scale_from_reference


def drawn_line(width_px: float) -> np.ndarray:
    """A bent line of a known width on a 480×640 canvas (H×W bool)."""
    line = np.array([[60, 240], [250, 200], [420, 260], [580, 230]], float)
    return distance_to_line(line) <= width_px / 2


@pytest.mark.parametrize("width_mm", [0.5, 1.0, 3.0, 4.0])
def test_drawn_line_measures_its_width_in_mm(width_mm: float) -> None:
    """A line drawn w mm wide at 10 px/mm measures w ± 0.3 mm."""
    found = measure(drawn_line(width_mm * 10), px_per_mm=10)
    assert found.max_width_mm() == pytest.approx(width_mm, abs=0.3)
    assert found.as_dict()["mean_width_mm"] == pytest.approx(width_mm, abs=0.3)


def test_line_length_follows_the_centre_line() -> None:
    """A straight 300 px line 9 px wide is about 300 px long."""
    mask = np.zeros((100, 400), bool)
    mask[46:55, 50:350] = True
    found = measure(mask)
    assert found.length_px == pytest.approx(300, abs=6)
    assert found.box_xyxy == (50, 46, 349, 54)
    assert found.area_px == 300 * 9
    assert "length_mm" not in found.as_dict()


def test_scale_from_reference_points() -> None:
    """Two points 200 px apart marking 20 mm give 10 px/mm."""
    assert scale_from_reference((0, 0), (120, 160), 20) == pytest.approx(10)
    with pytest.raises(BadPrompt):
        scale_from_reference((5, 5), (5, 5), 10)


def test_empty_mask_measures_zero() -> None:
    """An empty mask has no size rather than failing."""
    found = measure(np.zeros((10, 10), bool), px_per_mm=2)
    assert found.area_px == 0 and found.max_width_mm() == 0
