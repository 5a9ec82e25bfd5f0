"""segment-anything back-end: build SAM from a checkpoint and predict masks.

The `segment_anything` package's `__init__`, its `SamPredictor` and its automatic
mask generator import torchvision, which fieldpilot does not install (it would
pull a second, CUDA-sized torch). Only `segment_anything.modeling` is used here,
loaded under a private package name so that the package `__init__` never runs;
the image resizing and prompt transforms SamPredictor does are written out below
with torch alone.

Images are HWC uint8 RGB; points are XY pixels with labels 1 (object) or 0
(background); boxes are XYXY pixels; masks come back as N×H×W bool at the size
of the image given.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import logging
import re
import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from tools.vision.errors import CheckpointError, VisionUnavailable

log = logging.getLogger(__name__)

_PRIVATE_PACKAGE = "_fieldpilot_segment_anything"
CHECKPOINT_SETTING = "FIELDPILOT_SAM_CHECKPOINT"
TYPE_SETTING = "FIELDPILOT_SAM_MODEL_TYPE"


@dataclass(frozen=True)
class SamConfig:
    """The architecture of one SAM model; `name` is vit_h/vit_l/vit_b or custom."""

    name: str
    embed_dim: int
    depth: int
    num_heads: int
    global_attn_indexes: tuple[int, ...]
    img_size: int = 1024
    patch_size: int = 16
    window_size: int = 14
    prompt_dim: int = 256
    mask_in_chans: int = 16
    decoder_depth: int = 2
    decoder_mlp_dim: int = 2048
    decoder_heads: int = 8
    multimask_outputs: int = 3
    iou_head_depth: int = 3
    iou_head_hidden: int = 256


PUBLISHED = {
    "vit_h": SamConfig("vit_h", 1280, 32, 16, (7, 15, 23, 31)),
    "vit_l": SamConfig("vit_l", 1024, 24, 16, (5, 11, 17, 23)),
    "vit_b": SamConfig("vit_b", 768, 12, 12, (2, 5, 8, 11)),
}


def modeling() -> types.ModuleType:
    """`segment_anything.modeling`, imported without the package's `__init__`."""
    spec = importlib.util.find_spec("segment_anything")
    if spec is None or not spec.submodule_search_locations:
        raise VisionUnavailable("segment-anything")
    if _PRIVATE_PACKAGE not in sys.modules:
        package = types.ModuleType(_PRIVATE_PACKAGE)
        package.__path__ = list(spec.submodule_search_locations)
        sys.modules[_PRIVATE_PACKAGE] = package
    return importlib.import_module(f"{_PRIVATE_PACKAGE}.modeling")


def read_checkpoint(path: Path) -> dict[str, Any]:
    """The state dict in a checkpoint file; a missing or corrupt file is an error."""
    import torch

    if not path.is_file():
        raise CheckpointError(
            f"The SAM checkpoint {path} does not exist: fix {CHECKPOINT_SETTING}, "
            "or unset it to use the classical segmentation."
        )
    try:
        state = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises many kinds for a damaged file
        raise CheckpointError(
            f"The SAM checkpoint {path} is corrupt or not a torch file ({exc}): "
            f"download it again or fix {CHECKPOINT_SETTING}."
        ) from exc
    if isinstance(state, dict) and isinstance(state.get("model"), dict):
        state = state["model"]
    if not isinstance(state, dict):
        raise CheckpointError(
            f"The SAM checkpoint {path} holds no state dict: fix {CHECKPOINT_SETTING}."
        )
    return state


def _indexes(state: dict[str, Any], prefix: str) -> list[int]:
    """The sorted numbers i of keys `prefix.i.…`."""
    pattern = re.compile(re.escape(prefix) + r"\.(\d+)\.")
    return sorted({int(m.group(1)) for k in state if (m := pattern.match(k))})


