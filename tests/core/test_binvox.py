import numpy as np
import pytest

from core.errors import DataError
from core.io.binvox import Voxels, encode_binvox, read_binvox, write_binvox


def real_binvox_files(root):
    files = sorted((root / "ShapeNetVox32").glob("*/*/model.binvox"))
    assert len(files) == 3
    return files


def test_real_files_round_trip_bit_for_bit(real_r2n2_root, tmp_path):
    for path in real_binvox_files(real_r2n2_root):
        vox = read_binvox(path, expect_dim=32)
        assert vox.data.shape == (32, 32, 32) and vox.data.dtype == bool
        assert 0 < vox.data.sum() < 32**3
        assert encode_binvox(vox) == path.read_bytes()
        out = tmp_path / "copy.binvox"
        write_binvox(out, vox)
        again = read_binvox(out)
        np.testing.assert_array_equal(again.data, vox.data)
        assert again.scale == pytest.approx(vox.scale)


def test_axes_are_x_y_z_with_y_up(real_r2n2_root):
    # A chair: the seat/back mass is above the legs -> more occupancy in the upper half of y
    # than a thin-leg lower half; and the back stands at low x (objects face +x).
    for path in real_binvox_files(real_r2n2_root):
        g = read_binvox(path).data
        per_y = g.sum(axis=(0, 2))
        assert per_y[16:].sum() > per_y[:8].sum()


def test_random_grids_round_trip_including_long_runs(tmp_path):
    rng = np.random.default_rng(0)
    for density in (0.0, 0.02, 0.5, 1.0):
        grid = rng.random((32, 32, 32)) < density
        vox = Voxels(grid, (0.1, -0.2, 0.3), 0.75)
        back = read_binvox(_write(tmp_path, encode_binvox(vox)))
        np.testing.assert_array_equal(back.data, grid)


def test_non_cubic_grid_keeps_axes(tmp_path):
    grid = np.zeros((4, 6, 8), bool)
    grid[1, 2, 3] = True
    back = read_binvox(_write(tmp_path, encode_binvox(Voxels(grid))))
    assert back.data.shape == (4, 6, 8) and back.data[1, 2, 3] and back.data.sum() == 1


def _write(tmp_path, data: bytes, name="x.binvox"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


def test_truncated_file_names_the_file(real_r2n2_root, tmp_path):
    data = real_binvox_files(real_r2n2_root)[0].read_bytes()
    bad = _write(tmp_path, data[: len(data) - 40], "truncated.binvox")
    with pytest.raises(DataError, match="truncated.binvox.*(truncated|corrupt)"):
        read_binvox(bad)


def test_not_a_binvox_and_wrong_size(tmp_path):
    with pytest.raises(DataError, match="junk.binvox: not a binvox"):
        read_binvox(_write(tmp_path, b"hello world\n", "junk.binvox"))
    small = _write(tmp_path, encode_binvox(Voxels(np.ones((16, 16, 16), bool))), "small.binvox")
    with pytest.raises(DataError, match="small.binvox: binvox grid is 16x16x16, expected 32x32x32"):
        read_binvox(small, expect_dim=32)
    with pytest.raises(DataError, match="missing.binvox: binvox file not found"):
        read_binvox(tmp_path / "missing.binvox")
