"""Voxel IoU and the two ways papers average it.

Pure functions working on numpy arrays or torch tensors alike, so the trainer (torch, on the
device), the evaluator and the tests (numpy) share one definition.
"""

from __future__ import annotations

from typing import Iterable, Mapping, Sequence

import numpy as np

try:  # torch is a core dependency, but keep the numpy path importable on its own
    import torch
except ImportError:  # pragma: no cover
    torch = None  # type: ignore[assignment]

from core.spec import IOU_THRESHOLDS

DEFAULT_THRESHOLDS: tuple[float, ...] = IOU_THRESHOLDS  # the thresholds every report measures (core.spec)


def _is_torch(x: object) -> bool:
    return torch is not None and isinstance(x, torch.Tensor)


def voxel_iou(prob, gt, threshold: float = 0.5):
    """Per-sample IoU of ``prob > threshold`` against ``gt > 0.5``.

    ``prob`` and ``gt`` have the same shape: a single grid (D,H,W) or a batch (B, ...). Returns
    a scalar for one grid, else one IoU per sample (float64 numpy / float32 torch). Two empty
    grids agree perfectly (IoU 1): nothing predicted where nothing exists.
    """
    if tuple(prob.shape) != tuple(gt.shape):
        raise ValueError(f"shape mismatch: prediction {tuple(prob.shape)} vs ground truth {tuple(gt.shape)}")
    single = prob.ndim == 3
    if _is_torch(prob) or _is_torch(gt):
        p = torch.as_tensor(prob)
        g = torch.as_tensor(gt, device=p.device)
        p = (p.float() > threshold).reshape(1 if single else p.shape[0], -1)
        g = (g.float() > 0.5).reshape(p.shape)
        inter = (p & g).sum(dim=1).float()
        union = (p | g).sum(dim=1).float()
        iou = torch.where(union > 0, inter / union.clamp(min=1), torch.ones_like(union))
        return iou[0] if single else iou
    p = np.asarray(prob, dtype=np.float64) > threshold
    g = np.asarray(gt, dtype=np.float64) > 0.5
    p = p.reshape(1 if single else p.shape[0], -1)
    g = g.reshape(p.shape)
    inter = np.logical_and(p, g).sum(axis=1).astype(np.float64)
    union = np.logical_or(p, g).sum(axis=1).astype(np.float64)
    iou = np.where(union > 0, inter / np.maximum(union, 1), 1.0)
    return float(iou[0]) if single else iou


def voxel_iou_multi(prob, gt, thresholds: Sequence[float] = DEFAULT_THRESHOLDS) -> dict[float, object]:
    """``{threshold: per-sample IoU}`` for several thresholds at once."""
    return {float(t): voxel_iou(prob, gt, t) for t in thresholds}


def instance_mean(ious: Iterable[float]) -> float:
    """Mean over all samples: large classes weigh more (what most code reports as 'mean IoU')."""
    values = np.asarray(list(ious), dtype=np.float64)
    return float(values.mean()) if values.size else float("nan")


def per_class_means(ious: Sequence[float], labels: Sequence[int | str]) -> dict:
    """``{label: mean IoU of that label's samples}``, in first-seen label order."""
    if len(ious) != len(labels):
        raise ValueError(f"{len(ious)} IoU values but {len(labels)} labels")
    sums: dict = {}
    counts: dict = {}
    for value, label in zip(ious, labels):
        key = label.item() if hasattr(label, "item") else label
        sums[key] = sums.get(key, 0.0) + float(value)
        counts[key] = counts.get(key, 0) + 1
    return {k: sums[k] / counts[k] for k in sums}


def class_mean(per_class: Mapping[object, float]) -> float:
    """Mean of per-class means: every class weighs the same (3D-R2N2 / Pix2Vox tables)."""
    values = [v for v in per_class.values() if not np.isnan(v)]
    return float(np.mean(values)) if values else float("nan")
