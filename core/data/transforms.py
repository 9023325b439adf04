"""Image pipeline from a 137×137 RGBA rendering to the 3×127×127 tensor the models read.

Numpy only (torchvision is not available here). Evaluation: centre crop, composite over
white, normalise. Training: crop jittered by up to ±5 px, composite over a random colour (so
the model cannot rely on a fixed background), optional colour jitter of the object. Photos
(core/data/photo.py) must end in the same ``normalize`` so the model sees one distribution.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np
import torch

from core.spec import CROP_OFFSET, INPUT_SIZE, RENDER_SIZE

MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)  # ImageNet statistics
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
WHITE = (1.0, 1.0, 1.0)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class AugmentConfig:
    """Training augmentation strengths; colour jitter factors are drawn from [1-j, 1+j]."""

    crop_jitter: int = CROP_OFFSET
    random_background: bool = True
    brightness: float = 0.2
    contrast: float = 0.2
    saturation: float = 0.2


def crop(rgba: np.ndarray, top: int = CROP_OFFSET, left: int = CROP_OFFSET, size: int = INPUT_SIZE) -> np.ndarray:
    """A ``size``×``size`` window; raises ValueError if it leaves the image."""
    h, w = rgba.shape[:2]
    if not (0 <= top <= h - size and 0 <= left <= w - size):
        raise ValueError(f"crop {size}x{size} at ({top},{left}) leaves a {h}x{w} image")
    return rgba[top:top + size, left:left + size]


def composite(rgba: np.ndarray, bg: Sequence[float] = WHITE) -> np.ndarray:
    """uint8 RGBA (H,W,4) over a background colour (3 floats in [0,1]) -> float32 RGB (H,W,3) in [0,1]."""
    if rgba.ndim != 3 or rgba.shape[2] != 4:
        raise ValueError(f"expected an RGBA image (H,W,4), got shape {rgba.shape}")
    rgb = rgba[..., :3].astype(np.float32) * (1.0 / 255.0)
    alpha = rgba[..., 3:].astype(np.float32) * (1.0 / 255.0)
    background = np.asarray(bg, dtype=np.float32).reshape(1, 1, 3)
    return rgb * alpha + background * (1.0 - alpha)


def _jitter_matrix(rng: np.random.Generator, brightness: float, contrast: float, saturation: float, mean_grey: float) -> tuple[np.ndarray, float]:
    """Brightness, contrast and saturation are all linear in RGB, so together they are one
    3×3 matrix plus a grey offset: ``y = M @ x + offset`` (clipped to [0,1] afterwards).

    brightness ``x·b``; contrast about the object's mean grey ``m`` (after brightness):
    ``(x - b·m)·c + b·m``; saturation about each pixel's grey ``g = L·x``: ``(x - g)·s + g``.
    """
    b = rng.uniform(1 - brightness, 1 + brightness) if brightness else 1.0
    c = rng.uniform(1 - contrast, 1 + contrast) if contrast else 1.0
    s = rng.uniform(1 - saturation, 1 + saturation) if saturation else 1.0
    sat = s * np.eye(3) + (1 - s) * np.ones((3, 1)) @ _LUMA[None, :].astype(np.float64)
    return (c * b * sat).astype(np.float32), float((1 - c) * b * mean_grey)


def _weighted_grey_mean(rgb_planes: list[np.ndarray], alpha: np.ndarray | None) -> float:
    if alpha is None or float(alpha.sum()) == 0.0:
        return float(sum(_LUMA[k] * rgb_planes[k].mean() for k in range(3)))
    a = alpha.ravel()
    return float(sum(_LUMA[k] * np.dot(rgb_planes[k].ravel(), a) for k in range(3)) / a.sum())


def color_jitter(rgb: np.ndarray, rng: np.random.Generator, brightness: float, contrast: float, saturation: float, alpha: np.ndarray | None = None) -> np.ndarray:
    """Float RGB (H,W,3) in [0,1] with random brightness/contrast/saturation, clipped to [0,1];
    the contrast pivot is the object's mean grey (pixels weighted by ``alpha`` (H,W,1) if given)."""
    rgb = np.asarray(rgb, dtype=np.float32)
    planes = [rgb[..., k] for k in range(3)]
    m, offset = _jitter_matrix(rng, brightness, contrast, saturation, _weighted_grey_mean(planes, None if alpha is None else alpha[..., 0]))
    return np.clip(rgb @ m.T + offset, 0.0, 1.0)


