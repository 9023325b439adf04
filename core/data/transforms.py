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

SOURCE_SIZE = 137
IMAGE_SIZE = 127
CENTRE_OFFSET = (SOURCE_SIZE - IMAGE_SIZE) // 2  # 5: jitter of ±5 px stays inside the image
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)  # ImageNet statistics
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)
WHITE = (1.0, 1.0, 1.0)
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class AugmentConfig:
    """Training augmentation strengths; colour jitter factors are drawn from [1-j, 1+j]."""

    crop_jitter: int = CENTRE_OFFSET
    random_background: bool = True
    brightness: float = 0.2
    contrast: float = 0.2
    saturation: float = 0.2


def crop(rgba: np.ndarray, top: int = CENTRE_OFFSET, left: int = CENTRE_OFFSET, size: int = IMAGE_SIZE) -> np.ndarray:
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


def color_jitter(rgb: np.ndarray, rng: np.random.Generator, brightness: float, contrast: float, saturation: float, alpha: np.ndarray | None = None) -> np.ndarray:
    """Scale brightness, contrast (about the mean grey of the object, weighted by ``alpha``)
    and saturation (about each pixel's grey)."""
    out = rgb
    if brightness:
        out = out * np.float32(rng.uniform(1 - brightness, 1 + brightness))
    if contrast:
        grey = out @ _LUMA
        w = None if alpha is None else alpha.reshape(grey.shape)
        grey_mean = np.float32(grey.mean() if w is None or w.sum() == 0 else (grey * w).sum() / w.sum())
        out = (out - grey_mean) * np.float32(rng.uniform(1 - contrast, 1 + contrast)) + grey_mean
    if saturation:
        grey = (out @ _LUMA)[..., None]
        out = (out - grey) * np.float32(rng.uniform(1 - saturation, 1 + saturation)) + grey
    return np.clip(out, 0.0, 1.0)


def normalize(rgb: np.ndarray) -> torch.Tensor:
    """float RGB (H,W,3) in [0,1] -> float32 tensor (3,H,W) standardised with MEAN/STD."""
    arr = (np.asarray(rgb, dtype=np.float32) - MEAN) / STD
    return torch.from_numpy(np.ascontiguousarray(arr.transpose(2, 0, 1)))


def denormalize(image: torch.Tensor | np.ndarray) -> np.ndarray:
    """Inverse of ``normalize`` for display: (3,H,W) or (B,3,H,W) -> uint8 (H,W,3) or (B,H,W,3)."""
    arr = image.detach().cpu().numpy() if isinstance(image, torch.Tensor) else np.asarray(image)
    arr = np.moveaxis(arr.astype(np.float32), -3, -1) * STD + MEAN
    return (np.clip(arr, 0.0, 1.0) * 255.0 + 0.5).astype(np.uint8)


def eval_transform(rgba: np.ndarray, background: Sequence[float] = WHITE) -> torch.Tensor:
    """137×137 RGBA -> centre crop, composite over ``background`` (white), normalise."""
    _check_source(rgba)
    return normalize(composite(crop(rgba), background))


def train_transform(rgba: np.ndarray, rng: np.random.Generator, config: AugmentConfig = AugmentConfig(), background: Sequence[float] | None = None) -> torch.Tensor:
    """137×137 RGBA -> jittered crop, random (or given) background, colour jitter, normalise."""
    _check_source(rgba)
    j = int(config.crop_jitter)
    top, left = (CENTRE_OFFSET + rng.integers(-j, j + 1, size=2)) if j else (CENTRE_OFFSET, CENTRE_OFFSET)
    cropped = crop(rgba, int(top), int(left))
    if background is None:
        background = rng.random(3) if config.random_background else WHITE
    if config.brightness or config.contrast or config.saturation:
        # jitter the object only, then composite, so the background stays the chosen colour
        alpha = cropped[..., 3:].astype(np.float32) * (1.0 / 255.0)
        rgb = color_jitter(cropped[..., :3].astype(np.float32) * (1.0 / 255.0), rng, config.brightness, config.contrast, config.saturation, alpha)
        out = rgb * alpha + np.asarray(background, dtype=np.float32).reshape(1, 1, 3) * (1.0 - alpha)
    else:
        out = composite(cropped, background)
    return normalize(out)


def _check_source(rgba: np.ndarray) -> None:
    if rgba.shape != (SOURCE_SIZE, SOURCE_SIZE, 4):
        raise ValueError(f"expected a {SOURCE_SIZE}x{SOURCE_SIZE} RGBA array, got shape {rgba.shape}")
