"""The inspection tool: findings, the width question, the overlay and errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from evals.inspection_data import distance_to_line, plate_texture
from tools.vision.inspection import InspectImageArgs, inspect_image
from tools.vision.settings import VisionSettings


@pytest.fixture
def crack_png(tmp_path: Path) -> Path:
    """A 3 mm wide dark crack (30 px at 10 px/mm) on a brushed plate."""
    image = plate_texture(np.random.default_rng(3))
    mask = distance_to_line(np.array([[150, 200], [300, 240], [480, 220]])) <= 15
    image[mask] = 30
    path = tmp_path / "crack.png"
    Image.fromarray(image).save(path)
    return path


def test_crack_wider_than_two_mm_is_answered(crack_png: Path, tmp_path: Path) -> None:
    """A box around a 3 mm crack: width 3 ± 0.3 mm, 'wider than 2 mm' is yes."""
    args = InspectImageArgs(
        image=str(crack_png),
        box=(130.0, 180.0, 500.0, 260.0),
        px_per_mm=10.0,
        width_threshold_mm=2.0,
        overlay=str(tmp_path / "overlay.png"),
    )
    result = inspect_image(args, settings=VisionSettings(_env_file=None))
    assert result.ok, result.error
    data = result.data
    assert data["backend"].startswith("classical")
    width = data["findings"][0]["measurement"]["max_width_mm"]
    assert width == pytest.approx(3.0, abs=0.3)
    assert data["width_check"]["wider"] is True
    assert "no vision model configured" in data["description"]["source"]
    with Image.open(data["overlay"]) as overlay:
        assert overlay.size == (640, 480)


def test_without_scale_the_width_question_is_unknown(crack_png: Path) -> None:
    """No px/mm and no reference: the answer says a scale is needed."""
    args = InspectImageArgs(
        image=str(crack_png), box=(130.0, 180.0, 500.0, 260.0), width_threshold_mm=2.0
    )
    data = inspect_image(args, settings=VisionSettings(px_per_mm=None)).data
    assert data["width_check"]["wider"] is None
    assert "max_width_mm" not in data["findings"][0]["measurement"]


def test_unreadable_image_is_a_failed_result(tmp_path: Path) -> None:
    """A corrupt file comes back as an error result, not an exception."""
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(b"garbage")
    result = inspect_image(InspectImageArgs(image=str(bad)))
    assert not result.ok and "not a readable image" in result.error


def test_box_and_points_come_as_json_lists() -> None:
    """A model's JSON lists are accepted for the box and points."""
    args = InspectImageArgs.model_validate(
        {"image": "plate.png", "box": [1, 2, 30, 40], "points": [[5, 6]]}
    )
    assert args.box == [1.0, 2.0, 30.0, 40.0]
    assert args.points == [[5.0, 6.0]]


def test_box_of_three_numbers_is_refused() -> None:
    """A box needs four numbers; the error names the field and the count."""
    from pydantic import ValidationError

    with pytest.raises(
        ValidationError, match=r"box\s+List should have at least 4 items"
    ):
        InspectImageArgs.model_validate({"image": "plate.png", "box": [1, 2, 30]})
    with pytest.raises(ValidationError, match=r"each point is \[x, y\]"):
        InspectImageArgs.model_validate({"image": "plate.png", "points": [[1, 2, 3]]})
