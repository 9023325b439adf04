import numpy as np
import pytest
import torch

from core.metrics import class_mean, instance_mean, per_class_means, voxel_iou, voxel_iou_multi


def test_iou_numpy_and_torch_agree_on_known_values():
    gt = np.zeros((2, 4, 4, 4), dtype=np.float32)
    gt[0, :2] = 1  # 32 voxels
    gt[1, 0, 0, 0] = 1
    prob = np.zeros_like(gt)
    prob[0, :1] = 0.9  # 16 voxels inside gt
    prob[0, 3, 0, 0] = 0.9  # 1 false positive
    prob[1, 0, 0, 0] = 0.35  # below 0.4, above 0.3
    np.testing.assert_allclose(voxel_iou(prob, gt, 0.4), [16 / 33, 0.0])
    np.testing.assert_allclose(voxel_iou(prob, gt, 0.3), [16 / 33, 1.0])
    t = voxel_iou(torch.from_numpy(prob), torch.from_numpy(gt), 0.4)
    assert isinstance(t, torch.Tensor)
    np.testing.assert_allclose(t.numpy(), [16 / 33, 0.0], rtol=1e-6)
    assert voxel_iou(prob[0], gt[0], 0.5) == pytest.approx(16 / 33)
    multi = voxel_iou_multi(prob, gt, (0.3, 0.4))
    assert set(multi) == {0.3, 0.4}


def test_iou_edge_cases():
    empty = np.zeros((4, 4, 4))
    assert voxel_iou(empty, empty, 0.5) == 1.0
    full = np.ones((4, 4, 4))
    assert voxel_iou(full, empty, 0.5) == 0.0
    with pytest.raises(ValueError, match="shape"):
        voxel_iou(np.zeros((2, 4, 4, 4)), np.zeros((2, 4, 4, 5)))


def test_class_and_instance_means_differ_when_classes_are_unbalanced():
    ious = [1.0, 1.0, 1.0, 0.0]
    labels = ["car", "car", "car", "lamp"]
    per = per_class_means(ious, labels)
    assert per == {"car": 1.0, "lamp": 0.0}
    assert class_mean(per) == 0.5
    assert instance_mean(ious) == 0.75
    assert per_class_means(ious, torch.tensor([0, 0, 0, 1])) == {0: 1.0, 1: 0.0}