def infer_config(state: dict[str, Any]) -> SamConfig:
    """The architecture a SAM state dict was saved from, read off tensor shapes."""
    if "image_encoder.patch_embed.proj.weight" not in state:
        if any(k.startswith("image_encoder.layers.") for k in state):
            raise CheckpointError(
                "This checkpoint is MobileSAM (a TinyViT image encoder), which needs "
                "the mobile_sam package; fieldpilot loads only SAM ViT checkpoints "
                f"(vit_h, vit_l, vit_b) so far: point {CHECKPOINT_SETTING} at one."
            )
        raise CheckpointError(
            "This checkpoint is not a segment-anything model (no image encoder "
            f"weights): point {CHECKPOINT_SETTING} at a SAM .pth file."
        )
    embed_dim, _, patch, _ = state["image_encoder.patch_embed.proj.weight"].shape
    grid = state["image_encoder.pos_embed"].shape[1]
    blocks = _indexes(state, "image_encoder.blocks")
    rel_sizes = [
        (state[f"image_encoder.blocks.{i}.attn.rel_pos_h"].shape[0] + 1) // 2
        for i in blocks
    ]
    head_dim = state["image_encoder.blocks.0.attn.rel_pos_h"].shape[1]
    windows = [s for s in rel_sizes if s != grid]
    published = {(c.embed_dim, c.depth): c.name for c in PUBLISHED.values()}
    layers = _indexes(state, "mask_decoder.transformer.layers")
    config = SamConfig(
        name=published.get((embed_dim, len(blocks)), "custom"),
        embed_dim=embed_dim,
        depth=len(blocks),
        num_heads=embed_dim // head_dim,
        global_attn_indexes=tuple(
            i for i, s in zip(blocks, rel_sizes, strict=False) if s == grid
        ),
        img_size=grid * patch,
        patch_size=patch,
        window_size=windows[0] if windows else 0,
        prompt_dim=state["image_encoder.neck.0.weight"].shape[0],
        mask_in_chans=state["prompt_encoder.mask_downscaling.3.weight"].shape[0],
        decoder_depth=len(layers),
        decoder_mlp_dim=state[
            "mask_decoder.transformer.layers.0.mlp.lin1.weight"
        ].shape[0],
        multimask_outputs=state["mask_decoder.mask_tokens.weight"].shape[0] - 1,
        iou_head_depth=len(_indexes(state, "mask_decoder.iou_prediction_head.layers")),
        iou_head_hidden=state["mask_decoder.iou_prediction_head.layers.0.weight"].shape[
            0
        ],
    )
    return config


def build_sam(config: SamConfig) -> Any:
    """An untrained `Sam` of the given architecture, in eval mode."""
    import torch

    m = modeling()
    grid = config.img_size // config.patch_size
    sam = m.Sam(
        image_encoder=m.ImageEncoderViT(
            img_size=config.img_size,
            patch_size=config.patch_size,
            embed_dim=config.embed_dim,
            depth=config.depth,
            num_heads=config.num_heads,
            mlp_ratio=4,
            out_chans=config.prompt_dim,
            qkv_bias=True,
            norm_layer=functools.partial(torch.nn.LayerNorm, eps=1e-6),
            use_rel_pos=True,
            window_size=config.window_size,
            global_attn_indexes=config.global_attn_indexes,
        ),
        prompt_encoder=m.PromptEncoder(
            embed_dim=config.prompt_dim,
            image_embedding_size=(grid, grid),
            input_image_size=(config.img_size, config.img_size),
            mask_in_chans=config.mask_in_chans,
        ),
        mask_decoder=m.MaskDecoder(
            num_multimask_outputs=config.multimask_outputs,
            transformer=m.TwoWayTransformer(
                depth=config.decoder_depth,
                embedding_dim=config.prompt_dim,
                mlp_dim=config.decoder_mlp_dim,
                num_heads=config.decoder_heads,
            ),
            transformer_dim=config.prompt_dim,
            iou_head_depth=config.iou_head_depth,
            iou_head_hidden_dim=config.iou_head_hidden,
        ),
        pixel_mean=[123.675, 116.28, 103.53],
        pixel_std=[58.395, 57.12, 57.375],
    )
    return sam.eval()


@functools.lru_cache(maxsize=2)
def _load_cached(path: Path, mtime: float, model_type: str | None, device: str) -> Any:
    state = read_checkpoint(path)
    config = PUBLISHED[model_type] if model_type else infer_config(state)
    sam = build_sam(config)
    try:
        sam.load_state_dict(state)
    except RuntimeError as exc:
        raise CheckpointError(
            f"The checkpoint {path} does not fit a SAM {config.name} model: "
            f"unset {TYPE_SETTING} to infer the type, or give the matching one."
        ) from exc
    log.info("loaded SAM %s from %s on %s", config.name, path, device)
    return sam.to(device)


def load_sam(path: Path, model_type: str | None = None, device: str = "cpu") -> Any:
    """A SAM model from a checkpoint, built once per file and kept."""
    path = Path(path).expanduser().resolve()
    mtime = path.stat().st_mtime if path.is_file() else 0.0
    return _load_cached(path, mtime, model_type, device)


def resized_shape(height: int, width: int, long_side: int) -> tuple[int, int]:
    """(H, W) after scaling so the longer side is `long_side` pixels."""
    scale = long_side / max(height, width)
    return int(height * scale + 0.5), int(width * scale + 0.5)


def scale_coords(
    coords: np.ndarray, original: tuple[int, int], resized: tuple[int, int]
) -> np.ndarray:
    """XY pixel coordinates (…×2) in the original image mapped to the resized one."""
    coords = np.asarray(coords, dtype=np.float64).copy()
    coords[..., 0] *= resized[1] / original[1]
    coords[..., 1] *= resized[0] / original[0]
    return coords


