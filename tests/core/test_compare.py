"""The error classes of a prediction against its ground truth."""

from __future__ import annotations

import numpy as np
import pytest

from core.geometry.compare import (
    EMPTY,
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    TRUE_POSITIVE,
    ErrorCounts,
    classify_errors,
    count_errors,
    counts_of,
)
from core.metrics import voxel_iou


def test_each_voxel_gets_its_class():
    occ = np.array([0.9, 0.9, 0.1, 0.1, 0.41, 0.4], dtype=np.float32).reshape(1, 2, 3)
    gt = np.array([1, 0, 1, 0, 0, 1], dtype=np.float32).reshape(1, 2, 3)
    labels = classify_errors(occ, gt, 0.4)
    # p > t is predicted (0.4 itself is not), as voxel_iou scores it
    assert labels.ravel().tolist() == [TRUE_POSITIVE, FALSE_POSITIVE, FALSE_NEGATIVE, EMPTY, FALSE_POSITIVE,
                                       FALSE_NEGATIVE]
    assert labels.dtype == np.uint8 and labels.shape == occ.shape
    assert count_errors(occ, gt, 0.4) == ErrorCounts(1, 2, 2, 1)


def test_counts_match_voxel_iou_on_random_grids():
    rng = np.random.default_rng(0)
    for _ in range(5):
        occ = rng.random((32, 32, 32), dtype=np.float32)
        gt = (rng.random((32, 32, 32)) > 0.7).astype(np.float32)
        for t in (0.3, 0.4, 0.5):
            c = count_errors(occ, gt, t)
            assert c.iou == pytest.approx(voxel_iou(occ, gt, t), abs=1e-12)
            assert c.predicted == int((occ > t).sum()) and c.actual == int(gt.sum())
            assert c.true_positive + c.false_positive + c.false_negative + c.true_negative == 32 ** 3


def test_counts_of_labels_and_ratios():
    labels = np.array([TRUE_POSITIVE] * 3 + [FALSE_POSITIVE] + [FALSE_NEGATIVE] * 2 + [EMPTY] * 4, dtype=np.uint8)
    c = counts_of(labels)
    assert (c.true_positive, c.false_positive, c.false_negative, c.true_negative) == (3, 1, 2, 4)
    assert c.iou == pytest.approx(0.5) and c.precision == pytest.approx(0.75) and c.recall == pytest.approx(0.6)


def test_empty_grids_agree():
    z = np.zeros((4, 4, 4), np.float32)
    c = count_errors(z, z, 0.5)
    assert c == ErrorCounts(0, 0, 0, 64)
    assert c.iou == c.precision == c.recall == 1.0


def test_nan_is_not_predicted():
    occ = np.array([np.nan, 0.9], np.float32).reshape(1, 1, 2)
    gt = np.array([1, 1], np.float32).reshape(1, 1, 2)
    assert classify_errors(occ, gt, 0.5).ravel().tolist() == [FALSE_NEGATIVE, TRUE_POSITIVE]


@pytest.mark.parametrize("threshold", [0.0, 1.0, -0.1, 1.5])
def test_bad_threshold_is_refused(threshold):
    z = np.zeros((2, 2, 2), np.float32)
    with pytest.raises(ValueError, match="threshold"):
        classify_errors(z, z, threshold)


def test_shape_mismatch_is_refused():
    with pytest.raises(ValueError, match="shape mismatch"):
        classify_errors(np.zeros((2, 2, 2)), np.zeros((2, 2, 3)), 0.5)
