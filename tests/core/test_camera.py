import numpy as np
import pytest
from PIL import Image

from core.geometry.camera import ViewParams, camera_from_view, project_voxels_mask, silhouette_iou
from core.io.binvox import read_binvox


def test_real_voxels_project_onto_alpha_in_all_24_views(real_r2n2_root):
    objects = sorted((real_r2n2_root / "ShapeNetVox32" / "03001627").iterdir())
    assert len(objects) == 3
    for obj in objects:
        vox = read_binvox(obj / "model.binvox", expect_dim=32)
        rendering = real_r2n2_root / "ShapeNetRendering" / "03001627" / obj.name / "rendering"
        lines = (rendering / "rendering_metadata.txt").read_text().splitlines()
        ious = []
        for i in range(24):
            alpha = np.asarray(Image.open(rendering / f"{i:02d}.png"))[..., 3] > 0
            mask = project_voxels_mask(vox.data, ViewParams.from_line(lines[i]), scale=vox.scale)
            ious.append(silhouette_iou(mask, alpha))
        assert min(ious) > 0.8, (obj.name, ious)
        assert np.mean(ious) > 0.88


def test_mirrored_convention_would_fail(real_r2n2_root):
    """The test above must be able to fail: a negated azimuth gives a clearly worse fit."""
    obj = sorted((real_r2n2_root / "ShapeNetVox32" / "03001627").iterdir())[0]
    vox = read_binvox(obj / "model.binvox")
    rendering = real_r2n2_root / "ShapeNetRendering" / "03001627" / obj.name / "rendering"
    lines = (rendering / "rendering_metadata.txt").read_text().splitlines()
    good, bad = [], []
    for i in range(24):
        v = ViewParams.from_line(lines[i])
        alpha = np.asarray(Image.open(rendering / f"{i:02d}.png"))[..., 3] > 0
        good.append(silhouette_iou(project_voxels_mask(vox.data, v, scale=vox.scale), alpha))
        flipped = ViewParams(-v.azimuth, v.elevation, v.in_plane, v.distance)
        bad.append(silhouette_iou(project_voxels_mask(vox.data, flipped, scale=vox.scale), alpha))
    assert np.mean(good) > np.mean(bad) + 0.1


def test_camera_basis_and_projection_of_origin():
    cam = camera_from_view(ViewParams(30.0, 25.0, 0.0, 0.8))
    assert np.linalg.norm(cam.centre) == pytest.approx(1.75 * 0.8)
    uv, depth = cam.project(np.zeros((1, 3)))
    np.testing.assert_allclose(uv[0], [68.5, 68.5])
    assert depth[0] == pytest.approx(1.4)
    # +y projects upward (smaller v)
    uv_up, _ = cam.project(np.array([[0.0, 0.2, 0.0]]))
    assert uv_up[0, 1] < 68.5


def test_metadata_line_round_trip():
    line = "282.84 27.13 0 0.7585 25"
    assert ViewParams.from_line(line) == ViewParams.from_line(ViewParams.from_line(line).to_line())
    with pytest.raises(ValueError):
        ViewParams.from_line("1 2 3")
