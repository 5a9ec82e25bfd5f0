"""Segmentation: SAM through a tiny random model, and the OpenCV fallback."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tools.vision import sam
from tools.vision.errors import BadPrompt, CheckpointError, ImageUnreadable
from tools.vision.segmentation import CLASSICAL, Prompt, segment

TINY = sam.SamConfig(
    "custom", 32, 2, 2, (1,), img_size=64, window_size=2, prompt_dim=32,
    decoder_depth=1, decoder_mlp_dim=64, iou_head_hidden=32,
)  # fmt: skip


@pytest.fixture(scope="module")
def tiny_checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny SAM saved as a state dict."""
    import torch

    torch.manual_seed(0)
    path = tmp_path_factory.mktemp("sam") / "tiny.pth"
    torch.save(sam.build_sam(TINY).state_dict(), path)
    return path


def picture(seed: int = 0) -> np.ndarray:
    """A 48×80 HWC uint8 RGB picture of noise."""
    return np.random.default_rng(seed).integers(0, 255, (48, 80, 3), dtype=np.uint8)


def test_resized_shape_keeps_aspect() -> None:
    """The longer side becomes the target and the other scales with it."""
    assert sam.resized_shape(480, 640, 1024) == (768, 1024)
    assert sam.resized_shape(48, 80, 64) == (38, 64)


def test_scale_coords_maps_xy_per_axis() -> None:
    """X scales with width and Y with height."""
    coords = sam.scale_coords(np.array([[40.0, 24.0]]), (48, 80), (38, 64))
    np.testing.assert_allclose(coords, [[32.0, 19.0]])


def test_infer_config_reads_the_architecture(tiny_checkpoint: Path) -> None:
    """The config read off a saved state dict is the one it was built from."""
    assert sam.infer_config(sam.read_checkpoint(tiny_checkpoint)) == TINY


def test_sam_masks_match_image_size(tiny_checkpoint: Path) -> None:
    """Points (one object together) and box prompts give H×W bool masks."""
    image = picture()
    by_points = segment(image, Prompt([(10, 20), (40, 30)]), tiny_checkpoint)
    assert by_points.backend.startswith("segment-anything")
    assert len(by_points.segments) == 1
    by_box = segment(image, Prompt([(20, 20)], [0], (5, 5, 60, 40)), tiny_checkpoint)
    for s in by_points.segments + by_box.segments:
        assert s.mask.shape == (48, 80) and s.mask.dtype == bool
        assert s.score is not None


def test_missing_checkpoint_names_the_setting(tmp_path: Path) -> None:
    """A checkpoint path that does not exist is an error naming the setting."""
    with pytest.raises(CheckpointError, match="FIELDPILOT_SAM_CHECKPOINT"):
        segment(picture(), Prompt(box=(1, 1, 20, 20)), tmp_path / "none.pth")


def test_corrupt_checkpoint_names_the_setting(tmp_path: Path) -> None:
    """A file that is not a torch checkpoint is an error naming the setting."""
    bad = tmp_path / "bad.pth"
    bad.write_bytes(b"not a checkpoint")
    with pytest.raises(CheckpointError, match="FIELDPILOT_SAM_CHECKPOINT"):
        segment(picture(), Prompt(box=(1, 1, 20, 20)), bad)


def test_classical_box_finds_a_dark_crack() -> None:
    """Without a checkpoint, a box around a drawn crack on a plate finds it."""
    from evals.inspection_data import defect_cases

    case = defect_cases(1)[0]
    found = segment(case.image, Prompt(box=case.box))
    assert found.backend == CLASSICAL
    mask = found.segments[0].mask
    iou = (mask & case.mask).sum() / (mask | case.mask).sum()
    assert iou >= 0.8


def test_prompt_outside_image_is_refused() -> None:
    """A point beyond the image's edge is a clear error."""
    with pytest.raises(BadPrompt, match="outside"):
        segment(picture(), Prompt([(500, 5)]))


def test_corrupt_image_file_is_a_clear_error(tmp_path: Path) -> None:
    """A file that is not an image says so."""
    from tools.vision.images import load_image

    bad = tmp_path / "bad.png"
    bad.write_bytes(b"\x89PNG broken")
    with pytest.raises(ImageUnreadable, match="not a readable image"):
        load_image(bad)


def test_separate_points_give_one_mask_each(tiny_checkpoint: Path) -> None:
    """SamSegmenter answers each point on its own when not told they go together."""
    model = sam.load_sam(tiny_checkpoint)
    masks, scores = sam.SamSegmenter(model, picture()).predict(
        np.array([[10, 20], [40, 30], [70, 5]]), np.ones(3, dtype=int)
    )
    assert masks.shape == (3, 48, 80) and scores.shape == (3,)


def noisy_surface(rng: np.random.Generator) -> np.ndarray:
    """A 480×640 HWC uint8 RGB surface of blotches and fine noise."""
    import cv2

    blotches = cv2.GaussianBlur(rng.normal(0, 1, (480, 640)), (0, 0), 6)
    grey = 140 + 35 * blotches / blotches.std() + rng.normal(0, 6, (480, 640))
    tint = rng.uniform(-15, 15, 3)
    return np.clip(grey[..., None] + tint, 0, 255).astype(np.uint8)


def test_classical_box_traces_a_thin_dark_line_on_texture() -> None:
    """A 2 mm dark polyline on a textured surface: IoU ≥ 0.8, width 2 ± 0.3 mm."""
    from evals.inspection_data import distance_to_line
    from tools.vision.measure import measure

    rng = np.random.default_rng(3)
    line = np.array([[90, 300], [220, 240], [360, 260], [540, 150]], float)
    distance = distance_to_line(line)
    truth = distance <= 10
    alpha = np.clip(10.5 - distance, 0, 1)[..., None]
    image = (noisy_surface(rng) * (1 - alpha) + 30 * alpha).astype(np.uint8)

    found = segment(image, Prompt(box=(82, 142, 548, 308))).segments[0].mask
    iou = (found & truth).sum() / (found | truth).sum()
    assert iou >= 0.8
    assert measure(found, px_per_mm=10).max_width_mm() == pytest.approx(2, abs=0.3)