def normalize(rgb: np.ndarray) -> torch.Tensor:
    """float RGB (H,W,3) in [0,1] -> float32 tensor (3,H,W) standardised with MEAN/STD."""
    arr = (np.asarray(rgb, dtype=np.float32) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def denormalize(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """Inverse of ``normalize`` for display: (3,H,W) or (B,3,H,W) -> uint8 (H,W,3) or (B,H,W,3)."""
    arr = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    arr = np.moveaxis(arr.astype(np.float32), -3, -1) * STD + MEAN
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def _composite_normalized(rgba: np.ndarray, background: Sequence[float], jitter: tuple | None = None) -> torch.Tensor:
    """``normalize(composite(rgba, background))`` (after optional colour jitter), computed one
    contiguous colour plane at a time: about 6x faster than the HWC float path, same values.

    With ``n(v) = (v - MEAN)/STD`` and ``B = n(background)``: ``out = a·(n(rgb) - B) + B``.
    ``jitter`` = (rng, AugmentConfig) applies ``color_jitter`` to the object first.
    """
    chw = np.moveaxis(rgba, -1, 0)
    alpha = chw[3].astype(np.float32)
    alpha *= np.float32(1 / 255)
    bgn = (np.asarray(background, dtype=np.float32).reshape(3) - MEAN) / STD
    out = np.empty((3,) + rgba.shape[:2], dtype=np.float32)
    if jitter is None:
        for c in range(3):
            x = chw[c].astype(np.float32)
            x *= np.float32(1 / (255 * STD[c]))
            x -= MEAN[c] / STD[c] + bgn[c]
            x *= alpha
            x += bgn[c]
            out[c] = x
        return torch.from_numpy(out)
    rng, cfg = jitter
    planes = [chw[c].astype(np.float32) * np.float32(1 / 255) for c in range(3)]
    m, offset = _jitter_matrix(rng, cfg.brightness, cfg.contrast, cfg.saturation, _weighted_grey_mean(planes, alpha))
    for c in range(3):
        y = planes[0] * m[c, 0]
        y += planes[1] * m[c, 1]
        y += planes[2] * m[c, 2]
        y += np.float32(offset)
        np.clip(y, 0.0, 1.0, out=y)
        y *= np.float32(1 / STD[c])
        y -= MEAN[c] / STD[c] + bgn[c]
        y *= alpha
        y += bgn[c]
        out[c] = y
    return torch.from_numpy(out)


def eval_transform(rgba: np.ndarray, background: Sequence[float] = WHITE) -> torch.Tensor:
    """137×137 RGBA -> centre crop, composite over ``background`` (white), normalise."""
    _check_source(rgba)
    return _composite_normalized(crop(rgba), background)


def train_transform(rgba: np.ndarray, rng: np.random.Generator, config: AugmentConfig = AugmentConfig(), background: Sequence[float] | None = None) -> torch.Tensor:
    """137×137 RGBA -> jittered crop, random (or given) background, colour jitter of the
    object (not the background), normalise."""
    _check_source(rgba)
    j = int(config.crop_jitter)
    top, left = (CROP_OFFSET + rng.integers(-j, j + 1, size=2)) if j else (CROP_OFFSET, CROP_OFFSET)
    cropped = crop(rgba, int(top), int(left))
    if background is None:
        background = rng.random(3) if config.random_background else WHITE
    has_jitter = bool(config.brightness or config.contrast or config.saturation)
    return _composite_normalized(cropped, background, (rng, config) if has_jitter else None)


def _check_source(rgba: np.ndarray) -> None:
    if rgba.shape != (RENDER_SIZE, RENDER_SIZE, 4):
        raise ValueError(f"expected a {RENDER_SIZE}x{RENDER_SIZE} RGBA array, got shape {rgba.shape}")