def resize_image(image: np.ndarray, long_side: int) -> Any:
    """HWC uint8 RGB → 1×3×H'×W' float tensor whose longer side is `long_side`."""
    import torch
    import torch.nn.functional as F

    size = resized_shape(image.shape[0], image.shape[1], long_side)
    tensor = torch.from_numpy(np.ascontiguousarray(image)).permute(2, 0, 1)[None]
    tensor = F.interpolate(
        tensor.float(), size, mode="bilinear", align_corners=False, antialias=True
    )
    return tensor.round().clamp(0, 255)


class SamSegmenter:
    """SAM bound to one image: embed it once, then answer point and box prompts."""

    def __init__(self, sam: Any, image: np.ndarray) -> None:
        import torch

        self.sam = sam
        self.original = (int(image.shape[0]), int(image.shape[1]))
        long_side = sam.image_encoder.img_size
        self.resized = resized_shape(*self.original, long_side)
        device = next(sam.parameters()).device
        with torch.inference_mode():
            pixels = resize_image(image, long_side).to(device)
            self.features = sam.image_encoder(sam.preprocess(pixels))

    def predict(
        self,
        points: np.ndarray | None = None,
        labels: np.ndarray | None = None,
        box: np.ndarray | None = None,
        together: bool = False,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Masks (B×H×W bool) and predicted IoU (B) for B points or one object.

        With `box` or `together`, the points and labels (N×2, N) describe one
        object; otherwise each point is its own prompt with its own mask. A
        lone point is ambiguous, so three candidates are scored and the best kept.
        """
        import torch

        device = self.features.device
        coords = labels_t = box_t = None
        if points is not None and len(points):
            scaled = scale_coords(points, self.original, self.resized)
            coords = torch.as_tensor(scaled, dtype=torch.float, device=device)
            labels_t = torch.as_tensor(labels, dtype=torch.int, device=device)
            coords, labels_t = (
                (coords[None], labels_t[None])
                if box is not None or together
                else (coords[:, None], labels_t[:, None])
            )
        if box is not None:
            corners = scale_coords(np.reshape(box, (2, 2)), self.original, self.resized)
            box_t = torch.as_tensor(corners.reshape(1, 4), dtype=torch.float).to(device)
        one_point = coords is not None and coords.shape[1] == 1
        multimask = box is None and one_point
        with torch.inference_mode():
            logits, scores = self._decode(coords, labels_t, box_t, multimask)
        best = scores.argmax(dim=1)
        rows = torch.arange(len(best))
        masks = logits[rows, best] > self.sam.mask_threshold
        return masks.cpu().numpy(), scores[rows, best].float().cpu().numpy()

    def _decode(self, coords: Any, labels: Any, box: Any, multimask: bool) -> Any:
        """Mask logits at image size (B×C×H×W) and their predicted IoU (B×C)."""
        points = (coords, labels) if coords is not None else None
        sparse, dense = self.sam.prompt_encoder(points=points, boxes=box, masks=None)
        low_res, scores = self.sam.mask_decoder(
            image_embeddings=self.features,
            image_pe=self.sam.prompt_encoder.get_dense_pe(),
            sparse_prompt_embeddings=sparse,
            dense_prompt_embeddings=dense,
            multimask_output=multimask,
        )
        logits = self.sam.postprocess_masks(low_res, self.resized, self.original)
        return logits, scores

    def automatic(
        self, points_per_side: int = 16, min_score: float = 0.8
    ) -> tuple[np.ndarray, np.ndarray]:
        """Masks found from a grid of point prompts, duplicates removed."""
        height, width = self.original
        steps = (np.arange(points_per_side) + 0.5) / points_per_side
        grid = np.array([(x * width, y * height) for y in steps for x in steps])
        found: list[tuple[np.ndarray, float]] = []
        for start in range(0, len(grid), 64):
            batch = grid[start : start + 64]
            masks, scores = self.predict(batch, np.ones(len(batch), dtype=int))
            found.extend(zip(masks, scores.tolist(), strict=True))
        return keep_distinct(found, min_score, max_fraction=0.9)


def keep_distinct(
    found: list[tuple[np.ndarray, float]],
    min_score: float,
    max_fraction: float,
    max_overlap: float = 0.7,
) -> tuple[np.ndarray, np.ndarray]:
    """Best-scored masks first, dropping weak, empty, huge and overlapping ones."""
    kept: list[tuple[np.ndarray, float]] = []
    for mask, score in sorted(found, key=lambda item: -item[1]):
        area = int(mask.sum())
        if score < min_score or area == 0 or area > max_fraction * mask.size:
            continue
        if all(_iou(mask, other) <= max_overlap for other, _ in kept):
            kept.append((mask, score))
    if not kept:
        shape = found[0][0].shape if found else (0, 0)
        return np.zeros((0, *shape), dtype=bool), np.zeros(0)
    return np.stack([m for m, _ in kept]), np.array([s for _, s in kept])


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    union = np.logical_or(a, b).sum()
    return float(np.logical_and(a, b).sum() / union) if union else 0.0
