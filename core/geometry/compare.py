"""A prediction voxel by voxel against its ground truth: what is right, extra and missing.

The error view colours a predicted grid with these classes, so a person sees *where* a model
is wrong, not only by how much (IoU). The rule is the one ``core.metrics.voxel_iou`` scores
with: predicted = ``occupancy > threshold``, true = ``ground_truth > 0.5``; hence
``ErrorCounts.iou`` equals ``voxel_iou`` for the same inputs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Labels of ``classify_errors``' grid (uint8).
EMPTY = 0  # neither predicted nor true (true negative)
TRUE_POSITIVE = 1  # predicted and true: correct
FALSE_POSITIVE = 2  # predicted, not true: extra material
FALSE_NEGATIVE = 3  # true, not predicted: missing material


@dataclass(frozen=True)
class ErrorCounts:
    """Voxel counts of one prediction against its ground truth."""

    true_positive: int
    false_positive: int
    false_negative: int
    true_negative: int

    @property
    def predicted(self) -> int:
        """Voxels the prediction marks occupied (true + false positives)."""
        return self.true_positive + self.false_positive

    @property
    def actual(self) -> int:
        """Voxels occupied in the ground truth (true positives + false negatives)."""
        return self.true_positive + self.false_negative

    @property
    def iou(self) -> float:
        """Intersection over union; 1.0 when both grids are empty (as voxel_iou)."""
        union = self.true_positive + self.false_positive + self.false_negative
        return self.true_positive / union if union else 1.0

    @property
    def precision(self) -> float:
        """Share of predicted voxels that are true (1.0 when nothing is predicted)."""
        return self.true_positive / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        """Share of true voxels that are predicted (1.0 when nothing is true)."""
        return self.true_positive / self.actual if self.actual else 1.0


def classify_errors(occupancy: np.ndarray, ground_truth: np.ndarray, threshold: float) -> np.ndarray:
    """uint8 grid of the same shape: EMPTY / TRUE_POSITIVE / FALSE_POSITIVE / FALSE_NEGATIVE.

    ``occupancy``: predicted probabilities (any float grid); ``ground_truth``: 0/1 (or bool)
    of the same shape. Raises ValueError on a shape mismatch or a threshold outside (0, 1)
    (a threshold of 0 or 1 would silently turn every voxel into one class). NaN
    probabilities count as not predicted.
    """
    pred, true = _masks(occupancy, ground_truth, threshold)
    labels = np.zeros(pred.shape, dtype=np.uint8)
    labels[pred & true] = TRUE_POSITIVE
    labels[pred & ~true] = FALSE_POSITIVE
    labels[~pred & true] = FALSE_NEGATIVE
    return labels


def count_errors(occupancy: np.ndarray, ground_truth: np.ndarray, threshold: float) -> ErrorCounts:
    """The four voxel counts (same rules and errors as ``classify_errors``)."""
    return counts_of(classify_errors(occupancy, ground_truth, threshold))


def counts_of(labels: np.ndarray) -> ErrorCounts:
    """Counts of a grid made by ``classify_errors``."""
    n = np.bincount(np.asarray(labels, dtype=np.uint8).ravel(), minlength=4)
    return ErrorCounts(int(n[TRUE_POSITIVE]), int(n[FALSE_POSITIVE]), int(n[FALSE_NEGATIVE]), int(n[EMPTY]))


def _masks(occupancy: np.ndarray, ground_truth: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    occ = np.asarray(occupancy, dtype=np.float32)
    gt = np.asarray(ground_truth, dtype=np.float32)
    if occ.shape != gt.shape:
        raise ValueError(f"shape mismatch: prediction {occ.shape} vs ground truth {gt.shape}")
    if not (0.0 < float(threshold) < 1.0):
        raise ValueError(f"threshold must lie strictly between 0 and 1, got {threshold}")
    with np.errstate(invalid="ignore"):
        return occ > threshold, gt > 0.5
